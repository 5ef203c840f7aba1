package ml.santerurale.server.validation;

import ca.uhn.fhir.validation.ValidationResult;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The validations of what clients write (by the request thread or ahead of it, {@link
 * EntryPrevalidation}) and the clients' requests in progress, counted, so that the validator's
 * warm-up ({@link ValidatorWarmUp}) can give way to every request (a read waits for a core as a
 * write does) and count the validations towards its own goal: both exercise the same code for the JIT.
 *
 * <p>Does not count the warm-up's own validations, nor guarantee that a validation that started
 * after {@link #underway} answered is seen by it.
 */
final class RequestValidations {

    private final Function<IBaseResource, ValidationResult> validator;
    private final LongSupplier nanoClock;
    private static final String REQUEST = RequestValidations.class.getName() + ".request";

    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastEndedNanos;

    RequestValidations(Function<IBaseResource, ValidationResult> validator) {
        this(validator, System::nanoTime);
    }

    RequestValidations(Function<IBaseResource, ValidationResult> validator, LongSupplier nanoClock) {
        this.validator = validator;
        this.nanoClock = nanoClock;
        this.lastEndedNanos = new AtomicLong(nanoClock.getAsLong() - Long.MAX_VALUE / 2);
    }

    /** Validates a resource a client wrote. */
    ValidationResult validate(IBaseResource resource) {
        running.incrementAndGet();
        try {
            return validator.apply(resource);
        } finally {
            running.decrementAndGet();
            done.incrementAndGet();
            lastEndedNanos.set(nanoClock.getAsLong());
        }
    }

    /**
     * A client's request starts (a write's resources will be validated, then stored; a read or a
     * search needs the cores too): the warm-up gives way until it ends. Marks the request's data.
     */
    void requestStarted(java.util.Map<Object, Object> requestData) {
        if (requestData.putIfAbsent(REQUEST, Boolean.TRUE) == null) {
            requests.incrementAndGet();
        }
    }

    /** The request ends (whatever its outcome); nothing if {@link #requestStarted} did not mark it. */
    void requestEnded(java.util.Map<Object, Object> requestData) {
        if (requestData.remove(REQUEST) != null) {
            requests.decrementAndGet();
            lastEndedNanos.set(nanoClock.getAsLong());
        }
    }

    /** Validations of clients' writes completed since start. */
    long done() {
        return done.get();
    }

    /**
     * Whether a validation or a client's request is running now, or one ended less than
     * {@code withinNanos} ago (between two Bundles of one sync, two reads of one client).
     */
    boolean underway(long withinNanos) {
        return running.get() > 0 || requests.get() > 0 || nanoClock.getAsLong() - lastEndedNanos.get() < withinNanos;
    }
}
