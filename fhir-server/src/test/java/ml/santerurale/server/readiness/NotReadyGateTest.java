package ml.santerurale.server.readiness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

/**
 * Spring's own availability bean, moved through the states a start and a stop move it through.
 * The end-to-end case (a device retrying into a restarting server) is the fault drill's
 * (FaultDrillTest, scenario 2), where it was found.
 */
class NotReadyGateTest {

    private final ApplicationAvailabilityBean availability = new ApplicationAvailabilityBean();
    private final NotReadyGate gate = new NotReadyGate(availability);

    @Test
    void requestsBeforeTheServerIsReadyAndWhileItStopsGetA503TransientWithRetryAfterAndThoseBetweenPass() {
        // A start: no readiness state yet while the start-up runners (sites, full-text catch-up) run.
        assertRefused();

        availability.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
        gate.refuseUntilReady(new SystemRequestDetails());

        availability.onApplicationEvent(new AvailabilityChangeEvent<>(this, ReadinessState.REFUSING_TRAFFIC));
        assertRefused();
    }

    private void assertRefused() {
        assertThatThrownBy(() -> gate.refuseUntilReady(new SystemRequestDetails()))
                .isInstanceOfSatisfying(BaseServerResponseException.class, refused -> {
                    assertThat(refused.getStatusCode()).isEqualTo(503);
                    assertThat(refused.getResponseHeaders()).containsEntry("Retry-After", List.of("5"));
                    OperationOutcome outcome = (OperationOutcome) refused.getOperationOutcome();
                    assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.TRANSIENT);
                    assertThat(outcome.getIssueFirstRep().getDiagnostics()).startsWith("The server is starting or stopping");
                });
    }
}
