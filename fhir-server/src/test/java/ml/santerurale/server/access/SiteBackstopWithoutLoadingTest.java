package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.interceptor.JpaPreResourceAccessDetails;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.interceptors.access.SitePartitioning;
import ml.santerurale.interceptors.access.StoredMatches;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The site backstop decides a search's matches from where they are stored when they are all within
 * the caller's sites, instead of loading and parsing each one (HAPI loads the page again for the
 * answer). What it lets through is pinned by SiteLeakTest and ReferralAccessTest.
 */
class SiteBackstopWithoutLoadingTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "CSCOM-KONOBOUGOU";

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    SitePartitioning partitioning;

    private final String konobougouStaff = TestTokens.get().user("soignant.backstop.test", Set.of("soignant"), Set.of(KONOBOUGOU));

    private List<String> patientsAtKonobougou(String family, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Patient patient = Conforming.patient(family, "Awa");
            String id = UUID.randomUUID().toString();
            patient.setId(id);
            HttpResponse<String> put = as(konobougouStaff, () -> putJson("/Patient/" + id, json(patient)));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
            ids.add(id);
        }
        return ids;
    }

    @Test
    void aNameSearchWithinTheCallersSiteIsCheckedWithoutLoadingItsMatches() {
        String family = "Backstop" + Names.unique(8);
        List<String> ids = patientsAtKonobougou(family, 3);
        long decidedFromStorage = partitioning.passesWithoutLoading();

        HttpResponse<String> search = as(konobougouStaff, () -> get("/Patient?family=" + family));

        assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, search.body()).getEntry())
                .extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(partitioning.passesWithoutLoading()).isGreaterThan(decidedFromStorage);
    }

    @Test
    void storedMatchesAreReadFromTheResourceTableWithoutLoadingOnThisHapiVersion() {
        String family = "Stored" + Names.unique(8);
        List<String> ids = patientsAtKonobougou(family, 2);
        List<JpaPid> pids = new ArrayList<>();
        for (String id : ids) {
            pids.add(JpaPid.fromId(jdbc.queryForObject(
                    "select res_id from hfj_resource where res_type = 'Patient' and fhir_id = ?", Long.class, id)));
        }
        Integer konobougou = jdbc.queryForObject("select partition_id from hfj_resource where fhir_id = ?",
                Integer.class, ids.get(0));
        JpaPreResourceAccessDetails details = new JpaPreResourceAccessDetails(pids, () -> {
            throw new AssertionError("the matches were loaded");
        });

        Optional<List<StoredMatches.Match>> matches = new JdbcStoredMatches(jdbc).of(details);

        assertThat(konobougou).isNotNull();
        assertThat(matches).contains(List.of(new StoredMatches.Match("Patient", konobougou),
                new StoredMatches.Match("Patient", konobougou)));
    }

    @Test
    void aMatchMissingFromTheResourceTableIsNotDescribed() {
        JpaPreResourceAccessDetails details = new JpaPreResourceAccessDetails(
                new ArrayList<>(List.of(JpaPid.fromId(Long.MAX_VALUE - 7))), () -> {
                    throw new AssertionError("the matches were loaded");
                });

        assertThat(new JdbcStoredMatches(jdbc).of(details)).isEmpty();
    }
}
