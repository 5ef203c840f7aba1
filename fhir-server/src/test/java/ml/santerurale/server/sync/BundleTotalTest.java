package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import java.util.Set;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code Bundle.total} is the whole count or absent, never the size of one page: history pages
 * (the change feed) carry none; instance history, {@code _summary=count} and searches with
 * {@code _total=accurate} carry the exact count.
 */
class BundleTotalTest extends ServerIntegrationTest {

    private static final int PATIENTS = 7;

    /** A site of its own, so that counts are exact whatever other tests wrote. */
    private final String onlyHere = TestTokens.get().user("medecin.total", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU"));

    private String family;

    @BeforeEach
    void sevenPatients() {
        family = "Total" + ml.santerurale.server.support.Names.unique(8);
        for (int i = 0; i < PATIENTS; i++) {
            Patient patient = ml.santerurale.server.support.Conforming.patient(family, "Oumou");
            assertThat(as(onlyHere, () -> postJson("/Patient", json(patient))).statusCode()).isEqualTo(201);
        }
    }

    @Test
    void typeHistoryPagesCarryNoTotal() {
        Bundle page = bundle("/Patient/_history?_count=5");
        assertThat(page.getLink("next")).as("more than one page").isNotNull();
        assertThat(page.hasTotal()).as("total %s on a page of %s", page.getTotal(), page.getEntry().size()).isFalse();
    }

    @Test
    void systemHistoryPagesCarryNoTotal() {
        Bundle first = bundle("/_history?_count=3");
        assertThat(first.getLink("next")).isNotNull();
        assertThat(first.hasTotal()).isFalse();
        Bundle second = parse(Bundle.class, as(onlyHere, () -> send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(first.getLink("next").getUrl())).header("Authorization", "Bearer " + onlyHere).GET())).body());
        assertThat(second.hasTotal()).isFalse();
    }

    @Test
    void instanceHistoryCountsEveryVersion() {
        Patient patient = ml.santerurale.server.support.Conforming.patient(family, "Oumou");
        String id = UUID.randomUUID().toString();
        patient.setId(id);
        for (int version = 1; version <= 3; version++) {
            patient.getNameFirstRep().setGiven(java.util.List.of(new org.hl7.fhir.r4.model.StringType("v" + version)));
            as(onlyHere, () -> putJson("/Patient/" + id, json(patient)));
        }
        Bundle history = bundle("/Patient/" + id + "/_history?_count=2");
        assertThat(history.getEntry()).hasSize(2);
        assertThat(history.getTotal()).isEqualTo(3);
    }

    @Test
    void summaryCountIsExact() {
        Bundle count = bundle("/Patient?family=" + family + "&_summary=count");
        assertThat(count.getTotal()).isEqualTo(PATIENTS);
        assertThat(count.getEntry()).isEmpty();
    }

    @Test
    void aSearchOverSeveralPagesGivesTheWholeCountWhenAskedForIt() {
        Bundle page = bundle("/Patient?family=" + family + "&_count=3&_total=accurate");
        assertThat(page.getEntry()).hasSize(3);
        assertThat(page.getTotal()).isEqualTo(PATIENTS);
        Bundle plain = bundle("/Patient?family=" + family + "&_count=3");
        assertThat(!plain.hasTotal() || plain.getTotal() == PATIENTS).as("total %s", plain.getTotal()).isTrue();
    }

    private Bundle bundle(String path) {
        var response = as(onlyHere, () -> get(path));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body());
    }
}
