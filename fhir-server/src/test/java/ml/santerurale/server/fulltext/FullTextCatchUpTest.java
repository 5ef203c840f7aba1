package ml.santerurale.server.fulltext;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.Random;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hibernate.search.mapper.orm.Search;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * What the full-text index loses in a crash (its last uncommitted changes) is found again after
 * the catch-up a restart runs, and the checkpoint that tells the restart where to start follows
 * the writes.
 */
class FullTextCatchUpTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    FullTextCatchUp catchUp;

    @Autowired
    FullTextCheckpoints checkpoints;

    @Autowired
    EntityManager entityManager;

    @Autowired
    EntityManagerFactory entityManagerFactory;

    @Autowired
    PlatformTransactionManager transactions;

    @Test
    void aPatientWhoseIndexEntryWasLostIsFoundAgainAfterTheCatchUp() throws InterruptedException {
        String before = jdbc.queryForObject("select pg_current_snapshot()::text", String.class);
        String word = uniqueWord();
        Patient patient = Conforming.patient(word, "Mariam");
        var created = postJson("/Patient", json(patient));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = parse(Patient.class, created.body()).getIdElement().getIdPart();
        assertThat(contentSearch(word)).as("indexed as it was written").containsExactly(id);
        long resId = jdbc.queryForObject("select res_id from hfj_resource where res_type = 'Patient' and fhir_id = ?", Long.class, id);

        loseIndexEntry(resId);
        assertThat(contentSearch(word)).as("the index lost its entry, as in a crash before its commit").isEmpty();

        FeedHorizon.awaitPastEveryChange(jdbc);
        List<Long> behind = catchUp.changedOutside(before);
        assertThat(behind).as("written after the checkpoint").contains(resId)
                .as("not what the checkpoint already saw committed (the sites catalogue)")
                .doesNotContainAnyElementsOf(jdbc.queryForList("select res_id from hfj_resource where res_type = 'Organization'", Long.class));
        catchUp.reindex(behind);

        assertThat(contentSearch(word)).as("found again after the catch-up").containsExactly(id);
    }

    @Test
    void theCheckpointSeesAWriteOnceTheIndexWasCommittedAnIntervalAfterIt() throws InterruptedException {
        var created = postJson("/Patient", json(Conforming.patient(uniqueWord(), "Fanta")));
        assertThat(created.statusCode()).isEqualTo(201);
        FeedHorizon.awaitPastEveryChange(jdbc);
        String written = jdbc.queryForObject("select max(txid)::text from srm_change", String.class);

        checkpoints.runOnce();
        checkpoints.runOnce();

        assertThat(jdbc.queryForObject("select pg_visible_in_snapshot(?::xid8, snapshot) from srm_fulltext_checkpoint",
                Boolean.class, written)).isTrue();
    }

    private void loseIndexEntry(long resId) {
        new TransactionTemplate(transactions).executeWithoutResult(status -> Search.session(entityManager).indexingPlan()
                .delete(entityManager.find(ResourceTable.class, JpaPid.fromId(resId))));
        Search.mapping(entityManagerFactory).scope(ResourceTable.class).workspace().flush();
    }

    private List<String> contentSearch(String word) {
        var response = get("/Patient?_content=" + word);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    private static String uniqueWord() {
        Random random = new Random();
        StringBuilder word = new StringBuilder("Kanw");
        for (int i = 0; i < 8; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }
}
