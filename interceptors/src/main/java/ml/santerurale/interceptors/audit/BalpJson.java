package ml.santerurale.interceptors.audit;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Predicate;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Element;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.PrimitiveType;
import org.hl7.fhir.r4.model.Reference;

/**
 * Encodes the audit events this server makes ({@link AuditEventFactory}, plus the id, version and
 * unresolved references the audit store adds) to the same JSON as HAPI's parser, element for
 * element and in the same order, written straight with Jackson instead of through HAPI's model
 * walk: HAPI's encoder was the largest part of the audit trail's cost (issue 17: the request
 * thread's encoding was 7 % of a read's CPU samples, the store's re-encoding 59 % of the audit
 * drainer's).
 *
 * <p>It knows only the elements those events use. An event with any other element, extension or
 * primitive extension ({@link #canEncode}) is given to HAPI's parser instead, so nothing is ever
 * dropped; that a known event encodes exactly as HAPI encodes it is pinned by BalpJsonTest.
 */
public final class BalpJson {

    private static final JsonFactory JSON = new JsonFactory();

    private BalpJson() {}

    /** The event as JSON: written here when {@link #canEncode} says so, else by {@code fallback}. */
    public static String encode(AuditEvent event, IParser fallback) {
        if (!canEncode(event)) {
            return fallback.encodeResourceToString(event);
        }
        StringWriter out = new StringWriter(2_048);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(json, event);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static final String START = "{\"resourceType\":\"AuditEvent\",";
    private static final java.util.regex.Pattern PLAIN_ID = java.util.regex.Pattern.compile("[A-Za-z0-9\\-.]{1,64}");

    /**
     * An event's JSON, as this class or HAPI's encoder wrote it, with the id {@code id},
     * {@code meta.versionId} 1 and {@code meta.lastUpdated} added where both encoders write them:
     * the JSON of the same event with those three set, without encoding it again (the audit
     * drainer stores every event so). Null when the JSON already has an id, or a meta that holds
     * anything before its security labels (those would go before the additions), or when the id
     * would need escaping: the caller then encodes the event.
     */
    public static String withIdAndVersion(String json, String id, InstantType lastUpdated) {
        if (!json.startsWith(START) || !PLAIN_ID.matcher(id).matches() || !lastUpdated.hasValue()) {
            return null;
        }
        String head = START + "\"id\":\"" + id + "\",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\""
                + lastUpdated.getValueAsString() + "\"";
        if (json.startsWith("\"meta\":{\"security\":[", START.length())) {
            return head + "," + json.substring(START.length() + "\"meta\":{".length());
        }
        if (json.startsWith("\"meta\":", START.length()) || json.startsWith("\"id\":", START.length())
                || json.startsWith("}", START.length())) {
            return null;
        }
        return head + "}," + json.substring(START.length());
    }

    /** Whether every element of the event is one this encoder writes. */
    static boolean canEncode(AuditEvent event) {
        if (event.hasImplicitRules() || event.hasLanguage() || event.hasText() || event.hasContained()
                || event.hasExtension() || event.hasModifierExtension() || event.hasPeriod()
                || event.hasPurposeOfEvent() || event.getIdElement().hasVersionIdPart()
                || !plain(event.getRecordedElement())
                || !plain(event.getActionElement()) || !plain(event.getOutcomeElement())
                || !plain(event.getOutcomeDescElement()) || !plain(event.getType())) {
            return false;
        }
        if (event.hasMeta() && !canEncode(event.getMeta())) {
            return false;
        }
        AuditEvent.AuditEventSourceComponent source = event.getSource();
        if (source.hasExtension() || source.hasModifierExtension() || source.hasId() || !plain(source.getSiteElement())
                || !plain(source.getObserver())) {
            return false;
        }
        return all(event.getSubtype(), BalpJson::plain) && all(event.getAgent(), BalpJson::canEncode)
                && all(source.getType(), BalpJson::plain) && all(event.getEntity(), BalpJson::canEncode);
    }

    private static boolean canEncode(AuditEventEntityComponent entity) {
        return !entity.hasExtension() && !entity.hasModifierExtension() && !entity.hasId() && !entity.hasLifecycle()
                && !entity.hasSecurityLabel() && !entity.hasDetail() && plain(entity.getWhat())
                && plain(entity.getType()) && plain(entity.getRole()) && plain(entity.getNameElement())
                && plain(entity.getDescriptionElement()) && plain(entity.getQueryElement());
    }

    private static <T> boolean all(List<T> items, Predicate<T> plain) {
        for (T item : items) {
            if (!plain.test(item)) {
                return false;
            }
        }
        return true;
    }

    private static boolean canEncode(Meta meta) {
        return !meta.hasExtension() && !meta.hasId() && !meta.hasProfile() && !meta.hasTag() && !meta.hasSource()
                && plain(meta.getVersionIdElement()) && plain(meta.getLastUpdatedElement())
                && all(meta.getSecurity(), BalpJson::plain);
    }

    private static boolean canEncode(AuditEventAgentComponent agent) {
        if (agent.hasModifierExtension() || agent.hasId() || agent.hasLocation() || agent.hasMedia()
                || agent.hasPurposeOfUse() || !plain(agent.getType()) || !plain(agent.getWho())
                || !plain(agent.getAltIdElement()) || !plain(agent.getNameElement()) || !plain(agent.getRequestorElement())) {
            return false;
        }
        if (!all(agent.getExtension(), extension -> !extension.hasExtension() && !extension.hasId()
                && extension.getValue() instanceof Identifier identifier && plain(identifier))
                || !all(agent.getRole(), BalpJson::plain) || !all(agent.getPolicy(), BalpJson::plain)) {
            return false;
        }
        AuditEvent.AuditEventAgentNetworkComponent network = agent.getNetwork();
        return !network.hasExtension() && !network.hasModifierExtension() && !network.hasId()
                && plain(network.getAddressElement()) && plain(network.getTypeElement());
    }

    /** No id and no extension on the element itself. */
    private static boolean bare(Element element) {
        return element == null || (!element.hasId() && !element.hasExtension());
    }

    private static boolean plain(PrimitiveType<?> primitive) {
        return bare(primitive);
    }

    private static boolean plain(Coding coding) {
        return coding == null || (bare(coding) && !coding.hasVersion() && !coding.hasUserSelected()
                && plain(coding.getSystemElement()) && plain(coding.getCodeElement()) && plain(coding.getDisplayElement()));
    }

    private static boolean plain(CodeableConcept concept) {
        if (concept == null) {
            return true;
        }
        return bare(concept) && plain(concept.getTextElement()) && all(concept.getCoding(), BalpJson::plain);
    }

    private static boolean plain(Identifier identifier) {
        return identifier == null || (bare(identifier) && !identifier.hasUse() && !identifier.hasType()
                && !identifier.hasPeriod() && !identifier.hasAssigner() && plain(identifier.getSystemElement())
                && plain(identifier.getValueElement()));
    }

    private static boolean plain(Reference reference) {
        return reference == null || (bare(reference) && !reference.hasType() && plain(reference.getReferenceElement_())
                && plain(reference.getIdentifier()) && plain(reference.getDisplayElement()));
    }

    // ---- writing, in the order of HAPI's encoder (the order of the elements' definitions) ----

    private static void write(JsonGenerator json, AuditEvent event) throws IOException {
        json.writeStartObject();
        json.writeStringField("resourceType", "AuditEvent");
        if (event.getIdElement().hasIdPart()) {
            json.writeStringField("id", event.getIdElement().getIdPart());
        }
        if (event.hasMeta() && !event.getMeta().isEmpty()) {
            Meta meta = event.getMeta();
            json.writeObjectFieldStart("meta");
            string(json, "versionId", meta.getVersionIdElement());
            string(json, "lastUpdated", meta.getLastUpdatedElement());
            codings(json, "security", meta.getSecurity());
            json.writeEndObject();
        }
        coding(json, "type", event.hasType() ? event.getType() : null);
        codings(json, "subtype", event.getSubtype());
        string(json, "action", event.getActionElement());
        string(json, "recorded", event.getRecordedElement());
        string(json, "outcome", event.getOutcomeElement());
        string(json, "outcomeDesc", event.getOutcomeDescElement());
        if (event.hasAgent()) {
            json.writeArrayFieldStart("agent");
            for (AuditEventAgentComponent agent : event.getAgent()) {
                agent(json, agent);
            }
            json.writeEndArray();
        }
        if (event.hasSource()) {
            AuditEvent.AuditEventSourceComponent source = event.getSource();
            json.writeObjectFieldStart("source");
            string(json, "site", source.getSiteElement());
            reference(json, "observer", source.hasObserver() ? source.getObserver() : null);
            codings(json, "type", source.getType());
            json.writeEndObject();
        }
        if (event.hasEntity()) {
            json.writeArrayFieldStart("entity");
            for (AuditEventEntityComponent entity : event.getEntity()) {
                if (entity.isEmpty()) {
                    continue;
                }
                json.writeStartObject();
                reference(json, "what", entity.hasWhat() ? entity.getWhat() : null);
                coding(json, "type", entity.hasType() ? entity.getType() : null);
                coding(json, "role", entity.hasRole() ? entity.getRole() : null);
                string(json, "name", entity.getNameElement());
                string(json, "description", entity.getDescriptionElement());
                string(json, "query", entity.getQueryElement());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static void agent(JsonGenerator json, AuditEventAgentComponent agent) throws IOException {
        if (agent.isEmpty()) {
            return;
        }
        json.writeStartObject();
        if (agent.hasExtension()) {
            json.writeArrayFieldStart("extension");
            for (Extension extension : agent.getExtension()) {
                json.writeStartObject();
                json.writeStringField("url", extension.getUrl());
                identifier(json, "valueIdentifier", (Identifier) extension.getValue());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        concept(json, "type", agent.hasType() ? agent.getType() : null);
        if (agent.hasRole()) {
            json.writeArrayFieldStart("role");
            for (CodeableConcept role : agent.getRole()) {
                if (!role.isEmpty()) {
                    conceptObject(json, role);
                }
            }
            json.writeEndArray();
        }
        reference(json, "who", agent.hasWho() ? agent.getWho() : null);
        string(json, "altId", agent.getAltIdElement());
        string(json, "name", agent.getNameElement());
        if (agent.hasRequestorElement() && agent.getRequestorElement().hasValue()) {
            json.writeBooleanField("requestor", agent.getRequestor());
        }
        if (agent.hasPolicy()) {
            json.writeArrayFieldStart("policy");
            for (PrimitiveType<?> policy : agent.getPolicy()) {
                if (policy.hasValue()) {
                    json.writeString(policy.getValueAsString());
                }
            }
            json.writeEndArray();
        }
        if (agent.hasNetwork()) {
            json.writeObjectFieldStart("network");
            string(json, "address", agent.getNetwork().getAddressElement());
            string(json, "type", agent.getNetwork().getTypeElement());
            json.writeEndObject();
        }
        json.writeEndObject();
    }

    private static void string(JsonGenerator json, String name, PrimitiveType<?> value) throws IOException {
        if (value != null && value.hasValue()) {
            json.writeStringField(name, value.getValueAsString());
        }
    }

    private static void coding(JsonGenerator json, String name, Coding coding) throws IOException {
        if (coding != null && !coding.isEmpty()) {
            json.writeFieldName(name);
            codingObject(json, coding);
        }
    }

    private static void codings(JsonGenerator json, String name, List<Coding> codings) throws IOException {
        if (codings.stream().anyMatch(c -> !c.isEmpty())) {
            json.writeArrayFieldStart(name);
            for (Coding coding : codings) {
                if (!coding.isEmpty()) {
                    codingObject(json, coding);
                }
            }
            json.writeEndArray();
        }
    }

    private static void codingObject(JsonGenerator json, Coding coding) throws IOException {
        json.writeStartObject();
        string(json, "system", coding.getSystemElement());
        string(json, "code", coding.getCodeElement());
        string(json, "display", coding.getDisplayElement());
        json.writeEndObject();
    }

    private static void concept(JsonGenerator json, String name, CodeableConcept concept) throws IOException {
        if (concept != null && !concept.isEmpty()) {
            json.writeFieldName(name);
            conceptObject(json, concept);
        }
    }

    private static void conceptObject(JsonGenerator json, CodeableConcept concept) throws IOException {
        json.writeStartObject();
        codings(json, "coding", concept.getCoding());
        string(json, "text", concept.getTextElement());
        json.writeEndObject();
    }

    private static void reference(JsonGenerator json, String name, Reference reference) throws IOException {
        if (reference == null || reference.isEmpty()) {
            return;
        }
        json.writeObjectFieldStart(name);
        string(json, "reference", reference.getReferenceElement_());
        identifier(json, "identifier", reference.hasIdentifier() ? reference.getIdentifier() : null);
        string(json, "display", reference.getDisplayElement());
        json.writeEndObject();
    }

    private static void identifier(JsonGenerator json, String name, Identifier identifier) throws IOException {
        if (identifier == null || identifier.isEmpty()) {
            return;
        }
        json.writeObjectFieldStart(name);
        string(json, "system", identifier.getSystemElement());
        string(json, "value", identifier.getValueElement());
        json.writeEndObject();
    }
}
