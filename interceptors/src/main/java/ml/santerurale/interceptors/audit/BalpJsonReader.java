package ml.santerurale.interceptors.audit;

import ca.uhn.fhir.parser.IParser;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAgentComponent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Reference;

/**
 * Reads back the audit events {@link BalpJson} writes, with Jackson's streaming parser, into the
 * same {@link AuditEvent} HAPI's parser makes of that JSON: the audit drainer reads every event of
 * every request once, and HAPI's generic parser was 38 % of its CPU (JFR, issue 17).
 *
 * <p>It knows only the elements {@link BalpJson} writes, as that class writes them (no
 * primitive extensions, no {@code null}s). JSON with anything else, or anything it cannot read
 * (an unknown code, a number where a string belongs), is read by HAPI's parser instead, which
 * also gives malformed JSON its usual error. That both readers make the same event is pinned by
 * {@code BalpJsonReaderTest}; it does not validate the event.
 */
public final class BalpJsonReader {

    private static final JsonFactory JSON = new JsonFactory();

    /** Something this reader does not know: HAPI's parser reads the JSON instead. */
    private static final class Unknown extends Exception {
        private static final long serialVersionUID = 1L;

        Unknown() {
            super(null, null, false, false);
        }
    }

    private static final Unknown UNKNOWN = new Unknown();

    private BalpJsonReader() {}

    /** The event in {@code json}: read here when it is {@link BalpJson}'s kind, else by {@code fallback}. */
    public static AuditEvent read(String json, IParser fallback) {
        AuditEvent event = readOrNull(json);
        return event != null ? event : fallback.parseResource(AuditEvent.class, json);
    }

    /** The event, or null when this reader does not know every element of the JSON. */
    static AuditEvent readOrNull(String json) {
        try (JsonParser p = JSON.createParser(json)) {
            AuditEvent event = event(p);
            return p.nextToken() == null ? event : null;
        } catch (Unknown | IOException | RuntimeException e) {
            return null;
        }
    }

