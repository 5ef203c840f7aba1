package ml.santerurale.server.ratelimit;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.UnclassifiedServerFailureException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import ml.santerurale.interceptors.security.Caller;
import ml.santerurale.server.sync.DeviceOfBatch;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The rate limits of the FHIR endpoint, on HAPI's interceptor service: a token from the client
 * address's bucket before anything else (authentication included, so a flood of bad tokens is
 * throttled too), one from the user's once the token is verified, and one from the device's for
 * a transaction Bundle that names its device (a sync push). An empty bucket answers 429
 * {@code throttled} with {@code Retry-After}; nothing of the request is read further or written.
 * Each refusal counts in {@code srm_rate_limited_total{limit}}.
 *
 * <p>Does not guarantee: limits on the app's files or the probes (outside HAPI), nor a fair
 * share among the users behind one address beyond that address's bucket.
 */
@Interceptor
final class RateLimits {

    static final String HEADER = "Retry-After";

    private final TokenBuckets addresses;
    private final TokenBuckets users;
    private final TokenBuckets devices;
    private final Counter addressRefusals;
    private final Counter userRefusals;
    private final Counter deviceRefusals;

    RateLimits(TokenBuckets addresses, TokenBuckets users, TokenBuckets devices, MeterRegistry meters) {
        this.addresses = addresses;
        this.users = users;
        this.devices = devices;
        this.addressRefusals = refusals(meters, "address");
        this.userRefusals = refusals(meters, "user");
        this.deviceRefusals = refusals(meters, "device");
    }

    /** Before authentication (order -1000). */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -1100)
    public void perAddress(HttpServletRequest servletRequest) {
        check(addresses, servletRequest.getRemoteAddr(), addressRefusals,
                "Too many requests from your network address");
    }

    /** Right after authentication attached the caller. */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_POST_PROCESSED, order = -990)
    public void perUser(RequestDetails requestDetails) {
        Caller.of(requestDetails).ifPresent(caller ->
                check(users, caller.subject(), userRefusals, "Too many requests from your account"));
    }

    /** Once the Bundle is parsed, before the database gate and every check that reads the database. */
    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = -1100)
    public void perDevice(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation == RestOperationTypeEnum.TRANSACTION && requestDetails.getResource() instanceof Bundle bundle) {
            DeviceOfBatch.of(bundle).ifPresent(device ->
                    check(devices, device, deviceRefusals, "Too many sync batches from device '" + device + "'"));
        }
    }

    private static void check(TokenBuckets buckets, String key, Counter refusals, String who) {
        long seconds = buckets.take(key);
        if (seconds > 0) {
            refusals.increment();
            throw throttled(who + "; nothing of this request was read or written. Send it again in "
                    + seconds + " s (Retry-After).", seconds);
        }
    }

    static BaseServerResponseException throttled(String message, long retryAfterSeconds) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.THROTTLED).setDiagnostics(message);
        UnclassifiedServerFailureException exception = new UnclassifiedServerFailureException(429, message, outcome);
        exception.addResponseHeader(HEADER, Long.toString(retryAfterSeconds));
        return exception;
    }

    private static Counter refusals(MeterRegistry meters, String limit) {
        return Counter.builder("srm.rate.limited")
                .description("FHIR requests refused with 429 by a rate limit")
                .tag("limit", limit)
                .register(meters);
    }
}
