package ml.santerurale.server.fhir;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CanonicalType;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Resource;

/**
 * The JSON HAPI's encoder writes for a stored version (a search match, a change feed entry), made from the stored text instead of
 * encoding the parsed resource again. HAPI stores a version's JSON without its {@code id} and
 * {@code meta} and adds them when it reads the version back; this writes the parsed resource's
 * id and meta (version, last update, source, profiles, security labels, tags, in the order and
 * with the string escaping of HAPI's JSON encoder) in front of the stored elements, which follow
 * them in every FHIR JSON resource.
 *
 * <p>Does not guarantee anything when the stored text could differ from what HAPI's encoder
 * would write, and then answers null (HAPI encodes that resource): a text not in HAPI's stored
 * shape, a meta stored inline (HAPI does so when the meta has extensions), a meta or coding with
 * an id or extensions, a versioned reference (HAPI's encoder strips versions from references),
 * contained resources (only reference data has them).
 * An absolute reference to this server's own base is relativised by HAPI's encoder: the writer
 * ({@link PreEncodedEntries}) checks for the base, which only the request knows.
 * {@code PreEncodedEntriesTest} compares feed and search entries with HAPI's own encoding of them.
 */
public final class StoredJson {

    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

    private StoredJson() {}

    /** HAPI's JSON of {@code resource}, parsed from {@code stored} by HAPI's storage parser, or null. */
    public static String of(IBaseResource resource, String stored) {
        if (!(resource instanceof Resource r) || stored == null || !r.hasIdElement() || r.getIdElement().getIdPart() == null) {
            return null;
        }
        String prefix = "{\"resourceType\":\"" + r.fhirType() + "\"";
        if (!stored.startsWith(prefix) || stored.length() <= prefix.length()) {
            return null;
        }
        char next = stored.charAt(prefix.length());
        boolean empty = next == '}';
        if (!empty && (next != ','
                || stored.startsWith("\"meta\"", prefix.length() + 1) || stored.startsWith("\"id\"", prefix.length() + 1))) {
            return null;
        }
        // HAPI's encoder re-derives contained resources (ids, which ones are referenced): no test
        // compares those here, so they stay HAPI's.
        if (stored.contains("/_history/") || stored.contains("\"contained\"")) {
            return null;
        }
        Meta meta = r.getMeta();
        if (meta.hasId() || meta.hasExtension() || !plain(meta.getSecurity()) || !plain(meta.getTag())
                || meta.getProfile().stream().anyMatch(CanonicalType::hasExtension)
                || meta.getVersionIdElement().hasExtension() || meta.getLastUpdatedElement().hasExtension()
                || meta.getSourceElement().hasExtension()) {
            return null;
        }
        StringBuilder json = new StringBuilder(stored.length() + 256).append(prefix).append(",\"id\":");
        string(json, r.getIdElement().getIdPart());
        if (!meta.isEmpty()) {
            json.append(",\"meta\":{");
            int fields = 0;
            fields = field(json, fields, "versionId", meta.getVersionId());
            fields = field(json, fields, "lastUpdated", meta.getLastUpdatedElement().getValueAsString());
            fields = field(json, fields, "source", meta.getSource());
            if (meta.hasProfile()) {
                json.append(fields++ > 0 ? "," : "").append("\"profile\":[");
                for (int i = 0; i < meta.getProfile().size(); i++) {
                    json.append(i > 0 ? "," : "");
                    string(json, meta.getProfile().get(i).getValue());
                }
                json.append(']');
            }
            fields = codings(json, fields, "security", meta.getSecurity());
            codings(json, fields, "tag", meta.getTag());
            json.append('}');
        }
        if (empty) {
            return json.append('}').toString();
        }
        return json.append(',').append(stored, prefix.length() + 1, stored.length()).toString();
    }

    private static boolean plain(List<Coding> codings) {
        for (Coding coding : codings) {
            if (coding.hasId() || coding.hasExtension() || coding.getSystemElement().hasExtension()
                    || coding.getCodeElement().hasExtension() || coding.getDisplayElement().hasExtension()
                    || coding.getVersionElement().hasExtension() || coding.getUserSelectedElement().hasExtension()) {
                return false;
            }
        }
        return true;
    }

    private static int codings(StringBuilder json, int fields, String name, List<Coding> codings) {
        if (codings.isEmpty()) {
            return fields;
        }
        json.append(fields > 0 ? "," : "").append('"').append(name).append("\":[");
        for (int i = 0; i < codings.size(); i++) {
            Coding coding = codings.get(i);
            json.append(i > 0 ? ",{" : "{");
            int inner = 0;
            inner = field(json, inner, "system", coding.getSystem());
            inner = field(json, inner, "version", coding.getVersion());
            inner = field(json, inner, "code", coding.getCode());
            inner = field(json, inner, "display", coding.getDisplay());
            if (coding.hasUserSelected()) {
                json.append(inner > 0 ? "," : "").append("\"userSelected\":").append(coding.getUserSelected());
            }
            json.append('}');
        }
        json.append(']');
        return fields + 1;
    }

    private static int field(StringBuilder json, int fields, String name, String value) {
        if (value == null || value.isEmpty()) {
            return fields;
        }
        json.append(fields > 0 ? "," : "").append('"').append(name).append("\":");
        string(json, value);
        return fields + 1;
    }

    static void string(StringBuilder json, String value) {
        json.append('"');
        STRINGS.quoteAsString(value, json);
        json.append('"');
    }
}
