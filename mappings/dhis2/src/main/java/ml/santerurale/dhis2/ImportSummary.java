package ml.santerurale.dhis2;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * What DHIS2 answered to a dataValueSet: the ImportSummary's status ({@code SUCCESS},
 * {@code WARNING}, {@code ERROR}), counts and conflicts, read from the envelope of DHIS2 2.36+
 * ({@code {"httpStatus":…, "response": {"responseType": "ImportSummary", …}}}) or a bare summary.
 *
 * @param conflicts each as {@code object: value} (e.g. {@code PH_X: Data element not found or not accessible})
 */
public record ImportSummary(String status, int imported, int updated, int ignored, int deleted, List<String> conflicts) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public ImportSummary {
        conflicts = List.copyOf(conflicts);
    }

    /** The summary in {@code body}, or null when the body is none (an HTML error page, a proxy's text). */
    public static ImportSummary parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
        JsonNode summary = root.path("response").isObject() ? root.path("response") : root;
        if (!summary.has("status") || !summary.has("importCount")) {
            return null;
        }
        JsonNode count = summary.path("importCount");
        List<String> conflicts = new ArrayList<>();
        for (JsonNode conflict : summary.path("conflicts")) {
            conflicts.add(conflict.path("object").asText("") + ": " + conflict.path("value").asText(""));
        }
        return new ImportSummary(summary.path("status").asText(), count.path("imported").asInt(), count.path("updated").asInt(),
                count.path("ignored").asInt(), count.path("deleted").asInt(), conflicts);
    }
}
