package ml.santerurale.server.fhir;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What reaches the server over a 2G link is often broken: each kind of bad request is answered
 * with a 4xx OperationOutcome that says what is wrong, and nothing is written. Also gzip, both ways.
 * (The tests run with a request size limit of 2,000,000 bytes.)
 */
class BadInputTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void answersMalformedJsonWith400() {
        long before = count();
        assertOutcome(fhirContext, postJson("/Patient", "{\"resourceType\":\"Patient\",\"name\":[{\"family\":"),
                400, null, "Failed to parse request body as JSON");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void answersJsonThatBreaksHapisParserWith400() {
        // RequestBodyFuzzTest's findings: an empty property name (StringIndexOutOfBoundsException in
        // HAPI's parser) and a text as an entry's resource (NullPointerException), each a 500.
        long before = count();
        assertOutcome(fhirContext, postJson("/Patient", "{\"resourceType\":\"Patient\",\"\":[{\"family\":\"Traore\"}]}"),
                400, "structure", "could not be read as a FHIR resource");
        assertOutcome(fhirContext, postJson("", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
                + "{\"resourceType\":\"Patient\",\"\":1},\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}]}"),
                400, "structure", "could not be read as a FHIR resource");
        assertOutcome(fhirContext, postJson("", "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":\"Bundle\"}]}"),
                400, "structure", "could not be read as a FHIR resource");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void answersMalformedXmlWith400() {
        HttpResponse<String> response = send(request("/Patient").header("Content-Type", "application/fhir+xml")
                .header("Accept", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString("<Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"X\"/></Patient>")));
        assertOutcome(fhirContext, response, 400, null, "Failed to parse request body as XML");
    }

    @Test
    void answersAWrongContentTypeWith4xx() {
        HttpResponse<String> response = send(request("/Patient").header("Content-Type", "text/plain")
                .header("Accept", "application/fhir+json").POST(HttpRequest.BodyPublishers.ofString("Awa Traoré")));
        assertOutcome(fhirContext, response, 400, null, "Incorrect Content-Type header value of \"text/plain\"");
    }

    @Test
    void answersAnUnknownTypeWith404() {
        assertOutcome(fhirContext, get("/Unicorn/1"), 404, null, "Unknown resource type 'Unicorn'");
    }

    @Test
    void answersATypeThatIsNotServedWith404() {
        assertOutcome(fhirContext, get("/SearchParameter?_count=1"), 404, null, "SearchParameter");
        assertOutcome(fhirContext, putJson("/Questionnaire/q1", "{\"resourceType\":\"Questionnaire\",\"id\":\"q1\",\"status\":\"draft\"}"),
                404, null, "Questionnaire");
    }

    @Test
    void refusesABodyOverTheLimitWith413AndWritesNothing() {
        long before = count();
        Bundle bundle = bigTransaction(2_100_000);
        String body = json(bundle);
        assertThat(body.length()).isGreaterThan(2_000_000);
        assertOutcome(fhirContext, postJson("", body), 413, "too-long", "larger than this server accepts (2000000 bytes)");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void refusesAGzipBodyThatInflatesOverTheLimit() throws IOException {
        long before = count();
        byte[] bomb = gzip(json(bigTransaction(2_100_000)).getBytes(StandardCharsets.UTF_8));
        assertThat(bomb.length).isLessThan(2_000_000);
        HttpResponse<String> response = send(request("").header("Content-Type", "application/fhir+json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofByteArray(bomb)));
        assertOutcome(fhirContext, response, 413, "too-long", "larger than this server accepts");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void refusesABodyThatClaimsGzipButIsNot() {
        HttpResponse<String> response = send(request("/Patient").header("Content-Type", "application/fhir+json")
                .header("Content-Encoding", "gzip").POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"Patient\"}")));
        assertOutcome(fhirContext, response, 400, "invalid", "not valid gzip");
    }

    @Test
    void acceptsGzipEncodedRequestBodies() throws IOException {
        String id = UUID.randomUUID().toString();
        Patient patient = ml.santerurale.server.support.Conforming.patient("Touré", "Hawa");
        patient.setId(id);
        HttpResponse<String> response = send(request("/Patient/" + id).header("Content-Type", "application/fhir+json")
                .header("Content-Encoding", "gzip")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(gzip(json(patient).getBytes(StandardCharsets.UTF_8)))));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat(get("/Patient/" + id).body()).contains("Touré");
    }

    @Test
    void gzipsResponsesForClientsThatAcceptIt() throws IOException {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request("/Organization?_count=50").header("Accept-Encoding", "gzip").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Encoding")).hasValue("gzip");
        String body = new String(new GZIPInputStream(new ByteArrayInputStream(response.body())).readAllBytes(), StandardCharsets.UTF_8);
        Bundle bundle = parse(Bundle.class, body);
        assertThat(bundle.getEntry()).hasSize(50);
        assertThat(response.body().length).isLessThan(body.length() / 4);
    }

    private Bundle bigTransaction(int approximateBytes) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        String filler = "x".repeat(1000);
        int entries = approximateBytes / 1100 + 1;
        for (int i = 0; i < entries; i++) {
            Patient patient = ml.santerurale.server.support.Conforming.patient("Filler", filler);
            String id = UUID.randomUUID().toString();
            patient.setId(id);
            bundle.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
        }
        return bundle;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private long count() {
        return jdbc.queryForObject("select count(*) from hfj_resource where res_type <> 'AuditEvent'", Long.class);
    }
}
