package ml.santerurale.server.audit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;

/**
 * Keeps the CapabilityStatement truthful about the audit trail: HAPI lists for AuditEvent every
 * search parameter of its registry, and its includes; the trail (served by
 * {@link AuditTrailProvider}) understands exactly the parameters of {@link AuditTrailQuery} and
 * no {@code _include}. Which interactions are listed is the access policy's business
 * ({@code access.CapabilityStatementFromPolicy}), not this class's.
 */
@Interceptor
final class AuditTrailInCapabilityStatement {

    private static final Map<String, SearchParamType> TYPES = Map.ofEntries(
            Map.entry("_id", SearchParamType.TOKEN), Map.entry("patient", SearchParamType.REFERENCE),
            Map.entry("agent", SearchParamType.REFERENCE), Map.entry("agent-name", SearchParamType.STRING),
            Map.entry("altid", SearchParamType.TOKEN),
            Map.entry("entity", SearchParamType.REFERENCE), Map.entry("entity-name", SearchParamType.STRING),
            Map.entry("entity-id", SearchParamType.TOKEN), Map.entry("type", SearchParamType.TOKEN),
            Map.entry("subtype", SearchParamType.TOKEN), Map.entry("action", SearchParamType.TOKEN),
            Map.entry("outcome", SearchParamType.TOKEN), Map.entry("date", SearchParamType.DATE));

    private static final Map<String, String> DOCUMENTATION = Map.of(
            "entity-name", "The whole name of an entity (every entity's name is its reference, Patient/<id>); no prefix match",
            "entity-id", "An entity's identifier, system|value or value: the request id (BALP XrequestId entity, X-Request-ID)"
                    + " and references the trail keeps as logical identifiers",
            "agent", "The reference of an agent's who; agent:identifier=system|value finds a user by token subject",
            "date", "When the event was recorded; prefixes eq, ne, lt, le, gt, ge, sa, eb. Sorted newest first (_sort=-date) by default");

    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void describeTheTrail(IBaseConformance capabilityStatement) {
        if (!(capabilityStatement instanceof CapabilityStatement statement)) {
            return;
        }
        statement.getRest().forEach(rest -> rest.getResource().stream()
                .filter(resource -> "AuditEvent".equals(resource.getType()))
                .forEach(resource -> {
                    resource.getSearchParam().clear();
                    resource.getSearchInclude().clear();
                    resource.getSearchRevInclude().clear();
                    for (String name : AuditTrailQuery.supported()) {
                        resource.addSearchParam().setName(name).setType(TYPES.get(name))
                                .setDocumentation(DOCUMENTATION.get(name));
                    }
                }));
    }
}
