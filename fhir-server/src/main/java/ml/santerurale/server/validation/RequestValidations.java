package ml.santerurale.server.validation;

import ca.uhn.fhir.validation.ValidationResult;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * The validations of what clients write (by the request thread or ahead of it, {@link
 * EntryPrevalidation}), counted, so that the validator's warm-up ({@link ValidatorWarmUp}) can give
 * way to them and count them towards its own goal: both exercise the same code for the JIT.
 *
 * <p>Does not count the warm-up's own validations, nor guarantee that a validation that started
 * after {@link #underway} answered is seen by it.
 */
final class RequestValidations {

    private final Function<IBaseResource, ValidationResult> validator;
    private final LongSupplier nanoClock;
    private final AtomicInteger running = new AtomicInteger();
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

    /** Validations of clients' writes completed since start. */
    long done() {
        return done.get();
    }

    /** Whether one is running now, or one ended less than {@code withinNanos} ago (a Bundle between two entries). */
    boolean underway(long withinNanos) {
        return running.get() > 0 || nanoClock.getAsLong() - lastEndedNanos.get() < withinNanos;
    }
}
