package ml.santerurale.server.readiness;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ml.santerurale.interceptors.guard.InternalDetailsNeverLeave;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;

/**
 * Until the server is ready (Spring's readiness state {@code ACCEPTING_TRAFFIC}, set once every
 * start-up runner has finished: the sites catalogue and its partitions loaded, the full-text index
 * caught up after a crash), and again while it stops, every FHIR request is answered at once with a
 * 503 {@code transient} OperationOutcome and {@code Retry-After}. Tomcat accepts connections before
 * those runners end; without this gate a device retrying into a restarting server got a 403 "attached
 * to no site" (found by the fault drill, {@code FaultDrillTest}), an answer the sync protocol does
 * not retry. Nothing is read or written.
 *
 * <p>Does not guarantee anything about requests outside {@code /fhir} (the app's files, the
 * actuator probes), nor that the database is there: {@code DatabaseAwayGate} says that.
 */
@Interceptor
final class NotReadyGate {

    static final String RETRY_AFTER_SECONDS = "5";

    private final ApplicationAvailability availability;

    NotReadyGate(ApplicationAvailability availability) {
        this.availability = availability;
    }

    // After the rate limits (-1100), before the database gate (-1000), admission (-999) and the checks.
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -1001)
    public void refuseUntilReady(RequestDetails requestDetails) {
        if (availability.getReadinessState() != ReadinessState.ACCEPTING_TRAFFIC) {
            String requestId = requestDetails == null ? null : requestDetails.getRequestId();
            String message = "The server is starting or stopping; nothing of this request was read or written."
                    + " Send it again in a few seconds" + (requestId == null ? "" : " (request id " + requestId + ")") + ".";
            throw InternalDetailsNeverLeave.unavailable(message, RETRY_AFTER_SECONDS);
        }
    }
}
