package ml.santerurale.server.validation;

import java.util.List;
import java.util.concurrent.TimeUnit;
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
 * <p>It gives way to clients: before each of its validations it waits while a client's request
 * (a write, a read, a search) is being processed, or ended less than {@value #QUIET_MILLIS} ms ago
 * (between a Bundle's entries, two Bundles of one sync, two reads of one client), and the
 * validations of writes count towards its number, since they teach the JIT the same code. Measured
 * before it did (issue 17, side by side on 2 cores): the warm-up took more CPU than the requests
 * during the first 20 transactions after a start, which then waited for a core; when it gave way
 * to writes only, it took a quarter of the samples of a read load that followed them (JFR,
 * 2026-12-06). So it runs when the server is idle, which on a CSCOM's server is most of the time.
 * It does not hold anything back: a write that arrives while one of its
 * validations runs waits for a core as before, for one validation (a few milliseconds). It does
 * not guarantee any speed: the JIT decides what it compiles and when; nor that it ever ends on a
 * server that is never idle (whose writes warm the validator themselves).
 */
final class ValidatorWarmUp {

    private static final Logger log = LoggerFactory.getLogger(ValidatorWarmUp.class);

    /** How long after a client's validation the warm-up still waits, and how long it sleeps between looks. */
    static final long QUIET_MILLIS = 200;
    private static final long PAUSE_MILLIS = 20;

    private final List<? extends IBaseResource> examples;
    private final Consumer<IBaseResource> validator;
    private final int validations;
    private final RequestValidations requests;
    private volatile Thread definitions;

    /**
     * @param examples    what to validate: the guide's examples, one of each profile at least
     * @param validator   the server's validation of a resource against its profile
     * @param validations how many validations the second step runs, clients' included (0: none)
     * @param requests    the validations of clients' writes, to give way to and to count
     */
    ValidatorWarmUp(List<? extends IBaseResource> examples, Consumer<IBaseResource> validator, int validations,
            RequestValidations requests) {
        if (examples.isEmpty()) {
            throw new IllegalArgumentException("the validator cannot be warmed up without examples");
        }
        this.examples = List.copyOf(examples);
        this.validator = validator;
        this.validations = Math.max(0, validations);
        this.requests = requests;
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
        long requestsAtStart = requests.done();
        int batch = Math.max(1, validations / 10);
        double firstBatch = 0;
        double lastBatch = 0;
        int done = 0;
        long inBatchNanos = 0;
        long pausedNanos = 0;
        long quietNanos = TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS);
        while (done + (requests.done() - requestsAtStart) < validations && !Thread.currentThread().isInterrupted()) {
            if (requests.underway(quietNanos)) {
                long pauseStart = System.nanoTime();
                try {
                    Thread.sleep(PAUSE_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                pausedNanos += System.nanoTime() - pauseStart;
                continue;
            }
            long validationStart = System.nanoTime();
            validator.accept(examples.get(done % examples.size()));
            inBatchNanos += System.nanoTime() - validationStart;
            done++;
            if (done % batch == 0) {
                lastBatch = inBatchNanos / 1e6 / batch;
                if (firstBatch == 0) {
                    firstBatch = lastBatch;
                }
                inBatchNanos = 0;
            }
        }
        return String.format(java.util.Locale.ROOT,
                "%d validations in %d ms (%.2f ms each in the first tenth, %.2f ms in the last); %d by clients' writes"
                        + " meanwhile, %d ms given way to them",
                done, (System.nanoTime() - start) / 1_000_000, firstBatch, lastBatch,
                requests.done() - requestsAtStart, pausedNanos / 1_000_000);
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
