package ml.santerurale.server.admission;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import ml.santerurale.interceptors.guard.InternalDetailsNeverLeave;

/**
 * Admission control of the FHIR endpoint: at most {@code maxConcurrent} requests are processed at
 * once; a request that finds no place within {@code maxWait} is answered 503 {@code transient} with
 * {@code Retry-After} and an OperationOutcome, having read and written nothing. Measured without it
 * (bench/load.sh, ten times the peak): requests queued for database connections until devices timed
 * out after 60 s, thousands in flight, while the pool's 20 connections were taken.
 *
 * <p>A HAPI interceptor on {@code SERVER_INCOMING_REQUEST_PRE_HANDLED}, after the rate limits and the
 * not-ready and database-away gates (so that their refusals never wait for a place) and before every
 * check that reads the database; the place is given back on
 * {@code SERVER_PROCESSING_COMPLETED}, which HAPI calls whatever the outcome. Does not guarantee
 * fairness between clients (rate limits do that), nor bound work the server starts on its own
 * (audit drain, exports, backups), nor requests that are not FHIR (the app's files, actuator).
 */
@Interceptor
final class AdmissionGate {

    private static final String HOLDS_PLACE = AdmissionGate.class.getName() + ".place";

    private final Semaphore places;
    private final long maxWaitNanos;
    private final String retryAfterSeconds;
    private final AtomicLong refused = new AtomicLong();
    private final int maxConcurrent;

    AdmissionGate(int maxConcurrent, Duration maxWait, Duration retryAfter) {
        this.maxConcurrent = maxConcurrent;
        this.places = new Semaphore(maxConcurrent, true);
        this.maxWaitNanos = maxWait.toNanos();
        this.retryAfterSeconds = Long.toString(Math.max(1, (retryAfter.toMillis() + 999) / 1000));
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -999)
    public void admit(RequestDetails requestDetails) {
        boolean admitted;
        try {
            admitted = places.tryAcquire(maxWaitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admitted = false;
        }
        if (!admitted) {
            refused.incrementAndGet();
            throw busy(requestDetails.getRequestId());
        }
        requestDetails.getUserData().put(HOLDS_PLACE, Boolean.TRUE);
    }

    @Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
    public void release(RequestDetails requestDetails) {
        if (requestDetails != null && requestDetails.getUserData().remove(HOLDS_PLACE) != null) {
            places.release();
        }
    }

    /** Requests being processed now. */
    int inFlight() {
        return maxConcurrent - places.availablePermits();
    }

    /** Requests refused for want of a place since start. */
    long refused() {
        return refused.get();
    }

    private BaseServerResponseException busy(String requestId) {
        String message = "The server is busy with other requests; nothing of this request was read or written."
                + " Send it again in " + retryAfterSeconds + " seconds"
                + (requestId == null ? "" : " (request id " + requestId + ")") + ".";
        return InternalDetailsNeverLeave.unavailable(message, retryAfterSeconds);
    }
}
