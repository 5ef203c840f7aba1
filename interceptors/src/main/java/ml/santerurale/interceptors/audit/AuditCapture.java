package ml.santerurale.interceptors.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.StringJoiner;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IIdType;
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
 *   <li>create, update, patch, delete, also as transaction or batch entries: one event per
 *       resource written, from the storage pre-commit hooks, so the event is handed over inside
 *       the data's transaction;</li>
 *   <li>failures: every 401 and 403 (any type), and any other error of a patient-data
 *       interaction (404 and 410 of reads, 412, 422, 5xx...), with the HTTP status.</li>
 * </ul>
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
            auditBundleReads(requestDetails, interaction, response, servletRequest);
            return true;
        }
        if (interaction == null || !(interaction.isQuery() || interaction.action.equals("R"))) {
            return true;
        }
        Set<String> resources = new LinkedHashSet<>();
        Set<String> patients = new LinkedHashSet<>();
        Set<String> sites = new LinkedHashSet<>();
        String type = requestDetails.getResourceName(); // null for pages and system-level search/history
        boolean patientData = type != null && patientDataTypes.contains(type);
        if (response instanceof Bundle bundle
                && (interaction.isQuery() || interaction == Interaction.HISTORY_INSTANCE)) {
            for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
                patientData |= collect(entry.getResource(), null, patients, sites);
            }
        } else if (response != null) {
            patientData |= collect(response, resources, patients, sites);
        }
        if (!patientData) {
            return true;
        }
        if (interaction == Interaction.HISTORY_INSTANCE && requestDetails.getId() != null) {
            resources.add(requestDetails.getResourceName() + "/" + requestDetails.getId().getIdPart());
        }
        record(new Access(interaction, null, Caller.of(requestDetails).orElse(null), clientAddress(servletRequest),
                200, null, resources, patients, interaction.isQuery() ? requestDetails.getCompleteUrl() : null, sites));
        return true;
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
    public void auditCreate(IBaseResource resource, RequestDetails requestDetails) {
        auditWrite(Interaction.CREATE, null, resource, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_UPDATED)
    public void auditUpdate(IBaseResource oldResource, IBaseResource newResource, RequestDetails requestDetails) {
        auditWrite(Interaction.UPDATE, oldResource, newResource, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_DELETED)
    public void auditDelete(IBaseResource resource, RequestDetails requestDetails) {
        auditWrite(Interaction.DELETE, null, resource, requestDetails);
    }

    @Hook(Pointcut.SERVER_HANDLE_EXCEPTION)
    public boolean auditFailure(RequestDetails requestDetails, HttpServletRequest servletRequest,
            BaseServerResponseException exception) {
        RestOperationTypeEnum operation = requestDetails == null ? null : requestDetails.getRestOperationType();
        if (operation == RestOperationTypeEnum.METADATA) {
            return true;
        }
        int status = exception.getStatusCode();
        Interaction interaction = Interaction.of(operation);
        String type = requestDetails == null ? null : requestDetails.getResourceName();
        boolean patientData = (type != null && patientDataTypes.contains(type))
                || interaction == Interaction.TRANSACTION || interaction == Interaction.BATCH;
        boolean refused = status == 401 || status == 403;
        if (!refused && (!patientData || interaction == null)) {
            return true;
        }
        Set<String> resources = new LinkedHashSet<>();
        Set<String> patients = new LinkedHashSet<>();
        Set<String> sites = new LinkedHashSet<>();
        IIdType id = requestDetails == null ? null : requestDetails.getId();
        if (type != null && id != null && id.hasIdPart()) {
            String reference = type + "/" + id.getIdPart();
            (type.equals("Patient") ? patients : resources).add(reference);
        }
        String query = interaction != null && interaction.isQuery() ? requestDetails.getCompleteUrl() : null;
        try {
            record(new Access(interaction, null, Caller.of(requestDetails).orElse(null), clientAddress(servletRequest),
                    status, exception.getMessage(), resources, patients, query, sites));
        } catch (RuntimeException e) {
            // The request already failed; the client gets that answer. The lost event is logged.
            log.error("Audit event of a refused or failed request ({} {}) could not be recorded", status, type, e);
        }
        return true;
    }

    private void auditWrite(Interaction kind, IBaseResource oldResource, IBaseResource resource,
            RequestDetails requestDetails) {
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
        Set<String> resources = new LinkedHashSet<>();
        Set<String> patients = new LinkedHashSet<>();
        Set<String> sites = new LinkedHashSet<>();
        collect(resource, resources, patients, sites);
        if (oldResource != null) {
            PatientReferences.collect(oldResource, patients);
        }
        HttpServletRequest servletRequest = requestDetails instanceof ServletRequestDetails s ? s.getServletRequest() : null;
        record(new Access(interaction, within, Caller.of(requestDetails).orElse(null), clientAddress(servletRequest),
                200, null, resources, patients, null, sites));
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

    /** GET entries of a transaction or batch: one event naming the patients they returned. */
    private void auditBundleReads(RequestDetails requestDetails, Interaction within, IBaseResource response,
            HttpServletRequest servletRequest) {
        if (!(requestDetails.getResource() instanceof Bundle request) || !(response instanceof Bundle answer)) {
            return;
        }
        Set<String> resources = new LinkedHashSet<>();
        Set<String> patients = new LinkedHashSet<>();
        Set<String> sites = new LinkedHashSet<>();
        StringJoiner urls = new StringJoiner("\n");
        boolean patientData = false;
        List<Bundle.BundleEntryComponent> entries = request.getEntry();
        for (int i = 0; i < entries.size() && i < answer.getEntry().size(); i++) {
            Bundle.HTTPVerb method = entries.get(i).getRequest().getMethod();
            if (method != Bundle.HTTPVerb.GET && method != Bundle.HTTPVerb.HEAD) {
                continue;
            }
            urls.add(entries.get(i).getRequest().getUrl());
            IBaseResource returned = answer.getEntry().get(i).getResource();
            if (returned instanceof Bundle page) {
                for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                    patientData |= collect(entry.getResource(), null, patients, sites);
                }
            } else {
                patientData |= collect(returned, resources, patients, sites);
            }
        }
        if (patientData) {
            record(new Access(Interaction.SEARCH, within, Caller.of(requestDetails).orElse(null),
                    clientAddress(servletRequest), 200, null, resources, patients, urls.toString(), sites));
        }
    }

    /** Adds the resource (when {@code resources} is given) and its patient; true if it is patient data. */
    private boolean collect(IBaseResource resource, Set<String> resources, Set<String> patients, Set<String> sites) {
        if (resource == null || !patientDataTypes.contains(resource.fhirType())) {
            return false;
        }
        ml.santerurale.interceptors.access.SiteLabels.siteOf(resource).ifPresent(sites::add);
        if (resources != null && resource.getIdElement().hasIdPart()) {
            resources.add(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
        }
        PatientReferences.collect(resource, patients);
        return true;
    }

    private void record(Access access) {
        sink.record(factory.restEvent(access));
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
