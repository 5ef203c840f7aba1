package ml.santerurale.server.drills;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import ml.santerurale.server.support.TestTokens;

/**
 * The fault drill of issue 16: devices push consultation batches to a server running as a
 * process of its own while a fault is injected mid-stream, retry as docs/SYNC.md says, and then
 * {@link DrillChecks} verifies that nothing was lost, doubled or half-written, that every stored
 * write is audited and that the full-text index is complete. Scenarios, one server process
 * carried from one to the next (each restart is the next scenario's server):
 * <ol>
 * <li>{@code kill -9} of the server's JVM, restart on the same data directory;</li>
 * <li>{@code kill -9} of the JVM and of its embedded postmaster together, restart;</li>
 * <li>PostgreSQL stopped (fast shutdown, {@code kill -INT} of the postmaster): readiness, the
 * answers meanwhile (503 with {@code Retry-After}, never 500 nor SQL text), the server starting
 * its PostgreSQL again, pushes resuming;</li>
 * <li>the disk holding the audit outbox full ({@link OutboxDiskFull}; skipped, with the reason
 * printed, where a small file system cannot be mounted).</li>
 * </ol>
 * Every line it prints starts with {@code [faults]}. Does not guarantee anything about faults it
 * does not inject (network partitions, Keycloak down, a full disk under the whole data directory).
 */
final class FaultDrill {

    /** How much the drill pushes: batches per scenario, devices at once, which scenarios. */
    record Settings(int batches, int devices, Set<Integer> scenarios, Duration scenarioLimit) {}

    private static final Duration START_LIMIT = Duration.ofMinutes(8);
    private static final Duration MAX_BACK_OFF = Duration.ofSeconds(4);

