package ml.santerurale.server.database;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ml.santerurale.interceptors.guard.InternalDetailsNeverLeave;

/**
 * While {@link DatabaseWatch} says the database is away, every FHIR request (the
 * CapabilityStatement too: its first build reads terminology from the database) is answered at
 * once with a 503 OperationOutcome and {@code Retry-After}, instead of waiting for a pooled
 * connection that will not come. Nothing is read or written.
 */
@Interceptor
final class DatabaseAwayGate {

    private final DatabaseWatch watch;

    DatabaseAwayGate(DatabaseWatch watch) {
        this.watch = watch;
    }

    // Before every other hook of this pointcut: some look records up in the database.
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -1000)
    public void refuseWhileAway(RequestDetails requestDetails) {
        if (!watch.available()) {
            String requestId = requestDetails.getRequestId();
            throw InternalDetailsNeverLeave.databaseAway(requestId == null ? "" : " (request id " + requestId + ")");
        }
    }
}
