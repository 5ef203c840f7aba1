package ml.santerurale.server.validation;

import java.util.List;
import java.util.function.Consumer;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the guide's validator in the background, in two steps.
 *
 * <p>First ({@link #loadDefinitions}), one pass over the guide's examples: the validator's first
 * use loads the R4 core definitions (seconds), which the first write should not pay for. Then
 * ({@link #compile}), more passes over the same examples, up to a number of
 * validations: until the JIT has compiled the validator's hot paths, a resource costs two to five
 * times the CPU it costs later (measured in a plain JVM: 2.5–5 ms for the first 2,500 resources,
 * 1.2–1.8 ms after 3,000 validations of the examples), and a server that has just started would
 * hold its first few thousand sync entries to the guide at that price. The server runs both once it
 * is ready, so that readiness is not delayed.
 *
 * <p>It does not hold anything back: writes that arrive meanwhile are validated as usual, only
 * slower, and the warm-up's own validations (about one core for several seconds) compete with them.
 * It does not guarantee any speed: the JIT decides what it compiles and when.
 */
final class ValidatorWarmUp {

    private static final Logger log = LoggerFactory.getLogger(ValidatorWarmUp.class);

    private final List<? extends IBaseResource> examples;
    private final Consumer<IBaseResource> validator;
    private final int validations;
    private volatile Thread definitions;

    /**
     * @param examples    what to validate: the guide's examples, one of each profile at least
     * @param validator   the server's validation of a resource against its profile
     * @param validations how many validations the second step runs (0: none)
     */
    ValidatorWarmUp(List<? extends IBaseResource> examples, Consumer<IBaseResource> validator, int validations) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("the validator cannot be warmed up without examples");
        }
        this.examples = List.copyOf(examples);
        this.validator = validator;
        this.validations = Math.max(0, validations);
    }

    /** First step, in a background thread: one validation of each example (loads the definitions). */
    void loadDefinitions() {
        definitions = start("ig-validator-warm-up", () -> {
            long start = System.nanoTime();
            examples.forEach(validator);
            log.info("Validator warmed up on the guide's examples in {} ms", (System.nanoTime() - start) / 1_000_000);
        });
    }

    /** Second step, in a background thread, after the first: {@code validations} more validations. */
    void compile() {
        if (validations == 0) {
            return;
        }
        start("ig-validator-jit-warm-up", () -> {
            Thread first = definitions;
            if (first != null) {
                try {
                    first.join();
                } catch (InterruptedException e) {
                    return;
                }
            }
            log.info("Validator warm-up: {} validations of the guide's examples for the JIT", validations);
            log.info("Validator warm-up: {}", run());
        });
    }

    /** Runs the second step in the calling thread; returns what it measured, in words. */
    String run() {
        long start = System.nanoTime();
        int batch = Math.max(1, validations / 10);
        double firstBatch = 0;
        double lastBatch = 0;
        int done = 0;
        while (done < validations && !Thread.currentThread().isInterrupted()) {
            int size = Math.min(batch, validations - done);
            long batchStart = System.nanoTime();
            for (int i = 0; i < size; i++) {
                validator.accept(examples.get((done + i) % examples.size()));
            }
            done += size;
            lastBatch = (System.nanoTime() - batchStart) / 1e6 / size;
            if (firstBatch == 0) {
                firstBatch = lastBatch;
            }
        }
        return String.format(java.util.Locale.ROOT,
                "%d validations in %d ms (%.2f ms each in the first tenth, %.2f ms in the last)",
                done, (System.nanoTime() - start) / 1_000_000, firstBatch, lastBatch);
    }

    private static Thread start(String name, Runnable work) {
        Thread thread = new Thread(() -> {
            try {
                work.run();
            } catch (RuntimeException e) {
                // A failing example is the guide's own test's business (the build validates them);
                // writes are validated regardless.
                log.warn("Validator warm-up stopped: {}", e.toString());
            }
        }, name);
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
        return thread;
    }
}
