package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.OperationOutcomeAssert;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A patch is judged on the resource it would store: withdrawing a record (status
 * entered-in-error) needs the delete permission whether it comes by PUT, JSON Patch, FHIRPath
 * Patch or a transaction's PATCH entry.
 */
class PatchFollowsTheRoleMatrixTest extends ServerIntegrationTest {

    private static final String WITHDRAW = "[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"entered-in-error\"}]";

    private final String soignant = TestTokens.get().user("soignant.konobougou.patch", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String major = TestTokens.get().user("major.konobougou.patch", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
    private Observation temperature;

    @BeforeEach
    void aTemperatureAtKonobougou() {
        Patient patient = ClinicalRecords.patient("Diarra", "Kadia", "cscom-konobougou");
        Encounter visit = ClinicalRecords.encounter(patient, "cscom-konobougou");
        temperature = ClinicalRecords.temperature(patient, visit);
        as(soignant, () -> {
            for (var resource : java.util.List.of(patient, visit, temperature)) {
                HttpResponse<String> created = putJson("/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart(), json(resource));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            }
            return null;
        });
    }

    private HttpResponse<String> jsonPatch(String token) {
        return as(token, () -> send(request("/Observation/" + temperature.getIdPart())
                .header("Content-Type", "application/json-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(WITHDRAW))));
    }

    private static Parameters fhirPathWithdrawal() {
        Parameters patch = new Parameters();
        Parameters.ParametersParameterComponent operation = patch.addParameter().setName("operation");
        operation.addPart().setName("type").setValue(new org.hl7.fhir.r4.model.CodeType("replace"));
        operation.addPart().setName("path").setValue(new StringType("Observation.status"));
        operation.addPart().setName("value").setValue(new org.hl7.fhir.r4.model.CodeType("entered-in-error"));
        return patch;
    }

    @Test
    void aCareWorkerCannotWithdrawARecordByJsonPatch() {
        OperationOutcomeAssert.assertOutcome(fhirContext, jsonPatch(soignant), 403, "forbidden", "delete");
        assertStatus(Observation.ObservationStatus.FINAL);
    }

    @Test
    void aCareWorkerCannotWithdrawARecordByFhirPathPatch() {
        HttpResponse<String> answer = as(soignant, () -> send(request("/Observation/" + temperature.getIdPart())
                .header("Content-Type", "application/fhir+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json(fhirPathWithdrawal())))));
        OperationOutcomeAssert.assertOutcome(fhirContext, answer, 403, "forbidden", "delete");
        assertStatus(Observation.ObservationStatus.FINAL);
    }

    @Test
    void aCareWorkerCannotWithdrawARecordByATransactionPatchEntry() {
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(fhirPathWithdrawal()).getRequest()
                .setMethod(Bundle.HTTPVerb.PATCH).setUrl("Observation/" + temperature.getIdPart());
        HttpResponse<String> answer = as(soignant, () -> postJson("", json(transaction)));
        OperationOutcomeAssert.assertOutcome(fhirContext, answer, 403, "forbidden", "delete");
        assertStatus(Observation.ObservationStatus.FINAL);
    }

    @Test
    void aMajorMayWithdrawARecordByPatch() {
        HttpResponse<String> answer = jsonPatch(major);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertStatus(Observation.ObservationStatus.ENTEREDINERROR);
    }

    @Test
    void aCareWorkerMayPatchWhatSheMayUpdate() {
        HttpResponse<String> answer = as(soignant, () -> send(request("/Observation/" + temperature.getIdPart())
                .header("Content-Type", "application/json-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"amended\"}]"))));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertStatus(Observation.ObservationStatus.AMENDED);
    }

    private void assertStatus(Observation.ObservationStatus expected) {
        HttpResponse<String> read = as(major, () -> get("/Observation/" + temperature.getIdPart()));
        assertThat(parse(Observation.class, read.body()).getStatus()).isEqualTo(expected);
    }
}
