package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * A search's matches loaded in one query ({@link OneQuerySearchBuilder}) are the resources HAPI's
 * own loader gives: the same entries, byte for byte, in the same order, for inline and persisted
 * searches, whatever the meta (tags, the site's label, profiles, source) and the format.
 */
class OneQuerySearchBuilderTest extends ServerIntegrationTest {

    @Autowired
    OneQuerySearchBuilders builders;

    @Autowired
    ca.uhn.fhir.jpa.dao.SearchBuilderFactory<?> hapisFactory;

    @Test
    void hapisSearchBuilderFactoryMakesOneQueryBuildersWithoutAskingSpring() {
        assertThat(hapisFactory).isInstanceOf(OneQuerySearchBuilders.Direct.class);
        assertThat(hapisFactory.newSearchBuilder("Patient", Patient.class)).isInstanceOf(OneQuerySearchBuilder.class);
    }

    @AfterEach
    void backOn() {
        builders.enabled(true);
    }

    private String stored(Patient patient) {
        String id = UUID.randomUUID().toString();
        patient.setId(id);
        HttpResponse<String> put = putJson("/Patient/" + id, json(patient));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        return id;
    }

    private String entries(String path, String accept, String cacheControl) {
        java.net.http.HttpRequest.Builder request = request(path).header("Accept", accept);
        if (cacheControl != null) {
            request.header("Cache-Control", cacheControl);
        }
        HttpResponse<String> response = send(request.GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        String body = response.body();
        // Everything from the first entry on: the Bundle's own id, time and links differ per search.
        int first = body.indexOf(accept.contains("xml") ? "<entry>" : "\"entry\"");
        assertThat(first).as(body).isPositive();
        return body.substring(first);
    }

    private void assertSameAsHapisLoader(String path, String accept, String cacheControl) {
        long before = builders.served();
        String ours = entries(path, accept, cacheControl);
        assertThat(builders.served()).as("loaded in one query: " + path).isGreaterThan(before);
        builders.enabled(false);
        long off = builders.served();
        String hapis = entries(path, accept, cacheControl);
        assertThat(builders.served()).as("HAPI's loader").isEqualTo(off);
        builders.enabled(true);
        assertThat(ours).isEqualTo(hapis);
    }

    @Test
    void matchesAreTheResourcesHapisLoaderGivesInlineAndPersisted() {
        String family = "OneQuerySearch" + Names.unique(8);
        for (int i = 0; i < 5; i++) {
            Patient patient = Conforming.patient(family, "Awa" + i);
            patient.getMeta().addTag(new Coding("https://example.org/tags", "follow-up", "Suivi"));
            patient.getMeta().addTag(new Coding("https://example.org/tags", "alpha", "Alpha"));
            patient.getMeta().setSource("urn:uuid:" + UUID.randomUUID());
            stored(patient);
        }
        String search = "/Patient?family=" + family + "&_count=3&_sort=given";
        assertSameAsHapisLoader(search, "application/fhir+json", null);
        assertSameAsHapisLoader(search, "application/fhir+xml", null);
        assertSameAsHapisLoader(search + "&_elements=name", "application/fhir+json", null);
        // HAPI's persisted search (no inline search with a Cache-Control header): its page load too.
        assertSameAsHapisLoader(search, "application/fhir+json", "no-cache");
    }

    @Test
    void encountersAndUpdatedRecordsAreTheSame() {
        String family = "OneQuerySearchEnc" + Names.unique(8);
        Patient patient = Conforming.patient(family, "Awa");
        String id = stored(patient);
        patient.setId(id);
        patient.addName().setFamily(family).addGiven("Deux");
        assertThat(putJson("/Patient/" + id, json(patient)).statusCode()).isEqualTo(200);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> created = postJson("/Encounter",
                    json(Conforming.encounter("Patient/" + id, "Organization/cscom-konobougou")));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        assertSameAsHapisLoader("/Patient?family=" + family, "application/fhir+json", null);
        assertSameAsHapisLoader("/Encounter?subject=Patient/" + id, "application/fhir+json", null);
        Bundle encounters = parse(Bundle.class, get("/Encounter?subject=Patient/" + id).body());
        assertThat(encounters.getEntry()).hasSize(2).allSatisfy(e -> assertThat(e.getResource()).isInstanceOf(Encounter.class));
    }
}
