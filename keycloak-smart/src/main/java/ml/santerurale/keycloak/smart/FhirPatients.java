package ml.santerurale.keycloak.smart;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.keycloak.util.JsonSerialization;

/**
 * The FHIR server as the picker sees it, with the user's own token: a name search and a check
 * that one patient is visible. A failing server lists nothing (the user cannot pick), never more.
 */
final class FhirPatients {

    /** One line of the list: the id is the form value, the rest is what the user reads. */
    record Summary(String id, String name, String birthDate, String gender) {

        /** As the login template reads it (FreeMarker sees a record's accessors as methods, not values). */
        java.util.Map<String, String> forTemplate() {
            return java.util.Map.of("id", id, "name", name, "birthDate", birthDate, "gender", gender);
        }
    }

    private final HttpClient http;
    private final String base;
    private final String token;

    FhirPatients(HttpClient http, String base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    List<Summary> search(String name) {
        JsonNode bundle = get("/Patient?_count=20&name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
        List<Summary> out = new ArrayList<>();
        if (bundle != null) {
            bundle.path("entry").forEach(entry -> out.add(summary(entry.path("resource"))));
        }
        return out;
    }

    boolean visible(String id) {
        if (!id.matches("[A-Za-z0-9\\-.]{1,64}")) {
            return false;
        }
        JsonNode patient = get("/Patient/" + id);
        return patient != null && "Patient".equals(patient.path("resourceType").asText()) && id.equals(patient.path("id").asText());
    }

    private static Summary summary(JsonNode patient) {
        JsonNode name = patient.path("name").path(0);
        List<String> given = new ArrayList<>();
        name.path("given").forEach(g -> given.add(g.asText()));
        String display = (String.join(" ", given) + " " + name.path("family").asText("")).trim();
        return new Summary(patient.path("id").asText(), display.isEmpty() ? patient.path("id").asText() : display,
                patient.path("birthDate").asText(""), patient.path("gender").asText(""));
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
                    .header("Authorization", "Bearer " + token)
                    .header("Accept", "application/fhir+json")
                    .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? JsonSerialization.mapper.readTree(response.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
