package ml.santerurale.server.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.time.Duration;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;

class AdmissionGateTest {

    private final AdmissionGate gate = new AdmissionGate(2, Duration.ofMillis(50), Duration.ofSeconds(10));

    private static SystemRequestDetails request(String id) {
        SystemRequestDetails request = new SystemRequestDetails();
        request.setRequestId(id);
        return request;
    }

    @Test
    void aRequestFindingNoPlaceInTimeIsAnswered503WithRetryAfterAndAnOutcome() {
        gate.admit(request("a"));
        gate.admit(request("b"));

        BaseServerResponseException refused = catchThrowableOfType(BaseServerResponseException.class,
                () -> gate.admit(request("c")));

        assertThat(refused.getStatusCode()).isEqualTo(503);
        assertThat(refused.getResponseHeaders()).containsEntry("Retry-After", List.of("10"));
        OperationOutcome outcome = (OperationOutcome) refused.getOperationOutcome();
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
        assertThat(outcome.getIssueFirstRep().getDiagnostics())
                .contains("busy", "nothing of this request was read or written", "request id c");
        assertThat(gate.refused()).isEqualTo(1);
        assertThat(gate.inFlight()).isEqualTo(2);
    }

    @Test
    void aPlaceIsGivenBackWhenItsRequestCompletesAndOnlyThen() {
        SystemRequestDetails first = request("a");
        gate.admit(first);
        gate.admit(request("b"));
        SystemRequestDetails refused = request("c");
        catchThrowableOfType(BaseServerResponseException.class, () -> gate.admit(refused));

        gate.release(refused);
        assertThat(gate.inFlight()).as("a refused request holds no place to give back").isEqualTo(2);
        gate.release(first);
        gate.release(first);
        assertThat(gate.inFlight()).as("a place is given back once").isEqualTo(1);

        gate.admit(request("d"));
        assertThat(gate.inFlight()).isEqualTo(2);
    }

    @Test
    void aRequestWaitsForAPlaceFreedWithinTheWait() throws Exception {
        AdmissionGate patient = new AdmissionGate(1, Duration.ofSeconds(5), Duration.ofSeconds(10));
        SystemRequestDetails first = request("a");
        patient.admit(first);
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            patient.release(first);
        });
        releaser.start();

        patient.admit(request("b"));

        releaser.join();
        assertThat(patient.refused()).isZero();
        assertThat(patient.inFlight()).isEqualTo(1);
    }
}
