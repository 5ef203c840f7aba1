package ml.santerurale.interceptors.audit;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentNetworkType;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import ml.santerurale.interceptors.smart.SmartScope;

/**
 * Shapes audit events after IHE BALP (Basic Audit Log Patterns), R4:
 * <ul>
 *   <li>{@code type} = audit-event-type {@code rest}; {@code subtype} = the restful-interaction
 *       code (read, vread, search-type, history-instance, create, update, delete...), plus
 *       {@code transaction} or {@code batch} for a Bundle entry; {@code action} C/R/U/D/E;
 *       {@code recorded}; {@code outcome} 0 (success), 4 (refused or failed, 4xx), 8 (server
 *       error, 5xx) with {@code outcomeDesc} = the HTTP status and message.</li>
 *   <li>{@code agent[0]}: the user, {@code requestor = true}: {@code who.identifier} = the token
 *       subject ({@value #SUBJECT_SYSTEM}), {@code who.display}, {@code altId} and {@code name} =
 *       the username, {@code role} = realm roles ({@value #ROLE_SYSTEM}), {@code network.address} =
 *       the client IP. The user's sites are repeated extensions {@value #SITE_EXTENSION} with a
 *       {@code valueIdentifier} in the sites catalogue's code system ({@value #SITE_CODE_SYSTEM}):
 *       agent.location holds only one site and agent.policy is for authorisations.</li>
 *   <li>{@code agent[1]}: the client application (the token's {@code azp}, {@value #CLIENT_SYSTEM});
 *       when the token holds SMART on FHIR resource scopes, {@code policy} lists every scope the
 *       token was granted (the authorisation the access ran under).</li>
 *   <li>{@code source.observer}: this server (a configurable display).</li>
 *   <li>{@code entity[]}: each patient (role 1 Patient, type 1 Person), each other resource
 *       touched (role 4 Domain Resource, type 2 System Object), for searches the query
 *       (role 24 Query, {@code query} = the search URL, base64 as FHIR encodes base64Binary), and
 *       the request's id (BALP entity type {@code XrequestId}, {@code what.identifier.value} =
 *       the {@code X-Request-ID}), which ties together the events of one request.</li>
 *   <li>{@code meta.security}: the site label of the site whose partition stores the event, if
 *       any (chosen by {@link AuditCapture}); without one the event is national.</li>
 * </ul>
 * Does not decide what is audited nor where it is stored (that is {@link AuditCapture}), and
 * stores nothing.
 */
public final class AuditEventFactory {

    public static final String SUBJECT_SYSTEM = "https://sante-rurale.ml/fhir/sid/oidc-subject";
    public static final String CLIENT_SYSTEM = "https://sante-rurale.ml/fhir/sid/oidc-client";
    public static final String ROLE_SYSTEM = "https://sante-rurale.ml/fhir/CodeSystem/realm-role";
    public static final String SITE_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/audit-agent-site";
    public static final String SITE_CODE_SYSTEM = "https://sante-rurale.ml/fhir/sid/site-code";

    static final String EVENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-event-type";
    static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";
    static final String SECURITY_ROLE_TYPE = "http://terminology.hl7.org/CodeSystem/extra-security-role-type";
    static final String ENTITY_TYPE = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
    static final String OBJECT_ROLE = "http://terminology.hl7.org/CodeSystem/object-role";
    static final String SOURCE_TYPE = "http://terminology.hl7.org/CodeSystem/security-source-type";
    public static final String BALP_ENTITY_TYPE = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType";

    private final String observer;
    private final Clock clock;

    public AuditEventFactory(String observer, Clock clock) {
        if (observer == null || observer.isBlank()) {
            throw new IllegalArgumentException("The audit observer (this server's name) is required");
        }
        this.observer = observer;
        this.clock = clock;
    }

    AuditEvent restEvent(Access access) {
        AuditEvent event = newEvent(new Coding(EVENT_TYPE_SYSTEM, "rest", "Restful Operation"), clock.instant());
        if (access.interaction() != null) {
            event.addSubtype(new Coding(Interaction.SYSTEM, access.interaction().code, null));
        }
        if (access.within() != null) {
            event.addSubtype(new Coding(Interaction.SYSTEM, access.within().code, null));
        }
        event.setAction(AuditEvent.AuditEventAction.fromCode(
                access.interaction() == null ? "E" : access.interaction().action));
        outcome(event, access.status(), access.failure());
        user(event.addAgent(), access.caller(), access.clientAddress());
        if (access.site() != null) {
            ml.santerurale.interceptors.access.SiteLabels.stamp(event, access.site());
        }
        if (access.caller() != null) {
            AuditEventAgentComponent client = event.addAgent()
                    .setType(new CodeableConcept(new Coding(DCM, "110153", "Source Role ID")))
                    .setWho(new Reference().setIdentifier(new Identifier().setSystem(CLIENT_SYSTEM)
                            .setValue(access.caller().clientId())).setDisplay(access.caller().clientId()))
                    .setRequestor(false);
            if (access.caller().scopes().stream().anyMatch(SmartScope::isResourceScope)) {
                access.caller().scopes().stream().sorted().forEach(client::addPolicy);
            }
        }
        for (String patient : access.patients()) {
            entity(event, patient, "1", "Person", "1", "Patient");
        }
        for (String resource : access.resources()) {
            if (!access.patients().contains(resource)) {
                entity(event, resource, "2", "System Object", "4", "Domain Resource");
            }
        }
        if (access.query() != null) {
            event.addEntity()
                    .setType(new Coding(ENTITY_TYPE, "2", "System Object"))
                    .setRole(new Coding(OBJECT_ROLE, "24", "Query"))
                    .setQuery(access.query().getBytes(StandardCharsets.UTF_8));
        }
        if (access.requestId() != null) {
            event.addEntity()
                    .setType(new Coding(BALP_ENTITY_TYPE, "XrequestId", "X-Request-Id"))
                    .setWhat(new Reference().setIdentifier(new Identifier().setValue(access.requestId())));
        }
        return event;
    }

