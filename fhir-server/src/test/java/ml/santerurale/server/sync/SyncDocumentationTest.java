package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Plays the worked example of docs/SYNC.md against the server: the document says what the server does. */
class SyncDocumentationTest extends ServerIntegrationTest {

    private static final Pattern UUID_PATTERN = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern EXAMPLE = Pattern.compile("<!-- example: ([a-z-]+) -->\\s*```json\\n(.*?)\\n```", Pattern.DOTALL);

    private final ObjectMapper json = new ObjectMapper();

    @Autowired
    JdbcTemplate jdbc;
    private final Map<String, String> freshIds = new HashMap<>();

    @Test
    void workedExamplePlaysAsDocumented() throws IOException, InterruptedException {
        Map<String, String> examples = examples();
        assertThat(examples).containsKeys("push-request", "push-response", "conflict-request", "conflict-response",
                "reuse-response", "feed-response");

        HttpResponse<String> pushed = postJson("", examples.get("push-request"));
        assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(200);
        assertContains(examples.get("push-response"), pushed.body());

        HttpResponse<String> retried = postJson("", examples.get("push-request"));
        assertThat(retried.statusCode()).isEqualTo(200);
        assertThat(retried.headers().firstValue("X-Sync-Replayed")).contains("true");
        assertContains(examples.get("push-response"), retried.body());

        FeedHorizon.awaitPastEveryChange(jdbc);
        String since = firstSync();

        String patientId = fresh("6f0b2f6e-1a2b-4c3d-8e9f-0a1b2c3d4e5f");
        Patient byColleague = parse(Patient.class, get("/Patient/" + patientId).body());
        byColleague.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+223 70 00 00 01");
        assertThat(putJson("/Patient/" + patientId, json(byColleague)).statusCode()).isEqualTo(200);

        HttpResponse<String> conflict = postJson("", examples.get("conflict-request"));
        assertThat(conflict.statusCode()).as(conflict.body()).isEqualTo(412);
        assertContains(examples.get("conflict-response"), conflict.body());
        assertThat(parse(Patient.class, get("/Patient/" + patientId).body()).getMeta().getVersionId()).isEqualTo("2");

        HttpResponse<String> reused = postJson("", examples.get("push-request").replace("\"Aminata\"", "\"Aminatou\""));
        assertThat(reused.statusCode()).isEqualTo(422);
        assertContains(examples.get("reuse-response"), reused.body());

        String encounterId = fresh("c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f");
        assertThat(send(request("/Encounter/" + encounterId).DELETE()).statusCode()).isEqualTo(200);
        Patient corrected = parse(Patient.class, get("/Patient/" + patientId).body());
        corrected.getNameFirstRep().addGiven("Awa");
        assertThat(putJson("/Patient/" + patientId, json(corrected)).statusCode()).isEqualTo(200);

        FeedHorizon.awaitPastEveryChange(jdbc);
        HttpResponse<String> feed = get("/_history?_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8) + "&_count=2");
        assertThat(feed.statusCode()).isEqualTo(200);
        ObjectNode documented = (ObjectNode) json.readTree(examples.get("feed-response"));
        ((ObjectNode) documented.get("meta")).remove("lastUpdated");
        documented.remove("link");
        assertSubset(documented, json.readTree(feed.body()), "$");
        Bundle page = parse(Bundle.class, feed.body());
        assertThat(page.getMeta().getLastUpdated()).isNotNull();
        assertThat(page.getLink("next").getUrl()).contains("/_history?_count=2&_since=").contains("&_cursor=");
    }

    /** A first sync, every page followed; returns the instant to keep as the next _since. */
    private String firstSync() {
        String next = "/_history?_count=500";
        String since = null;
        while (next != null) {
            Bundle page = parse(Bundle.class, get(next).body());
            since = since != null ? since : page.getMeta().getLastUpdatedElement().getValueAsString();
            next = page.getLink("next") == null ? null : page.getLink("next").getUrl().substring(fhirBase().length());
        }
        return since;
    }

    /** The example blocks of docs/SYNC.md, with every UUID replaced by a fresh one. */
    private Map<String, String> examples() throws IOException {
        Path document = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/SYNC.md");
        Matcher matcher = EXAMPLE.matcher(Files.readString(document));
        Map<String, String> examples = new HashMap<>();
        while (matcher.find()) {
            examples.put(matcher.group(1), UUID_PATTERN.matcher(matcher.group(2)).replaceAll(m -> fresh(m.group())));
        }
        return examples;
    }

    private String fresh(String documentedId) {
        return freshIds.computeIfAbsent(documentedId, id -> UUID.randomUUID().toString());
    }

    /** Every element of the documented (abridged) answer is in the actual one; arrays match item by item. */
    private void assertContains(String documented, String actual) throws IOException {
        assertSubset(json.readTree(documented), json.readTree(actual), "$");
    }

    private static void assertSubset(JsonNode expected, JsonNode actual, String path) {
        assertThat(actual).as("%s is missing", path).isNotNull();
        if (expected.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> fields = expected.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                assertSubset(field.getValue(), actual.get(field.getKey()), path + "." + field.getKey());
            }
        } else if (expected.isArray()) {
            assertThat(actual.size()).as("%s length", path).isEqualTo(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                assertSubset(expected.get(i), actual.get(i), path + "[" + i + "]");
            }
        } else {
            assertThat(actual.asText()).as(path).isEqualTo(expected.asText());
        }
    }
}
