package ml.santerurale.server.sync;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Bundle's identifier is an idempotency key only in the sync protocol's system. A transaction
 * or batch that carries one in another system is refused, saying which system is honoured,
 * rather than silently applied twice when the client retries it.
 */
class BundleIdentifierTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aTransactionWithAnIdentifierInAnotherSystemIsRefusedNamingTheHonouredOne() {
        long before = patients();
        Bundle transaction = withPatient(Bundle.BundleType.TRANSACTION);
        transaction.getIdentifier().setSystem("urn:ietf:rfc:3986").setValue("urn:uuid:" + UUID.randomUUID());

        OperationOutcome outcome = assertOutcome(fhirContext, postJson("", json(transaction)), 400, "invalid",
                "Bundle.identifier is in system 'urn:ietf:rfc:3986'");

        assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.identifier");
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains(SyncBatch.KEY_SYSTEM).contains("applied twice");
        assertThat(postJson("", json(transaction)).statusCode()).isEqualTo(400);
        assertThat(patients()).isEqualTo(before);
    }

    @Test
    void aBatchWithAnIdentifierWithoutSystemIsRefusedToo() {
        Bundle batch = withPatient(Bundle.BundleType.BATCH);
        batch.getIdentifier().setValue("retry-me");
        assertOutcome(fhirContext, postJson("", json(batch)), 400, "invalid", "Bundle.identifier has no system");
    }

    @Test
    void aTransactionWithoutIdentifierRunsAsBefore() {
        assertThat(postJson("", json(withPatient(Bundle.BundleType.TRANSACTION))).statusCode()).isEqualTo(200);
    }

    private static Bundle withPatient(Bundle.BundleType type) {
        Bundle bundle = new Bundle().setType(type);
        Patient patient = ml.santerurale.server.support.Conforming.patient("Retry", "Nana");
        bundle.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(patient)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        return bundle;
    }

    private long patients() {
        return jdbc.queryForObject("select count(*) from hfj_resource where res_type = 'Patient'", Long.class);
    }
}