    /**
     * The record of a retention purge: {@code count} audit events recorded before {@code cutoff}
     * were deleted by this server. The server itself is the requestor.
     */
    public AuditEvent purgeEvent(Instant cutoff, int count, String failure) {
        AuditEvent event = newEvent(new Coding(DCM, "110101", "Audit Log Used"), clock.instant());
        event.addSubtype(new Coding(Interaction.SYSTEM, "delete", null));
        event.setAction(AuditEvent.AuditEventAction.D);
        event.setOutcome(failure == null ? AuditEvent.AuditEventOutcome._0 : AuditEvent.AuditEventOutcome._8);
        event.setOutcomeDesc("Retention purge: " + count + " AuditEvent(s) recorded before " + cutoff + " deleted"
                + (failure == null ? "" : "; stopped: " + failure));
        event.addAgent()
                .setType(new CodeableConcept(new Coding(DCM, "110150", "Application")))
                .setWho(new Reference().setDisplay(observer))
                .setRequestor(true);
        event.addEntity()
                .setType(new Coding(ENTITY_TYPE, "2", "System Object"))
                .setRole(new Coding(OBJECT_ROLE, "24", "Query"))
                .setDescription("AuditEvent recorded before " + cutoff + ": " + count + " deleted")
                .setQuery(("AuditEvent?date=lt" + cutoff).getBytes(StandardCharsets.UTF_8));
        return event;
    }

    private AuditEvent newEvent(Coding type, Instant recorded) {
        AuditEvent event = new AuditEvent();
        event.setType(type);
        event.setRecorded(Date.from(recorded));
        event.getSource()
                .setSite(observer)
                .setObserver(new Reference().setDisplay(observer))
                .addType(new Coding(SOURCE_TYPE, "4", "Application Server"));
        return event;
    }

    private static void outcome(AuditEvent event, int status, String failure) {
        if (status < 400 && failure == null) {
            event.setOutcome(AuditEvent.AuditEventOutcome._0);
            return;
        }
        event.setOutcome(status >= 500 ? AuditEvent.AuditEventOutcome._8 : AuditEvent.AuditEventOutcome._4);
        String message = failure == null ? "" : failure.length() > 500 ? failure.substring(0, 500) + "..." : failure;
        event.setOutcomeDesc("HTTP " + status + (message.isEmpty() ? "" : ": " + message));
    }

    private static void user(AuditEventAgentComponent agent, Caller caller, String clientAddress) {
        agent.setType(new CodeableConcept(new Coding(SECURITY_ROLE_TYPE, "humanuser", "human user")));
        agent.setRequestor(true);
        if (caller == null) {
            agent.setWho(new Reference().setDisplay("unauthenticated"));
        } else {
            agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(SUBJECT_SYSTEM)
                    .setValue(caller.subject())).setDisplay(caller.username()));
            agent.setAltId(caller.username());
            agent.setName(caller.username());
            caller.roles().stream().sorted()
                    .forEach(role -> agent.addRole(new CodeableConcept(new Coding(ROLE_SYSTEM, role, null))));
            caller.siteIds().stream().sorted().forEach(site -> agent.addExtension(SITE_EXTENSION,
                    new Identifier().setSystem(SITE_CODE_SYSTEM).setValue(site)));
        }
        if (clientAddress != null) {
            agent.getNetwork().setAddress(clientAddress).setType(AuditEventAgentNetworkType._2);
        }
    }

    private static void entity(AuditEvent event, String reference, String typeCode, String typeDisplay,
            String roleCode, String roleDisplay) {
        AuditEventEntityComponent entity = event.addEntity()
                .setWhat(new Reference(reference))
                .setType(new Coding(ENTITY_TYPE, typeCode, typeDisplay))
                .setRole(new Coding(OBJECT_ROLE, roleCode, roleDisplay));
        entity.setName(reference);
    }
}
