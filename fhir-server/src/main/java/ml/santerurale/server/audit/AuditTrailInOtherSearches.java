package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import ml.santerurale.interceptors.access.AuditReach;
import ml.santerurale.interceptors.access.SitePartitioning;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The audit trail as other types' searches reach it, now that it is not in HAPI's index:
 * {@code _revinclude=AuditEvent:patient}, {@code AuditEvent:entity} (and {@code *}) on a search
 * of another type add, to each page, the events within the caller's {@link AuditReach} that name
 * the page's matches (newest first, at most {@value #MOST} a page); {@code _has:AuditEvent…} is
 * refused (400) rather than answered as if no event existed.
 *
 * <p>Runs after the role matrix and the SMART scopes have allowed the search to reach
 * AuditEvent (a caller who may not is refused 403 before). Does not guarantee: revincluded events
 * on pages after the first (HAPI's page links do not carry {@code _revinclude} to this hook), nor
 * {@code :iterate} beyond one level.
 */
@Interceptor
final class AuditTrailInOtherSearches {

    static final int MOST = 1000;
    private static final String AUDIT_EVENT = "AuditEvent";

    private final AuditEventStore store;
    private final SitePartitioning sites;
    private final FhirContext fhirContext;

    AuditTrailInOtherSearches(AuditEventStore store, SitePartitioning sites, FhirContext fhirContext) {
        this.store = store;
        this.sites = sites;
        this.fhirContext = fhirContext;
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = 200)
    public void refuseFiltersThroughTheTrail(RequestDetails request, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.SEARCH_TYPE && operation != RestOperationTypeEnum.SEARCH_SYSTEM
                || AUDIT_EVENT.equals(request.getResourceName())) {
            return;
        }
        if (request.getParameters().keySet().stream().anyMatch(name -> name.startsWith("_has:AuditEvent:"))) {
            String message = "Filtering a search through the audit trail (_has:AuditEvent) is not supported:"
                    + " search AuditEvent itself (e.g. AuditEvent?patient=<id>)";
            OperationOutcome outcome = new OperationOutcome();
            outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.NOTSUPPORTED).setDiagnostics(message);
            throw new InvalidRequestException(message, outcome);
        }
    }

    @Hook(Pointcut.SERVER_OUTGOING_RESPONSE)
    public boolean addRevincludedEvents(RequestDetails request, IBaseResource response) {
        if (!(response instanceof Bundle bundle) || request.getRestOperationType() != RestOperationTypeEnum.SEARCH_TYPE
                || AUDIT_EVENT.equals(request.getResourceName())) {
            return true;
        }
        Set<String> prefixes = revincludedKeys(request.getParameters());
        if (prefixes.isEmpty()) {
            return true;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            if (entry.getResource() != null && entry.getSearch().getMode() != Bundle.SearchEntryMode.INCLUDE) {
                String reference = entry.getResource().fhirType() + "/" + entry.getResource().getIdElement().getIdPart();
                prefixes.stream().filter(p -> !"patient".equals(p) || reference.startsWith("Patient/"))
                        .forEach(p -> keys.add(p + ":" + reference));
            }
        }
        if (keys.isEmpty()) {
            return true;
        }
        AuditReach reach;
        try {
            reach = sites.auditReach(request);
        } catch (BaseServerResponseException noReach) {
            return true; // a wildcard reached the trail for a caller who may not read it: nothing to add
        }
        AuditTrailQuery query = AuditTrailQuery.naming(keys, reach);
        String base = request.getFhirServerBase();
        List<IBaseResource> events = store.search(query, Long.MAX_VALUE, 0, MOST).stream()
                .map(json -> (IBaseResource) fhirContext.newJsonParser().parseResource(AuditEvent.class, json)).toList();
        for (IBaseResource event : AuditTrailProvider.shown(events, request)) {
            bundle.addEntry().setFullUrl(base + "/AuditEvent/" + event.getIdElement().getIdPart()).setResource((AuditEvent) event)
                    .getSearch().setMode(Bundle.SearchEntryMode.INCLUDE);
        }
        return true;
    }

    /** The key prefixes of the trail's revincludes asked for: {@code patient}, {@code entity}. */
    private static Set<String> revincludedKeys(Map<String, String[]> parameters) {
        Set<String> prefixes = new LinkedHashSet<>();
        for (String name : List.of("_revinclude", "_revinclude:iterate", "_revinclude:recurse")) {
            for (String value : parameters.getOrDefault(name, new String[0])) {
                for (String include : Arrays.asList(value.split(","))) {
                    switch (include.trim()) {
                        case "*", "AuditEvent:*", "AuditEvent:entity" -> prefixes.add("entity");
                        case "AuditEvent:patient" -> prefixes.add("patient");
                        default -> { }
                    }
                }
            }
        }
        if (prefixes.contains("entity")) {
            prefixes.remove("patient"); // every patient key is also an entity key
        }
        return prefixes;
    }
}
