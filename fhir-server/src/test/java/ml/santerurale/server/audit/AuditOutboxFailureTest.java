package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Map;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The drainer keeps an outbox row it cannot store, with its error (docs/ARCHITECTURE.md), counts
 * the attempt, stops at the last one, and stores the other events meanwhile.
 */
class AuditOutboxFailureTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    AuditOutboxDrainer drainer;

    @Test
    void aRowThatCannotBeStoredIsKeptWithItsErrorAndNotTriedPastItsAttempts() {
        // Not an AuditEvent: storing it fails every time.
        Long lastAttempt = jdbc.queryForObject("insert into srm_audit_outbox (payload, attempts) values ('{}', ?) returning id",
                Long.class, AuditOutboxDrainer.MAX_ATTEMPTS - 1);
        Long spent = jdbc.queryForObject("insert into srm_audit_outbox (payload, attempts, last_error)"
                + " values ('{}', ?, 'test: the earlier failure') returning id", Long.class, AuditOutboxDrainer.MAX_ATTEMPTS);
        try {
            Patient patient = ClinicalRecords.patient("Doumbia", "Assitan", "cscom-konobougou");
            HttpResponse<String> created = putJson("/Patient/" + patient.getIdPart(), json(patient));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            drainer.drainAll();

            Map<String, Object> failed = jdbc.queryForMap("select attempts, last_error from srm_audit_outbox where id = ?", lastAttempt);
            assertThat(failed.get("attempts")).as("the failed attempt counted").isEqualTo(AuditOutboxDrainer.MAX_ATTEMPTS);
            assertThat((String) failed.get("last_error")).as("kept with its error").isNotBlank().isNotEqualTo("null");
            Map<String, Object> untouched = jdbc.queryForMap("select attempts, last_error from srm_audit_outbox where id = ?", spent);
            assertThat(untouched).as("no attempt past the last").containsEntry("attempts", AuditOutboxDrainer.MAX_ATTEMPTS)
                    .containsEntry("last_error", "test: the earlier failure");
            Bundle events = parse(Bundle.class, as(TestTokens.get().admin(),
                    () -> get("/AuditEvent?entity-name=Patient/" + patient.getIdPart() + "&subtype=create")).body());
            assertThat(events.getEntry()).as("the other events stored meanwhile").hasSize(1);
        } finally {
            jdbc.update("delete from srm_audit_outbox where id in (?, ?)", lastAttempt, spent);
        }
    }
}
