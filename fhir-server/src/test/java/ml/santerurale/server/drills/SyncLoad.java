package ml.santerurale.server.drills;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.SyncDevice;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;

/**
 * Devices pushing consultation batches (Patient + Encounter + Observation, the guide's shapes) at
 * once, each device its batches one after the other, retrying as docs/SYNC.md tells a device to:
 * the same bytes under the same key after a lost answer, a 5xx or a 429, with back-off 1 s, 2 s,
 * 4 s … (capped lower than the protocol's 5 minutes, so that a drill stays short). Every attempt is
 * recorded: status, replay header, {@code Retry-After}, and whether its body leaked internals.
 *
 * <p>Does not guarantee that every batch is answered: one still unanswered at the deadline stays
 * unacknowledged (the drill reports it). Any answer the protocol does not retry (400, 412, 422 …)
 * ends the batch as a failure.
 */
final class SyncLoad {

    /** What must never be in an error body (SQL text, driver, pool or table names, Java exceptions). */
    // Case-sensitive "Exception": the OperationOutcome issue code "exception" is FHIR's, not a leak.
    static final Pattern INTERNALS = Pattern.compile("(?i:\\bsql|jdbc|hikari|hibernate|\\bsrm_|\\bhfj_|pg_tblspc|no space left)"
            + "|[a-z]Exception\\b|\\bat [a-z]+\\.[a-z]+\\.");

    /** One send of a batch: its HTTP status (0: no answer), when, and what the answer said. */
    record Attempt(long atNanos, int status, boolean replayed, String retryAfter, boolean leaksInternals) {}

    /** A consultation batch: its key, frozen bytes and the resources it writes ({@code Type/id}). */
    static final class Batch {
        final String key;
        final String body;
        final List<String> references;
        final String patient;
        final List<Attempt> attempts = Collections.synchronizedList(new ArrayList<>());
        volatile long acknowledgedAtNanos;
        volatile boolean replayed;
        volatile String failure;

        Batch(String key, String body, List<String> references, String patient) {
            this.key = key;
            this.body = body;
            this.references = references;
            this.patient = patient;
        }

        boolean acknowledged() {
            return acknowledgedAtNanos != 0;
        }
    }

    private final String fhirBase;
    private final String family;
    private final Supplier<String> token;
    private final Duration maxBackOff;
    private final long deadlineNanos;
    private final List<List<Batch>> byDevice = new ArrayList<>();
    private final List<Batch> all = new ArrayList<>();
    private final AtomicInteger acknowledged = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private CountDownLatch done;

    /**
     * {@code batches} consultations spread over {@code devices} devices; every patient's family
     * name is {@code family}, a word the full-text check looks for.
     */
    SyncLoad(String fhirBase, Supplier<String> token, int devices, int batches, String family, Duration maxBackOff,
            Duration limit) {
        this.fhirBase = fhirBase;
        this.family = family;
        this.token = token;
        this.maxBackOff = maxBackOff;
        this.deadlineNanos = System.nanoTime() + limit.toNanos();
        FhirContext fhir = FhirContext.forR4Cached();
        for (int d = 0; d < devices; d++) {
            SyncDevice device = new SyncDevice("drill-" + family + "-" + d, fhirBase, token, fhir, Clock.systemUTC());
            List<Batch> own = new ArrayList<>();
            for (int b = d; b < batches; b += devices) {
                Patient patient = ClinicalRecords.patient(family, "Awa", "cscom-konobougou");
                Encounter encounter = ClinicalRecords.encounter(patient, "cscom-konobougou");
                Observation temperature = ClinicalRecords.temperature(patient, encounter);
                SyncDevice.Batch batch = device.record(patient, encounter, temperature);
                String body = fhir.newJsonParser().encodeResourceToString(device.bundleOf(batch));
                Batch pushed = new Batch(batch.key(), body, List.of(SyncDevice.key(patient), SyncDevice.key(encounter),
                        SyncDevice.key(temperature)), patient.getIdPart());
                own.add(pushed);
                all.add(pushed);
            }
            byDevice.add(own);
        }
    }

    /** Starts every device's pushes on a thread of its own. */
    void start() {
        done = new CountDownLatch(byDevice.size());
        for (List<Batch> device : byDevice) {
            Thread thread = new Thread(() -> {
                try {
                    device.forEach(this::push);
                } finally {
                    done.countDown();
                }
            }, "drill-device");
            thread.setDaemon(true);
            thread.start();
        }
    }

