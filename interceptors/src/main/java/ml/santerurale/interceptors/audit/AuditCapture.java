package ml.santerurale.interceptors.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.InterceptorInvocationTimingEnum;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.api.server.storage.TransactionDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records an audit event (see {@link AuditEventFactory}) for every access to patient data and
 * every refused attempt, and hands it to the {@link AuditSink}:
 * <ul>
 *   <li>read, vread, search, history and pages of results, when the type is a patient-data type
 *       or a patient-data resource is returned: one event naming the patients returned (and, for
 *       a read, the resource), with the query for searches and history; GET entries of a
 *       transaction or batch: one event for the Bundle;</li>
 *   <li>create, update, patch, delete: one event per resource written, from the storage
 *       pre-commit hooks, so the event is handed over inside the data's transaction. The entries
 *       of a transaction Bundle (or of a batch entry) are gathered until the Bundle has been
 *       processed, still inside its database transaction, and recorded as one event per
 *       interaction, site and patient, naming every resource of that patient it wrote: a Bundle
 *       of 25 patients' consultations makes 25 events, not one per resource;</li>
 *   <li>failures: every 401 and 403 (any type), and any other error of a patient-data
 *       interaction (404 and 410 of reads, 412, 422, 5xx...), with the HTTP status.</li>
 * </ul>
 *
 * <p>Where an event is stored decides who may read it ({@link AuditEventFactory}): with the site
 * of the records it names, so that site's major sees every access to their patients. An access
 * that touched records of several sites (a district doctor's search across two CSCOMs) is
 * recorded as one event per site, each naming only that site's records; all of them carry the
 * request's id. The query goes with each site's event unless it names a record of another site;
 * then it is kept only in an extra event of the national trail (admin only) that names no
 * record. An access that touched no known record (a refusal) is stored with the caller's site
 * when they have one, else nationally.
 *
 * <p>Does not audit: writes by the server itself ({@link SystemRequestDetails}, such as the
 * sites catalogue and the audit trail's own storage), reference data (Organization, Location,
 * Practitioner...) and the audit trail when read successfully, the capability statement,
 * actuator endpoints (not FHIR), requests HAPI refused before choosing a handler (unknown URL),
 * and updates HAPI suppressed because nothing changed. It does not read back references: a
 * patient is named when the returned resource carries the reference (see
 * {@link PatientReferences}). {@code X-Forwarded-For} is used for the client address only when
 * the server is told it sits behind a proxy that sets it; otherwise it could be forged.
 */
@Interceptor
public class AuditCapture {

    private static final Logger log = LoggerFactory.getLogger(AuditCapture.class);
    private static final String AUDITED_WRITES = AuditCapture.class.getName() + ".writes";
    private static final String PENDING_WRITES = AuditCapture.class.getName() + ".pendingWrites";

    /** What every event of one request shares. */
    private record Request(Interaction interaction, Interaction within, Caller caller, String clientAddress,
            int status, String failure, String requestId) {

        Request(Interaction interaction, Interaction within, RequestDetails requestDetails, String clientAddress,
                int status, String failure) {
            this(interaction, within, Caller.of(requestDetails).orElse(null), clientAddress, status, failure,
                    requestIdOf(requestDetails));
        }

        /**
         * HAPI's id for the request. The entries of a transaction run with sub-request details
         * that do not carry it; their servlet request is the Bundle's, whose {@code X-Request-ID}
         * header holds the id HAPI adopted (the server's request-id filter sets it on every
         * request).
         */
        private static String requestIdOf(RequestDetails requestDetails) {
            if (requestDetails == null) {
                return null;
            }
            if (requestDetails.getRequestId() != null) {
                return requestDetails.getRequestId();
            }
            return requestDetails instanceof ServletRequestDetails servlet && servlet.getServletRequest() != null
                    ? servlet.getServletRequest().getHeader("X-Request-ID") : null;
        }
    }

    /** A write of a transaction Bundle waiting for the Bundle's end, with its resource's site. */
    private record PendingWrite(Request request, String site, TouchedRecords.Part records) {}

    private final AuditEventFactory factory;
    private final AuditSink sink;
    private final Set<String> patientDataTypes;
    private final boolean trustForwardedFor;

    /**
     * @param patientDataTypes resource types whose access is audited (the clinical kind of the
     *     access policy)
     * @param trustForwardedFor take the client address from the first {@code X-Forwarded-For}
     *     entry (only behind a reverse proxy that overwrites it)
     */
    public AuditCapture(AuditEventFactory factory, AuditSink sink, Set<String> patientDataTypes,
            boolean trustForwardedFor) {
        this.factory = factory;
        this.sink = sink;
        this.patientDataTypes = Set.copyOf(patientDataTypes);
        this.trustForwardedFor = trustForwardedFor;
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean auditRead(RequestDetails requestDetails, IBaseResource response, HttpServletRequest servletRequest) {
        Interaction interaction = Interaction.of(requestDetails.getRestOperationType());
        if (interaction == Interaction.TRANSACTION || interaction == Interaction.BATCH) {
            // HAPI reports a batch as a transaction interaction: the Bundle's type tells them apart.
            boolean batch = requestDetails.getResource() instanceof Bundle bundle && bundle.getType() == Bundle.BundleType.BATCH;
            auditBundleReads(requestDetails, batch ? Interaction.BATCH : Interaction.TRANSACTION, response, servletRequest);
            return true;
        }
        if (interaction == Interaction.DELETE) {
            auditDeleteOfNothing(requestDetails, servletRequest);
            return true;
        }
        if (interaction == null || !(interaction.isQuery() || interaction.action.equals("R"))) {
            return true;
        }
        TouchedRecords touched = new TouchedRecords();
        String type = requestDetails.getResourceName(); // null for pages and system-level search/history
        boolean patientData = type != null && patientDataTypes.contains(type);
        if (response instanceof Bundle bundle
                && (interaction.isQuery() || interaction == Interaction.HISTORY_INSTANCE)) {
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                patientData |= collect(entry.getResource(), false, touched);
            }
        } else if (response != null) {
            patientData |= collect(response, true, touched);
        }
        if (!patientData) {
            return true;
        }
        if (interaction == Interaction.HISTORY_INSTANCE && requestDetails.getId() != null) {
            // Every version of one resource lives at one site: the instance goes with them.
            var sites = touched.bySite().keySet().iterator();
            String site = sites.hasNext() ? sites.next() : null;
            touched.of(site).resources().add(type + "/" + requestDetails.getId().getIdPart());
        }
        sink.recordAll(events(new Request(interaction, null, requestDetails, clientAddress(servletRequest), 200, null),
                touched, interaction.isQuery() ? requestDetails.getCompleteUrl() : null));
        return true;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void auditCreate(IBaseResource resource, RequestDetails requestDetails, TransactionDetails transactionDetails,
            InterceptorInvocationTimingEnum timing) {
        auditWrite(Interaction.CREATE, null, resource, requestDetails, transactionDetails, timing);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void auditUpdate(IBaseResource oldResource, IBaseResource newResource, RequestDetails requestDetails,
            TransactionDetails transactionDetails, InterceptorInvocationTimingEnum timing) {
        auditWrite(Interaction.UPDATE, oldResource, newResource, requestDetails, transactionDetails, timing);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void auditDelete(IBaseResource resource, RequestDetails requestDetails, TransactionDetails transactionDetails,
            InterceptorInvocationTimingEnum timing) {
        auditWrite(Interaction.DELETE, null, resource, requestDetails, transactionDetails, timing);
    }

    /**
     * The writes of a transaction Bundle, gathered by {@link #auditWrite}: HAPI fires this after
     * their deferred pre-commit hooks and before the database transaction commits, so the events
     * still commit or roll back with the data. One event per interaction, site and patients.
     */
    @Hook(Pointcut.STORAGE_TRANSACTION_PROCESSED)
    public void auditTransactionWrites(TransactionDetails transactionDetails) {
        List<PendingWrite> pending = transactionDetails == null ? null : transactionDetails.getUserData(PENDING_WRITES);
        if (pending == null || pending.isEmpty()) {
            return;
        }
        // Taken once: HAPI may call this hook through two broadcasters for one transaction.
        transactionDetails.clearUserData(PENDING_WRITES);
        Map<String, PendingWrite> groups = new LinkedHashMap<>();
        for (PendingWrite write : pending) {
            String key = write.request().interaction().code + "|" + write.site() + "|"
                    + String.join(",", new TreeSet<>(write.records().patients()));
            PendingWrite group = groups.computeIfAbsent(key,
                    k -> new PendingWrite(write.request(), write.site(), new TouchedRecords.Part()));
            group.records().resources().addAll(write.records().resources());
            group.records().patients().addAll(write.records().patients());
        }
        sink.recordAll(groups.values().stream().map(group -> factory.restEvent(access(group.request(),
                group.records(), null, storageSite(group.site(), group.request().caller())))).toList());
    }

    @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
    public boolean auditFailure(RequestDetails requestDetails, HttpServletRequest servletRequest,
            BaseServerResponseException exception) {
        RestOperationTypeEnum operation = requestDetails == null ? null : requestDetails.getRestOperationType();
        if (operation == RestOperationTypeEnum.METADATA) {
            return true;
        }
        int status = exception.getStatusCode();
        if (status == 503) {
            // The database is away: nothing was read or written, and no event could be stored
            // (waiting for the pool would hold the answer for its whole timeout).
            return true;
        }
        if (status == 429) {
            // Throttled before anything was read or written; an event per refusal would let a
            // flood write to the database after all (the server counts them in a metric instead).
            return true;
        }
        Interaction interaction = Interaction.of(operation);
        String type = requestDetails == null ? null : requestDetails.getResourceName();
        // A page link of a search is patient data when refused: it may be another user's search.
        boolean patientData = (type != null && patientDataTypes.contains(type))
                || interaction == Interaction.TRANSACTION || interaction == Interaction.BATCH
                || operation == RestOperationTypeEnum.GET_PAGE;
        boolean refused = status == 401 || status == 403;
        if (!refused && (!patientData || interaction == null)) {
            return true;
        }
        // The target's site is not known (it may be another site's, or missing): no site.
        TouchedRecords touched = new TouchedRecords();
        IIdType id = requestDetails == null ? null : requestDetails.getId();
        if (type != null && id != null && id.hasIdPart()) {
            String reference = type + "/" + id.getIdPart();
            TouchedRecords.Part part = touched.of(null);
            (type.equals("Patient") ? part.patients() : part.resources()).add(reference);
        }
        String query = interaction != null && interaction.isQuery() ? requestDetails.getCompleteUrl() : null;
        try {
            sink.recordAll(events(new Request(interaction, null, requestDetails, clientAddress(servletRequest), status,
                    exception.getMessage()), touched, query));
        } catch (RuntimeException e) {
            // The request already failed; the client gets that answer. The lost event is logged.
            log.error("Audit event of a refused or failed request ({} {}) could not be recorded", status, type, e);
        }
        return true;
    }

    private void auditWrite(Interaction kind, IBaseResource oldResource, IBaseResource resource,
            RequestDetails requestDetails, TransactionDetails transactionDetails, InterceptorInvocationTimingEnum timing) {
        if (requestDetails == null || requestDetails instanceof SystemRequestDetails
                || !patientDataTypes.contains(resource.fhirType())) {
            return;
        }
        if (!firstNotice(requestDetails, kind, resource)) {
            return;
        }
        RestOperationTypeEnum operation = requestDetails.getRestOperationType();
        Interaction interaction = kind == Interaction.UPDATE && operation == RestOperationTypeEnum.PATCH
                ? Interaction.PATCH : kind;
        Interaction within = operation == RestOperationTypeEnum.TRANSACTION ? Interaction.TRANSACTION
                : operation == RestOperationTypeEnum.BATCH ? Interaction.BATCH : null;
        String site = SiteLabels.siteOf(resource).orElse(null);
        TouchedRecords.Part records = new TouchedRecords.Part();
        collect(resource, true, records);
        if (oldResource != null) {
            PatientReferences.collect(oldResource, records.patients());
        }
        HttpServletRequest servletRequest = requestDetails instanceof ServletRequestDetails s ? s.getServletRequest() : null;
        Request request = new Request(interaction, within, requestDetails, clientAddress(servletRequest), 200, null);
        if (timing == InterceptorInvocationTimingEnum.DEFERRED && transactionDetails != null) {
            // Inside a transaction Bundle: recorded with the others of its patient at its end.
            transactionDetails.getOrCreateUserData(PENDING_WRITES, ArrayList<PendingWrite>::new)
                    .add(new PendingWrite(request, site, records));
            return;
        }
        sink.record(factory.restEvent(access(request, records, null, storageSite(site, request.caller()))));
    }

    /**
     * HAPI calls storage hooks through both the global interceptor service and the request's,
     * and here they are the same service: each pre-commit hook fires twice per write.
     */
    @SuppressWarnings("unchecked")
    private static boolean firstNotice(RequestDetails requestDetails, Interaction kind, IBaseResource resource) {
        Set<String> seen = (Set<String>) requestDetails.getUserData()
                .computeIfAbsent(AUDITED_WRITES, key -> new java.util.HashSet<String>());
        return seen.add(kind.code + " " + resource.fhirType() + "/" + resource.getIdElement().getIdPart()
                + "/" + resource.getIdElement().getVersionIdPart());
    }

    /**
     * A delete that removed nothing (HAPI answers 200 when the record is missing, or is another
     * site's, which must look the same): still an attempt on patient data, recorded naming the
     * target without a site, exactly as for a missing record.
     */
    private void auditDeleteOfNothing(RequestDetails requestDetails, HttpServletRequest servletRequest) {
        String type = requestDetails.getResourceName();
        if (type == null || !patientDataTypes.contains(type) || requestDetails instanceof SystemRequestDetails) {
            return;
        }
        Object written = requestDetails.getUserData().get(AUDITED_WRITES);
        if (written instanceof Set<?> seen && !seen.isEmpty()) {
            return;
        }
        TouchedRecords touched = new TouchedRecords();
        IIdType id = requestDetails.getId();
        String query = null;
        if (id != null && id.hasIdPart()) {
            TouchedRecords.Part part = touched.of(null);
            (type.equals("Patient") ? part.patients() : part.resources()).add(type + "/" + id.getIdPart());
        } else {
            query = requestDetails.getCompleteUrl();
        }
        sink.recordAll(events(new Request(Interaction.DELETE, null, requestDetails, clientAddress(servletRequest), 200,
                "Nothing was deleted: no such record"), touched, query));
    }

    /**
     * GET entries of a transaction or batch: one event naming the patients they returned, and one
     * per entry that failed (a 404 for another site's record as for a missing one), naming its
     * target, as a plain read's failure would be.
     */
    private void auditBundleReads(RequestDetails requestDetails, Interaction within, IBaseResource response,
            HttpServletRequest servletRequest) {
        if (!(requestDetails.getResource() instanceof Bundle request) || !(response instanceof Bundle answer)) {
            return;
        }
        TouchedRecords touched = new TouchedRecords();
        StringJoiner urls = new StringJoiner("\n");
        boolean patientData = false;
        List<Bundle.BundleEntryComponent> entries = request.getEntry();
        for (int i = 0; i < entries.size() && i < answer.getEntry().size(); i++) {
            Bundle.HTTPVerb method = entries.get(i).getRequest().getMethod();
            if (method != Bundle.HTTPVerb.GET && method != Bundle.HTTPVerb.HEAD) {
                continue;
            }
            urls.add(entries.get(i).getRequest().getUrl());
            String status = answer.getEntry().get(i).getResponse().getStatus();
            if (status != null && !status.startsWith("2")) {
                auditFailedEntry(requestDetails, within, entries.get(i).getRequest().getUrl(), status,
                        answer.getEntry().get(i).getResponse().getOutcome(), servletRequest);
                continue;
            }
            IBaseResource returned = answer.getEntry().get(i).getResource();
            if (returned instanceof Bundle page) {
                for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                    patientData |= collect(entry.getResource(), false, touched);
                }
            } else {
                patientData |= collect(returned, true, touched);
            }
        }
        if (patientData) {
            sink.recordAll(events(new Request(Interaction.SEARCH, within, requestDetails, clientAddress(servletRequest),
                    200, null), touched, urls.toString()));
        }
    }

    private void auditFailedEntry(RequestDetails requestDetails, Interaction within, String url, String status,
            org.hl7.fhir.r4.model.Resource outcome, HttpServletRequest servletRequest) {
        String type = ml.santerurale.interceptors.guard.BundleEntryUrls.resourceType(url);
        if (type == null || !patientDataTypes.contains(type)) {
            return;
        }
        String id = url.contains("?") ? null : ml.santerurale.interceptors.guard.BundleEntryUrls.resourceId(url);
        TouchedRecords touched = new TouchedRecords();
        if (id != null) {
            TouchedRecords.Part part = touched.of(null);
            (type.equals("Patient") ? part.patients() : part.resources()).add(type + "/" + id);
        }
        int code;
        try {
            code = Integer.parseInt(status.trim().split("\\s+")[0]);
        } catch (NumberFormatException e) {
            code = 500;
        }
        String failure = outcome instanceof org.hl7.fhir.r4.model.OperationOutcome oo && oo.hasIssue()
                ? oo.getIssueFirstRep().getDiagnostics() : status;
        Interaction interaction = id == null ? Interaction.SEARCH : url.contains("/_history/") ? Interaction.VREAD : Interaction.READ;
        sink.recordAll(events(new Request(interaction, within, requestDetails, clientAddress(servletRequest), code, failure),
                touched, id == null ? url : null));
    }

    /**
     * Adds the resource (when {@code withResource}) and its patients under the resource's site;
     * true if it is patient data.
     */
    private boolean collect(IBaseResource resource, boolean withResource, TouchedRecords touched) {
        if (resource == null || !patientDataTypes.contains(resource.fhirType())) {
            return false;
        }
        return collect(resource, withResource, touched.of(SiteLabels.siteOf(resource).orElse(null)));
    }

    private boolean collect(IBaseResource resource, boolean withResource, TouchedRecords.Part part) {
        if (resource == null || !patientDataTypes.contains(resource.fhirType())) {
            return false;
        }
        if (withResource && resource.getIdElement().hasIdPart()) {
            part.resources().add(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
        }
        PatientReferences.collect(resource, part.patients());
        return true;
    }

    /**
     * The events of one access: one if it touched the records of one site (or none), else one per
     * site naming only that site's records, plus a national one for a query that names records of
     * several sites (see the class comment).
     */
    private List<AuditEvent> events(Request request, TouchedRecords touched, String query) {
        Map<String, TouchedRecords.Part> bySite = touched.bySite();
        if (bySite.size() <= 1) {
            String site = bySite.isEmpty() ? null : bySite.keySet().iterator().next();
            TouchedRecords.Part records = bySite.isEmpty() ? new TouchedRecords.Part() : bySite.get(site);
            return List.of(factory.restEvent(access(request, records, query, storageSite(site, request.caller()))));
        }
        List<AuditEvent> events = new ArrayList<>();
        boolean queryWithheld = false;
        for (Map.Entry<String, TouchedRecords.Part> entry : bySite.entrySet()) {
            boolean keepQuery = query != null && !namesAny(query, touched.idsOutside(entry.getKey()));
            queryWithheld |= query != null && !keepQuery;
            events.add(factory.restEvent(access(request, entry.getValue(), keepQuery ? query : null,
                    storageSite(entry.getKey(), request.caller()))));
        }
        if (queryWithheld) {
            events.add(factory.restEvent(access(request, new TouchedRecords.Part(), query, null)));
        }
        return events;
    }

    /**
     * Whether the query names one of these ids as a whole token (ids are made of letters, digits,
     * '-' and '.'), once percent-decoded. A query that cannot be decoded counts as naming them.
     */
    static boolean namesAny(String query, Set<String> ids) {
        String decoded;
        try {
            decoded = java.net.URLDecoder.decode(query, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return true;
        }
        for (String id : ids) {
            for (int at = decoded.indexOf(id); at >= 0; at = decoded.indexOf(id, at + 1)) {
                int end = at + id.length();
                if ((at == 0 || !isIdChar(decoded.charAt(at - 1)))
                        && (end == decoded.length() || !isIdChar(decoded.charAt(end)))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isIdChar(char c) {
        return Character.isLetterOrDigit(c) || c == '-' || c == '.';
    }

    /**
     * Where an event is stored: with the site of the records it names, else with the caller's
     * only site, else nationally (null).
     */
    private static String storageSite(String dataSite, Caller caller) {
        if (dataSite != null) {
            return dataSite;
        }
        return caller != null && caller.siteIds().size() == 1 ? caller.siteIds().iterator().next() : null;
    }

    private static Access access(Request request, TouchedRecords.Part records, String query, String site) {
        return new Access(request.interaction(), request.within(), request.caller(), request.clientAddress(),
                request.status(), request.failure(), records.resources(), records.patients(), query, site,
                request.requestId());
    }

    private String clientAddress(HttpServletRequest request) {
        if (request == null) {
            return null;
        }
        if (trustForwardedFor) {
            String forwarded = request.getHeader("X-Forwarded-For");
            if (forwarded != null && !forwarded.isBlank()) {
                return forwarded.split(",")[0].trim();
            }
        }
        return request.getRemoteAddr();
    }
}
