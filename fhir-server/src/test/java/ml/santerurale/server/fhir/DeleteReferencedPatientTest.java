package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Deleting a patient whose records still point at it is refused (409), naming those records, so
 * nothing is orphaned; references from the audit trail and from Provenance never block. A médecin
 * may delete the whole record at once with {@code _cascade=delete}; a major may not.
 */
class DeleteReferencedPatientTest extends ServerIntegrationTest {

    private static final String SITE = "CSCOM-KONOBOUGOU";
    private final String medecin = TestTokens.get().user("medecin.delete", Set.of("medecin"), Set.of(SITE));
    private final String major = TestTokens.get().user("major.delete", Set.of("major"), Set.of(SITE));

    private String patientId;
    private String encounterId;
    private String observationId;

    @BeforeEach
    void aPatientWithRecords() {
        patientId = UUID.randomUUID().toString();
        encounterId = UUID.randomUUID().toString();
        observationId = UUID.randomUUID().toString();
        Patient patient = ml.santerurale.server.support.Conforming.patient("Orpheline", "Kadia");
        patient.setId(patientId);
        Encounter encounter = ml.santerurale.server.support.Conforming.encounter("Patient/" + patientId, "Organization/cscom-konobougou");
        encounter.setId(encounterId);
        Observation observation = ml.santerurale.server.support.Conforming.temperature("Patient/" + patientId, 37.2);
        observation.setId(observationId);
        observation.setEncounter(new Reference("Encounter/" + encounterId));
        as(medecin, () -> {
            assertThat(putJson("/Patient/" + patientId, json(patient)).statusCode()).isEqualTo(201);
            assertThat(putJson("/Encounter/" + encounterId, json(encounter)).statusCode()).isEqualTo(201);
            assertThat(putJson("/Observation/" + observationId, json(observation)).statusCode()).isEqualTo(201);
            return null;
        });
    }

    @Test
    void aPatientWithRecordsIsNotDeletedAndTheAnswerNamesThem() {
        HttpResponse<String> answer = as(medecin, () -> send(request("/Patient/" + patientId).DELETE()));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(409);
        OperationOutcome outcome = parse(OperationOutcome.class, answer.body());
        List<OperationOutcome.OperationOutcomeIssueComponent> errors = outcome.getIssue().stream()
                .filter(issue -> issue.getSeverity() == OperationOutcome.IssueSeverity.ERROR).toList();
        assertThat(errors).allSatisfy(issue -> assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.CONFLICT));
        assertThat(errors.stream().map(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).collect(Collectors.joining("\n")))
                .contains("Patient/" + patientId + " is not deleted: Encounter/" + encounterId + " refers to it (Encounter.subject)")
                .contains("Observation/" + observationId).contains("_cascade=delete");
        assertThat(as(medecin, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(200);
    }

    @Test
    void onceItsRecordsAreGoneThePatientIsDeletedDespiteItsAuditTrail() {
        as(medecin, () -> get("/Patient/" + patientId)); // leaves an AuditEvent naming the patient
        as(medecin, () -> send(request("/Observation/" + observationId).DELETE()));
        as(medecin, () -> send(request("/Encounter/" + encounterId).DELETE()));

        HttpResponse<String> answer = as(medecin, () -> send(request("/Patient/" + patientId).DELETE()));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    @Test
    void aMedecinDeletesTheWholeRecordWithCascade() {
        HttpResponse<String> answer = as(medecin, () -> send(request("/Patient/" + patientId + "?_cascade=delete").DELETE()));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(as(medecin, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(410);
        assertThat(as(medecin, () -> get("/Encounter/" + encounterId)).statusCode()).isEqualTo(410);
        assertThat(as(medecin, () -> get("/Observation/" + observationId)).statusCode()).isEqualTo(410);
    }

    @Test
    void aMajorMayNotCascade() {
        HttpResponse<String> answer = as(major, () -> send(request("/Patient/" + patientId + "?_cascade=delete").DELETE()));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(403);
        OperationOutcome outcome = parse(OperationOutcome.class, answer.body());
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.FORBIDDEN);
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("_cascade=delete").contains("medecin");
        assertThat(as(medecin, () -> get("/Encounter/" + encounterId)).statusCode()).isEqualTo(200);
    }
}
