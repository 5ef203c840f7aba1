package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A read of a current version answered in one query ({@link ReadInOneQuery}) is the read HAPI
 * answers: the same body, byte for byte, and the same version headers as HAPI's version read of
 * that version (which HAPI still serves), whatever the meta (tags, the site's security label,
 * profiles, source) and the format; what it does not serve (missing, deleted, version reads)
 * HAPI answers as before.
 */
class ReadInOneQueryTest extends ServerIntegrationTest {

    @Autowired
    ReadInOneQuery reads;

    @Autowired
    PreEncodedEntries preEncoded;

    private String stored(Patient patient) {
        String id = UUID.randomUUID().toString();
        patient.setId(id);
        HttpResponse<String> put = putJson("/Patient/" + id, json(patient));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return id;
    }

    private HttpResponse<String> getAs(String path, String accept) {
        return send(request(path).header("Accept", accept).GET());
    }

    private void assertSameAnswer(String read, String versionRead, String accept) {
        long before = reads.served();
        long written = preEncoded.whole();
        HttpResponse<String> fast = getAs(read, accept);
        assertThat(reads.served()).as("served in one query: " + read).isEqualTo(before + 1);
        boolean plainJson = accept.contains("json") && !read.contains("_elements");
        assertThat(preEncoded.whole() - written).as("written from its stored JSON: " + read).isEqualTo(plainJson ? 1 : 0);
        HttpResponse<String> hapi = getAs(versionRead, accept);
        assertThat(reads.served()).as("a version read is HAPI's").isEqualTo(before + 1);
        assertThat(fast.statusCode()).as(fast.body()).isEqualTo(200);
        assertThat(hapi.statusCode()).as(hapi.body()).isEqualTo(200);
        assertThat(fast.body()).isEqualTo(hapi.body());
        // Every header but the request's own (its id, date) and how the body is framed: a body
        // written at once has a length (too short for Tomcat's compression, hence no Vary),
        // HAPI's encoder streams it in chunks.
        java.util.function.Function<HttpResponse<String>, Map<String, List<String>>> headers = response -> {
            Map<String, List<String>> kept = new TreeMap<>(response.headers().map());
            kept.keySet().removeAll(Set.of("date", "x-request-id", "content-length", "transfer-encoding", "vary"));
            return kept;
        };
        assertThat(headers.apply(fast)).containsKeys("etag", "last-modified", "content-type", "content-location")
                .isEqualTo(headers.apply(hapi));
    }

    @Test
    void aReadAnswersWhatHapisVersionReadAnswersWithTagsProfileAndSource() {
        Patient patient = Conforming.patient("OneQuery" + Names.unique(8), "Awa");
        patient.getMeta().addTag(new Coding("https://example.org/tags", "follow-up", "Suivi"));
        patient.getMeta().setSource("urn:uuid:" + UUID.randomUUID());
        String id = stored(patient);

        assertSameAnswer("/Patient/" + id, "/Patient/" + id + "/_history/1", "application/fhir+json");
        assertSameAnswer("/Patient/" + id, "/Patient/" + id + "/_history/1", "application/fhir+xml");
        assertSameAnswer("/Patient/" + id + "?_elements=name", "/Patient/" + id + "/_history/1?_elements=name",
                "application/fhir+json");

        HttpResponse<String> body = get("/Patient/" + id);
        Patient read = parse(Patient.class, body.body());
        assertThat(read.getMeta().getTag()).extracting(Coding::getCode).contains("follow-up");
        assertThat(read.getMeta().getSecurity()).as("the site label").isNotEmpty();
        assertThat(read.getMeta().getSource()).as("with HAPI's request id").startsWith(patient.getMeta().getSource() + "#");
        assertThat(read.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void aReadAfterAnUpdateAnswersTheNewVersion() {
        Patient patient = Conforming.patient("OneQueryUpdated" + Names.unique(8), "Awa");
        String id = stored(patient);
        patient.setId(id);
        patient.addName().setFamily("Nouveau").addGiven("Nom");
        HttpResponse<String> update = putJson("/Patient/" + id, json(patient));
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);

        assertSameAnswer("/Patient/" + id, "/Patient/" + id + "/_history/2", "application/fhir+json");
        assertThat(parse(Patient.class, get("/Patient/" + id).body()).getName()).hasSize(2);
    }

    @Test
    void anotherTypeIsServedTheSameWay() {
        String patient = stored(Conforming.patient("OneQueryEncounter" + Names.unique(8), "Awa"));
        Encounter encounter = Conforming.encounter("Patient/" + patient, "Organization/cscom-konobougou");
        HttpResponse<String> created = postJson("/Encounter", json(encounter));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = parse(Encounter.class, created.body()).getIdElement().getIdPart();

        assertSameAnswer("/Encounter/" + id, "/Encounter/" + id + "/_history/1", "application/fhir+json");
    }

    @Test
    void aGzipReadIsTheSameRead() throws Exception {
        String id = stored(Conforming.patient("OneQueryGzip" + Names.unique(8), "Awa"));
        String plain = getAs("/Patient/" + id, "application/fhir+json").body();
        long written = preEncoded.whole();
        HttpResponse<byte[]> gzip = http.send(request("/Patient/" + id).header("Accept", "application/fhir+json")
                .header("Accept-Encoding", "gzip").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(preEncoded.whole()).isEqualTo(written + 1);
        assertThat(gzip.headers().firstValue("Content-Encoding")).hasValue("gzip");
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gzip.body()))) {
            assertThat(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(plain);
        }
    }

    @Test
    void missingAndDeletedRecordsAreAnsweredByHapiAsBefore() {
        long before = reads.served();
        HttpResponse<String> missing = get("/Patient/" + UUID.randomUUID());
        assertThat(missing.statusCode()).as(missing.body()).isEqualTo(404);
        assertThat(missing.body()).contains("OperationOutcome");

        String id = stored(Conforming.patient("OneQueryDeleted" + Names.unique(8), "Awa"));
        HttpResponse<String> delete = send(request("/Patient/" + id).DELETE());
        assertThat(delete.statusCode()).as(delete.body()).isIn(200, 204);
        HttpResponse<String> gone = get("/Patient/" + id);
        assertThat(gone.statusCode()).as(gone.body()).isEqualTo(410);
        assertThat(reads.served()).as("neither was served in one query").isEqualTo(before);
    }
}