    private static AuditEvent event(JsonParser p) throws IOException, Unknown {
        start(p.nextToken());
        AuditEvent event = new AuditEvent();
        boolean typed = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "resourceType" -> typed = "AuditEvent".equals(text(p)) || fail();
                case "id" -> event.setId(text(p));
                case "meta" -> meta(p, event.getMeta());
                case "type" -> coding(p, event.getType());
                case "subtype" -> each(p, () -> coding(p, event.addSubtype()));
                case "action" -> event.getActionElement().setValueAsString(text(p));
                case "recorded" -> event.getRecordedElement().setValueAsString(text(p));
                case "outcome" -> event.getOutcomeElement().setValueAsString(text(p));
                case "outcomeDesc" -> event.setOutcomeDesc(text(p));
                case "agent" -> each(p, () -> agent(p, event.addAgent()));
                case "source" -> source(p, event.getSource());
                case "entity" -> each(p, () -> entity(p, event.addEntity()));
                default -> fail();
            }
        }
        if (!typed) {
            fail();
        }
        if (event.getIdElement().hasIdPart()) {
            // As HAPI's parser: the resource type, and the version of meta.versionId.
            event.setIdElement(new IdType("AuditEvent", event.getIdElement().getIdPart(),
                    event.hasMeta() ? event.getMeta().getVersionId() : null));
        }
        return event;
    }

    private static void meta(JsonParser p, Meta meta) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "versionId" -> meta.setVersionId(text(p));
                case "lastUpdated" -> meta.getLastUpdatedElement().setValueAsString(text(p));
                case "security" -> each(p, () -> coding(p, meta.addSecurity()));
                default -> fail();
            }
        });
    }

    private static void agent(JsonParser p, AuditEventAgentComponent agent) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "extension" -> each(p, () -> extension(p, agent));
                case "type" -> concept(p, agent.getType());
                case "role" -> each(p, () -> concept(p, agent.addRole()));
                case "who" -> reference(p, agent.getWho());
                case "altId" -> agent.setAltId(text(p));
                case "name" -> agent.setName(text(p));
                case "requestor" -> agent.setRequestor(bool(p));
                case "policy" -> each(p, () -> agent.addPolicy(text(p)));
                case "network" -> object(p, field -> {
                    switch (field) {
                        case "address" -> agent.getNetwork().setAddress(text(p));
                        case "type" -> agent.getNetwork().getTypeElement().setValueAsString(text(p));
                        default -> fail();
                    }
                });
                default -> fail();
            }
        });
    }

    /** An agent's extension as {@link BalpJson} writes it: a url and an Identifier value. */
    private static void extension(JsonParser p, AuditEventAgentComponent agent) throws IOException, Unknown {
        Extension extension = new Extension();
        object(p, name -> {
            switch (name) {
                case "url" -> extension.setUrl(text(p));
                case "valueIdentifier" -> {
                    Identifier value = new Identifier();
                    identifier(p, value);
                    extension.setValue(value);
                }
                default -> fail();
            }
        });
        if (!extension.hasUrl() || !extension.hasValue()) {
            fail();
        }
        agent.addExtension(extension);
    }

    private static void source(JsonParser p, AuditEvent.AuditEventSourceComponent source) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "site" -> source.setSite(text(p));
                case "observer" -> reference(p, source.getObserver());
                case "type" -> each(p, () -> coding(p, source.addType()));
                default -> fail();
            }
        });
    }

    private static void entity(JsonParser p, AuditEventEntityComponent entity) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "what" -> reference(p, entity.getWhat());
                case "type" -> coding(p, entity.getType());
                case "role" -> coding(p, entity.getRole());
                case "name" -> entity.setName(text(p));
                case "description" -> entity.setDescription(text(p));
                case "query" -> entity.getQueryElement().setValueAsString(text(p));
                default -> fail();
            }
        });
    }

    private static void coding(JsonParser p, Coding coding) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "system" -> coding.setSystem(text(p));
                case "code" -> coding.setCode(text(p));
                case "display" -> coding.setDisplay(text(p));
                default -> fail();
            }
        });
    }

    private static void concept(JsonParser p, CodeableConcept concept) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "coding" -> each(p, () -> coding(p, concept.addCoding()));
                case "text" -> concept.setText(text(p));
                default -> fail();
            }
        });
    }

    private static void reference(JsonParser p, Reference reference) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "reference" -> reference.setReference(text(p));
                case "identifier" -> identifier(p, reference.getIdentifier());
                case "display" -> reference.setDisplay(text(p));
                default -> fail();
            }
        });
    }

    private static void identifier(JsonParser p, Identifier identifier) throws IOException, Unknown {
        object(p, name -> {
            switch (name) {
                case "system" -> identifier.setSystem(text(p));
                case "value" -> identifier.setValue(text(p));
                default -> fail();
            }
        });
    }

    /** Reads a field's value, the parser on its first token. */
    @FunctionalInterface
    private interface FieldReader {
        void read(String name) throws IOException, Unknown;
    }

    /** Reads an array's item, the parser on its first token. */
    @FunctionalInterface
    private interface ItemReader {
        void read() throws IOException, Unknown;
    }

    /** The object the parser is on, field by field. */
    private static void object(JsonParser p, FieldReader field) throws IOException, Unknown {
        start(p.currentToken());
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            field.read(name);
        }
    }

    /** The array the parser is on, item by item. */
    private static void each(JsonParser p, ItemReader item) throws IOException, Unknown {
        array(p);
        while (p.nextToken() != JsonToken.END_ARRAY) {
            item.read();
        }
    }

    private static void start(JsonToken token) throws Unknown {
        if (token != JsonToken.START_OBJECT) {
            fail();
        }
    }

    private static void array(JsonParser p) throws Unknown {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            fail();
        }
    }

    private static String text(JsonParser p) throws IOException, Unknown {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            fail();
        }
        return p.getText();
    }

    private static boolean bool(JsonParser p) throws Unknown {
        if (p.currentToken() == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (p.currentToken() != JsonToken.VALUE_FALSE) {
            fail();
        }
        return false;
    }

    private static boolean fail() throws Unknown {
        throw UNKNOWN;
    }
}