    /** Waits until {@code count} batches are acknowledged (or every device is done). */
    void awaitAcknowledged(int count) throws InterruptedException {
        while (acknowledged.get() < count && done.getCount() > 0 && System.nanoTime() < deadlineNanos) {
            Thread.sleep(20);
        }
    }

    /** Waits until every device is done; false if the deadline passed first. */
    boolean awaitDone() throws InterruptedException {
        return done.await(Math.max(0, deadlineNanos - System.nanoTime()) + 5_000_000_000L, TimeUnit.NANOSECONDS);
    }

    int acknowledged() {
        return acknowledged.get();
    }

    /** Batches sent and not yet answered at this moment. */
    int inFlight() {
        return inFlight.get();
    }

    /** The answers to the pushes sent from {@code from} until {@code until} (nanoTime). */
    Answers answersBetween(long from, long until) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        int withoutRetryAfter = 0;
        int leaking = 0;
        for (Batch batch : all) {
            for (Attempt attempt : List.copyOf(batch.attempts)) {
                if (attempt.atNanos() >= from && attempt.atNanos() < until) {
                    statuses.merge(attempt.status(), 1, Integer::sum);
                    withoutRetryAfter += attempt.status() == 503 && attempt.retryAfter() == null ? 1 : 0;
                    leaking += attempt.leaksInternals() ? 1 : 0;
                }
            }
        }
        return new Answers(statuses, withoutRetryAfter, leaking);
    }

    /** Answers by status (0: none), 503s without {@code Retry-After}, bodies that leaked internals. */
    record Answers(Map<Integer, Integer> statuses, int withoutRetryAfter, int leaking) {

        /** What is wrong with these answers to pushes made while {@code fault}: anything but 503 with Retry-After and a clean body. */
        List<String> failures(String scenario, String fault) {
            List<String> failures = new ArrayList<>();
            if (statuses.keySet().stream().anyMatch(s -> s >= 500 && s != 503)) {
                failures.add(scenario + ": pushes got 5xx other than 503 while " + fault + ": " + statuses);
            }
            if (withoutRetryAfter > 0 || leaking > 0) {
                failures.add(scenario + ": " + withoutRetryAfter + " 503 without Retry-After, " + leaking + " bodies with SQL or internals");
            }
            return failures;
        }
    }

    /** The family name of every patient of this load. */
    String family() {
        return family;
    }

    List<Batch> batches() {
        return all;
    }

    private void push(Batch batch) {
        for (int attempt = 1; System.nanoTime() < deadlineNanos; attempt++) {
            long at = System.nanoTime();
            HttpResponse<String> response = null;
            inFlight.incrementAndGet();
            try {
                response = http.send(HttpRequest.newBuilder(URI.create(fhirBase)).timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + token.get())
                        .header("Content-Type", "application/fhir+json")
                        .POST(HttpRequest.BodyPublishers.ofString(batch.body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException lost) {
                // §3: a lost connection is an unknown outcome: the same bytes again.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                inFlight.decrementAndGet();
            }
            if (response == null) {
                batch.attempts.add(new Attempt(at, 0, false, null, false));
            } else {
                int status = response.statusCode();
                boolean replayed = response.headers().firstValue("X-Sync-Replayed").filter("true"::equals).isPresent();
                batch.attempts.add(new Attempt(at, status, replayed, response.headers().firstValue("Retry-After").orElse(null),
                        status != 200 && INTERNALS.matcher(response.body()).find()));
                if (status == 200) {
                    batch.replayed = replayed;
                    batch.acknowledgedAtNanos = System.nanoTime();
                    acknowledged.incrementAndGet();
                    return;
                }
                if (status < 500 && status != 429) {
                    batch.failure = "answered " + status + ": " + abridged(response.body());
                    return;
                }
            }
            backOff(attempt);
        }
        batch.failure = "no 200 before the drill's deadline after " + batch.attempts.size() + " attempts";
    }

    private void backOff(int attempt) {
        long millis = Math.min(maxBackOff.toMillis(), 1000L << Math.min(attempt - 1, 20));
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String abridged(String body) {
        return body.length() > 300 ? body.substring(0, 300) + "…" : body;
    }
}
