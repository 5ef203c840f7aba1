package ml.santerurale.server.load;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import ml.santerurale.server.load.Tally.Outcome;
import ml.santerurale.server.support.TestTokens;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The long drills, run by bench/load.sh (bench/README.md, "Load and soak drills"): its own token
 * issuer ({@link TestTokens}: the server the script starts trusts it), then, with the server's
 * address from the handshake directory, either the load drill (peak at each site count, then
 * multiples of the peak until the server gives way) or the soak (one site count at the peak for a
 * long time). Exit status 1 when anything was lost, doubled or half-written, or a 5xx other than
 * 503 was answered; for the soak also on any error, on memory that grows where it can leak (the
 * JVM's resident memory, PostgreSQL's long-lived processes, any backend past its limit, shared
 * memory past its configured size: {@link PostgresMemoryVerdict}), or on a committed audit event
 * waiting in the outbox more than 5 s ({@link OutboxWait}).
 *
 * <pre>java -cp &lt;test classpath&gt; ml.santerurale.server.load.LoadDrillMain &lt;handshakeDir&gt; load|soak</pre>
 */
public final class LoadDrillMain {

    static final double SOAK_OUTBOX_LIMIT_SECONDS = 5;

    private LoadDrillMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !Files.isDirectory(Path.of(args[0])) || !List.of("load", "soak").contains(args[1])) {
            System.err.println("usage: LoadDrillMain <handshakeDir> load|soak (run by bench/load.sh)");
            System.exit(2);
        }
        Path handshake = Path.of(args[0]);
        Path tmp = handshake.resolve("issuer.tmp");
        Files.writeString(tmp, TestTokens.ISSUER + "\n" + TestTokens.get().jwksUri() + "\n");
        Files.move(tmp, handshake.resolve("issuer"), StandardCopyOption.ATOMIC_MOVE);
        Server server = Server.await(handshake.resolve("go"), Duration.ofMinutes(10));
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setUrl("jdbc:postgresql://127.0.0.1:" + server.pgPort() + "/postgres");
        database.setUser("postgres");
        database.setApplicationName(ServerGauges.APPLICATION_NAME);
        List<Integer> siteSteps = ints(env("SRM_LOAD_SITES", "50,500"));
        int maxSites = siteSteps.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Duration step = Duration.ofSeconds(Long.parseLong(env("SRM_LOAD_STEP_SECONDS", "120")));
        Duration drain = Duration.ofSeconds(Long.parseLong(env("SRM_LOAD_DRAIN_SECONDS", "300")));
        System.out.printf(Locale.ROOT, "Server %s (pid %d), ready after %s ms; 1-min load average %.2f on %d CPUs%n", server.fhirBase(),
                server.pid(), server.startupMs(), ServerGauges.loadAverage(), Runtime.getRuntime().availableProcessors());
        int rc;
        try (InputStream catalogue = catalogue();
                Drills drills = new Drills(server.fhirBase(), database, true, server.pid(), catalogue, maxSites)) {
            rc = "load".equals(args[1]) ? load(drills, siteSteps, step, drain) : soak(drills, maxSites, drain);
        }
        System.exit(rc);
    }

    private static int load(Drills drills, List<Integer> siteSteps, Duration step, Duration drain) throws Exception {
        List<StepReport> reports = new ArrayList<>();
        for (int sites : siteSteps) {
            reports.add(drills.step(LoadProfile.peak(sites, step)));
        }
        List<Double> multipliers = ints(env("SRM_LOAD_MULTIPLIERS", "10,20,40,80")).stream().map(Integer::doubleValue).toList();
        reports.addAll(drills.stepUp(LoadProfile.peak(siteSteps.get(siteSteps.size() - 1), step), multipliers));
        if (reports.get(reports.size() - 1).gaveWay().isEmpty()) {
            System.out.println("\nThe server kept up with every step (SRM_LOAD_MULTIPLIERS for more)");
        }
        StorageCheck.Result stored = drills.finish(drain);
        long serverErrors = reports.stream().mapToLong(StepReport::serverErrors).sum() + drills.drainServerErrors();
        if (serverErrors > 0) {
            System.out.println("FAILED: " + serverErrors + " answers were 5xx other than 503");
        }
        if (!stored.clean()) {
            System.out.println("FAILED: batches lost, doubled or half-written (above)");
        }
        return stored.clean() && serverErrors == 0 ? 0 : 1;
    }

    private static int soak(Drills drills, int sites, Duration drain) throws Exception {
        long minutes = Long.parseLong(env("SRM_LOAD_SOAK_MINUTES", "30"));
        long errors = 0;
        double worstOutboxWait = 0, worstOutboxAge = 0;
        for (long m = 1; m <= minutes; m++) {
            StepReport minute = drills.step(LoadProfile.peak(sites, Duration.ofMinutes(1)));
            Tally t = minute.step().tally;
            errors += t.count(Outcome.THROTTLED_429) + t.count(Outcome.UNAVAILABLE_503) + t.count(Outcome.CLIENT_ERROR_4XX)
                    + t.count(Outcome.SERVER_ERROR_5XX) + t.count(Outcome.TRANSPORT);
            worstOutboxWait = Math.max(worstOutboxWait, minute.worstOutboxWaitSeconds());
            worstOutboxAge = Math.max(worstOutboxAge, minute.worstOutboxSeconds());
            ServerGauges.PostgresMemory pg = minute.after().postgres();
            System.out.printf(Locale.ROOT, "SOAK minute %d/%d: JVM RSS %d MB, PostgreSQL PSS %d MB (shared %d, private %d, of which"
                            + " server processes %.1f; largest backend %.1f MB, %d backends, oldest %d s), outbox wait %.1f s"
                            + " (age %.1f s), errors so far %d, load average %.2f%n", m, minutes, minute.after().jvmRssKb() / 1024,
                    pg.pssKb() / 1024, pg.sharedKb() / 1024, pg.privateKb() / 1024, pg.serverPrivateKb() / 1024.0,
                    pg.largestBackendPrivateKb() / 1024.0, pg.clientBackends(), pg.oldestBackendSeconds(),
                    minute.worstOutboxWaitSeconds(), minute.worstOutboxSeconds(), errors, minute.after().loadAverage());
        }
        MemoryTrend jvm = MemoryTrend.of(drills.samples(), 0.25, ServerGauges.Sample::jvmRssKb);
        PostgresMemoryVerdict postgres = PostgresMemoryVerdict.of(drills.samples(), 0.25, drills.postgresSharedMemoryKb());
        System.out.println("\nSoak memory: JVM RSS after the first quarter " + jvm);
        postgres.lines().forEach(System.out::println);
        System.out.printf(Locale.ROOT, "Soak: %d errors; audit outbox: longest wait of a committed event %.1f s (limit %.0f s),"
                + " worst age since its transaction began %.1f s%n", errors, worstOutboxWait, SOAK_OUTBOX_LIMIT_SECONDS, worstOutboxAge);
        StorageCheck.Result stored = drills.finish(drain);
        boolean ok = stored.clean() && errors == 0 && drills.drainServerErrors() == 0 && !jvm.grows() && postgres.ok()
                && worstOutboxWait <= SOAK_OUTBOX_LIMIT_SECONDS;
        System.out.println(ok ? "SOAK PASSED" : "SOAK FAILED");
        return ok ? 0 : 1;
    }

    private static InputStream catalogue() throws IOException {
        String file = System.getenv("SRM_SITES_FILE");
        if (file != null && !file.isBlank()) {
            return Files.newInputStream(Path.of(file.replaceFirst("^file:", "")));
        }
        return LoadDrillMain.class.getResourceAsStream("/sites/mali-sites.json");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    private static List<Integer> ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(Integer::parseInt).toList();
    }

    /** The server the script started, from its {@code go} file (bench/harness.sh). */
    record Server(String fhirBase, long pid, String pgPort, String startupMs) {
        static Server await(Path go, Duration limit) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + limit.toNanos();
            while (!Files.exists(go)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no " + go + " after " + limit.toSeconds() + " s");
                }
                Thread.sleep(50);
            }
            String base = null, pid = null, pg = null, startup = "?";
            for (String line : Files.readAllLines(go)) {
                String[] kv = line.split("=", 2);
                if (kv.length == 2) {
                    switch (kv[0]) {
                        case "base_url" -> base = kv[1].trim().replaceAll("/$", "");
                        case "pid" -> pid = kv[1].trim();
                        case "pg_port" -> pg = kv[1].trim();
                        case "startup_ms" -> startup = kv[1].trim();
                        default -> { }
                    }
                }
            }
            if (base == null || pid == null || pg == null) {
                throw new IllegalStateException(go + " names no base_url, pid or pg_port");
            }
            return new Server(base + "/fhir", Long.parseLong(pid), pg, startup);
        }
    }
}