    private final Path data;
    private final Settings settings;
    private final Consumer<String> out;
    private final List<String> failures = new ArrayList<>();
    private final Supplier<String> device = () -> TestTokens.get().user("soignant.drill", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final Supplier<String> major = () -> TestTokens.get().user("major.drill", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
    private ServerProcess server;
    private DrillChecks checks;

    FaultDrill(Path data, Settings settings, Consumer<String> out) {
        this.data = data;
        this.settings = settings;
        this.out = line -> out.accept("[faults] " + line);
    }

    /** Runs the scenarios asked for; returns every failure (empty: the drill passed). */
    List<String> run() throws Exception {
        server = new ServerProcess(data);
        checks = new DrillChecks(server.fhirBase(), server.actuator("prometheus"), major);
        out.accept(String.format("%d batches per scenario (Patient + Encounter + Observation each), %d devices at once;"
                + " load average %s; data in %s", settings.batches(), settings.devices(), loadAverage(), data));
        try {
            out.accept(String.format("server ready after %.1f s (load average %s)", server.startAndAwaitReady(START_LIMIT), loadAverage()));
            if (settings.scenarios().contains(1)) {
                crash("scenario 1 (kill -9 of the server JVM)", false);
            }
            if (settings.scenarios().contains(2)) {
                crash("scenario 2 (kill -9 of the server JVM and its postmaster together)", true);
            }
            if (settings.scenarios().contains(3)) {
                databaseStopped("scenario 3 (PostgreSQL fast shutdown)");
            }
            if (settings.scenarios().contains(4)) {
                String scenario = "scenario 4 (the audit outbox's disk full)";
                SyncLoad load = newLoad("d", Math.max(2, settings.batches() / 3));
                if (new OutboxDiskFull(server, checks, out, failures).run(scenario, load, Duration.ofSeconds(12))) {
                    verify(scenario, load);
                }
            }
        } catch (Exception | AssertionError e) {
            failures.add("the drill stopped: " + e);
            out.accept("the drill stopped: " + e + "\n---- server log tail ----\n" + server.logTail(40));
        } finally {
            out.accept(String.format("server stopped in %.1f s (SIGTERM)", server.stop(Duration.ofSeconds(60))));
            // Its PostgreSQL outlived the graceful shutdown (it is stopped with the context, not by
            // a JVM shutdown hook of its own), so the stop's last full-text checkpoint was written.
            if (!server.log().contains("Full-text checkpoint recorded at this stop")) {
                failures.add("the SIGTERM stop recorded no full-text checkpoint (was the database stopped before the server?)");
            }
        }
        out.accept(failures.isEmpty() ? "RESULT: every scenario passed" : "RESULT: " + failures.size() + " failure(s)");
        failures.forEach(f -> out.accept("FAILURE " + f));
        return failures;
    }

    private void crash(String scenario, boolean withPostmaster) throws Exception {
        SyncLoad load = newLoad(withPostmaster ? "b" : "a", settings.batches());
        long t0 = System.nanoTime();
        load.start();
        load.awaitAcknowledged(settings.batches() / 3);
        int acknowledged = load.acknowledged();
        int inFlight = load.inFlight();
        Optional<ProcessHandle> postmaster = server.postmaster();
        long killed = System.nanoTime();
        if (withPostmaster && postmaster.isPresent()) {
            ServerProcess.signal("-KILL", postmaster.get().pid());
        }
        server.killJvm();
        String orphan = "no postmaster was running";
        if (postmaster.isPresent()) {
            boolean gone = postmaster.get().onExit().completeOnTimeout(null, 30, java.util.concurrent.TimeUnit.SECONDS).get() != null
                    || !postmaster.get().isAlive();
            orphan = gone ? String.format("postmaster gone %.1f s after the kill", (System.nanoTime() - killed) / 1e9)
                    : "postmaster STILL RUNNING 30 s after the JVM died (orphan)";
            if (!gone) {
                failures.add(scenario + ": the embedded postmaster outlived the killed JVM by 30 s");
            }
        }
        double restart = server.startAndAwaitReady(START_LIMIT);
        boolean finished = load.awaitDone();
        out.accept(String.format("%s: killed after %d of %d batches were acknowledged, %d in flight; %s;"
                        + " restarted and ready after %.1f s; %s; every device done %.1f s after the start%s",
                scenario, acknowledged, settings.batches(), inFlight, orphan, restart, attempts(load, killed),
                (System.nanoTime() - t0) / 1e9, finished ? "" : " (NOT all done at the deadline)"));
        verify(scenario, load);
    }

    private void databaseStopped(String scenario) throws Exception {
        SyncLoad load = newLoad("c", settings.batches());
        load.start();
        load.awaitAcknowledged(settings.batches() / 3);
        int acknowledged = load.acknowledged();
        ProcessHandle postmaster = server.postmaster().orElseThrow(() -> new IllegalStateException("no postmaster running"));
        long stopped = System.nanoTime();
        ServerProcess.signal("-INT", postmaster.pid());
        double down = awaitReadiness(503, stopped, Duration.ofSeconds(30));
        int liveness = livenessStatus();
        double up = awaitReadiness(200, stopped, Duration.ofMinutes(3));
        Optional<ProcessHandle> restarted = server.postmaster();
        boolean finished = load.awaitDone();
        SyncLoad.Answers answers = load.answersBetween(stopped, Long.MAX_VALUE);
        long after = load.batches().stream().filter(b -> b.acknowledgedAtNanos > stopped + (long) (up * 1e9)).count();
        out.accept(String.format("%s: stopped after %d of %d batches were acknowledged; readiness 503 after %s (target 2 s: %s),"
                        + " liveness meanwhile %d; answers to pushes from the stop on, by status (0 = no answer): %s;"
                        + " 503 without Retry-After %d, bodies with SQL or internals %d; the server started PostgreSQL again"
                        + " (postmaster %s) and was ready %s after the stop; %d batches acknowledged after that%s",
                scenario, acknowledged, settings.batches(), down < 0 ? "NEVER (30 s)" : String.format("%.2f s", down),
                down >= 0 && down <= 2 ? "met" : "MISSED", liveness, answers.statuses(), answers.withoutRetryAfter(), answers.leaking(),
                restarted.map(p -> p.pid() == postmaster.pid() ? "the same pid?" : "pid " + p.pid() + ", was " + postmaster.pid())
                        .orElse("NOT running"),
                up < 0 ? "NEVER (3 min)" : String.format("%.1f s", up), after, finished ? "" : " (NOT all done at the deadline)"));
        if (down < 0 || down > 10) {
            failures.add(scenario + ": readiness did not answer 503 within 10 s of the stop");
        }
        failures.addAll(answers.failures(scenario, "the database was away"));
        if (up < 0 || restarted.isEmpty()) {
            failures.add(scenario + ": the server did not start its PostgreSQL again");
        }
        verify(scenario, load);
    }

    private void verify(String scenario, SyncLoad load) throws IOException, InterruptedException {
        for (SyncLoad.Batch batch : load.batches()) {
            if (batch.failure != null) {
                failures.add(scenario + ": batch " + batch.key + " " + batch.failure);
            }
        }
        failures.addAll(checks.verify(scenario, load.batches(), load.family(), out).stream().map(f -> scenario + ": " + f).toList());
    }

    private SyncLoad newLoad(String tag, int batches) {
        return new SyncLoad(server.fhirBase(), device, Math.min(settings.devices(), batches), batches,
                "Faute" + tag + randomLetters(8), MAX_BACK_OFF, settings.scenarioLimit());
    }

    /** Retries, replays and the answers seen from {@code since} on. */
    static String attempts(SyncLoad load, long since) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        int retries = 0;
        int replays = 0;
        for (SyncLoad.Batch batch : load.batches()) {
            List<SyncLoad.Attempt> attempts = List.copyOf(batch.attempts);
            retries += Math.max(0, attempts.size() - 1);
            replays += batch.replayed ? 1 : 0;
            attempts.stream().filter(a -> a.atNanos() >= since).forEach(a -> statuses.merge(a.status(), 1, Integer::sum));
        }
        return String.format("%d retries, %d batches answered as replays (committed before their answer was lost);"
                + " answers from the fault on, by status (0 = no answer): %s", retries, replays, statuses);
    }

    private double awaitReadiness(int status, long since, Duration limit) throws InterruptedException {
        while (System.nanoTime() - since < limit.toNanos()) {
            if (server.readiness() == status) {
                return (System.nanoTime() - since) / 1e9;
            }
            Thread.sleep(50);
        }
        return -1;
    }

    private int livenessStatus() {
        try {
            return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(server.actuator("health/liveness"))).GET().build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static String randomLetters(int count) {
        SecureRandom random = new SecureRandom();
        StringBuilder letters = new StringBuilder();
        for (int i = 0; i < count; i++) {
            letters.append((char) ('a' + random.nextInt(26)));
        }
        return letters.toString();
    }
}
