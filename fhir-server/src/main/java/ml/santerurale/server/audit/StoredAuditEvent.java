package ml.santerurale.server.audit;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;

/**
 * One row of {@code srm_audit_event}: the event's id, the site it is stored with ({@code ""} for
 * the national trail), when it was recorded, the values it is searched by ({@code parameter:value},
 * see {@link #keysOf}) and its JSON as served.
 *
 * <p>Does not check the event: whatever {@link AuditEvent} it is given is stored as it is.
 */
record StoredAuditEvent(String id, String site, Instant recorded, List<String> searchKeys, String json) {

    /**
     * The search keys of an event, one per searchable value: {@code patient:Patient/<id>} and
     * {@code entity:<Type/id>} for each entity reference, {@code entity-name:}, {@code entity-id:}
     * (value, and system|value: the BALP XrequestId entity makes the request id searchable),
     * {@code agent:<reference>}, {@code agent-id:}, {@code agent-name:}, {@code altid:}, {@code type:}, {@code subtype:}
     * (code, and system|code), {@code action:}, {@code outcome:}.
     */
    static List<String> keysOf(AuditEvent event) {
        Set<String> keys = new LinkedHashSet<>();
        if (event.hasType()) {
            coding(keys, "type", event.getType());
        }
        event.getSubtype().forEach(subtype -> coding(keys, "subtype", subtype));
        if (event.hasAction()) {
            keys.add("action:" + event.getAction().toCode());
        }
        if (event.hasOutcome()) {
            keys.add("outcome:" + event.getOutcome().toCode());
        }
        for (AuditEvent.AuditEventAgentComponent agent : event.getAgent()) {
            if (agent.getWho().hasReference()) {
                keys.add("agent:" + agent.getWho().getReference());
            }
            identifier(keys, "agent-id", agent.getWho().getIdentifier());
            if (agent.hasName()) {
                keys.add("agent-name:" + agent.getName());
            }
            if (agent.hasAltId()) {
                keys.add("altid:" + agent.getAltId());
            }
        }
        for (AuditEvent.AuditEventEntityComponent entity : event.getEntity()) {
            String reference = entity.getWhat().getReference();
            if (reference != null) {
                keys.add("entity:" + reference);
                if (reference.startsWith("Patient/")) {
                    keys.add("patient:" + reference);
                }
            }
            identifier(keys, "entity-id", entity.getWhat().getIdentifier());
            if (entity.hasName()) {
                keys.add("entity-name:" + entity.getName());
            }
        }
        return List.copyOf(keys);
    }

    private static void coding(Set<String> keys, String parameter, Coding coding) {
        if (coding.hasCode()) {
            keys.add(parameter + ":" + coding.getCode());
            if (coding.hasSystem()) {
                keys.add(parameter + ":" + coding.getSystem() + "|" + coding.getCode());
            }
        }
    }

    private static void identifier(Set<String> keys, String parameter, Identifier identifier) {
        if (identifier.hasValue()) {
            keys.add(parameter + ":" + identifier.getValue());
            if (identifier.hasSystem()) {
                keys.add(parameter + ":" + identifier.getSystem() + "|" + identifier.getValue());
            }
        }
    }
}
