package ml.santerurale.server.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ml.santerurale.server.load.Tally.Outcome;

/**
 * The figures of one step, as printed: per interaction the offered rate, attempts and outcomes
 * and the latency percentiles of the successful ones; the server's CPU and memory, the audit
 * outbox's worst age (since the writing transaction began) and longest wait of a committed event
 * ({@link OutboxWait}), the host's load average; and whether, and how, the server gave way.
 */
record StepReport(LoadProfile profile, LoadDrill.Step step, ServerGauges.Sample before, ServerGauges.Sample after,
                  double worstOutboxSeconds, double worstOutboxWaitSeconds, long worstOutboxRows, int backlog) {

    /** A step gives way when the p95 of pushes is beyond this (ms), whatever else happens. */
    static final long PUSH_P95_LIMIT_MS = 10_000;

    long serverErrors() {
        return step.tally.serverErrors();
    }

    /** How the server gave way in this step; empty when it kept up. */
    List<String> gaveWay() {
        List<String> how = new ArrayList<>();
        Tally t = step.tally;
        if (t.count(Outcome.THROTTLED_429) > 0) {
            how.add(t.count(Outcome.THROTTLED_429) + " x 429 (rate limits)");
        }
        if (t.count(Outcome.UNAVAILABLE_503) > 0) {
            how.add(t.count(Outcome.UNAVAILABLE_503) + " x 503");
        }
        if (t.count(Outcome.SERVER_ERROR_5XX) > 0) {
            how.add(t.count(Outcome.SERVER_ERROR_5XX) + " x other 5xx (NOT a correct way to give way)");
        }
        if (t.count(Outcome.TRANSPORT) > 0) {
            how.add(t.count(Outcome.TRANSPORT) + " requests timed out or lost their connection");
        }
        long p95 = t.of(Interaction.PUSH).percentile(95);
        if (p95 > PUSH_P95_LIMIT_MS) {
            how.add("push p95 " + p95 + " ms > " + PUSH_P95_LIMIT_MS + " ms");
        }
        long offered = step.arrivals.get(Interaction.PUSH).get();
        if (backlog > Math.max(5, offered / 10)) {
            how.add(backlog + " batches waiting in the devices' outboxes at the end of the step (offered " + offered + ")");
        }
        return how;
    }

    void print() {
        double seconds = (after.nanos() - before.nanos()) / 1e9;
        System.out.printf(Locale.ROOT, "%n== %s, %d devices (%.0f s) ==%n", profile, devicesOf(), seconds);
        String format = "  %-24s %8s %8s %6s %5s %5s %5s %5s %5s %7s %7s %7s %7s%n";
        System.out.printf(Locale.ROOT, format, "interaction", "offer/s", "attempts", "ok", "429", "503", "4xx", "5xx", "lost",
                "p50 ms", "p95 ms", "p99 ms", "max ms");
        for (Interaction i : Interaction.values()) {
            Tally.Series s = step.tally.of(i);
            System.out.printf(Locale.ROOT, format, i.label, String.format(Locale.ROOT, "%.2f", step.arrivals.get(i).get() / seconds),
                    s.attempts(), s.count(Outcome.OK), s.count(Outcome.THROTTLED_429), s.count(Outcome.UNAVAILABLE_503),
                    s.count(Outcome.CLIENT_ERROR_4XX), s.count(Outcome.SERVER_ERROR_5XX), s.count(Outcome.TRANSPORT),
                    s.percentile(50), s.percentile(95), s.percentile(99), s.percentile(100));
        }
        System.out.printf(Locale.ROOT, "  push retries %d, replayed answers %d, most requests in flight %d, batches waiting at the end %d%n",
                step.retried.get(), step.replayed.get(), step.maxInFlight.get(), backlog);
        double jvm = after.cpuSecondsServerSince(before), pg = after.cpuSecondsPostgresSince(before);
        System.out.printf(Locale.ROOT, "  CPU: server JVM %.1f s (%.0f %% of a core), PostgreSQL %.1f s (%.0f %%)%n",
                jvm, jvm * 100 / seconds, pg, pg * 100 / seconds);
        ServerGauges.PostgresMemory memory = after.postgres();
        System.out.printf(Locale.ROOT, "  memory at the end: JVM RSS %d MB, PostgreSQL PSS %d MB (shared %d MB, private %d MB;"
                        + " %d client backends, the largest %.1f MB private)%n",
                after.jvmRssKb() / 1024, memory.pssKb() / 1024, memory.sharedKb() / 1024, memory.privateKb() / 1024,
                memory.clientBackends(), memory.largestBackendPrivateKb() / 1024.0);
        System.out.printf(Locale.ROOT, "  audit outbox: longest wait after commit %.1f s, worst age %.1f s, most rows %d;"
                        + " 1-min load average %.2f -> %.2f on %d CPUs%n",
                worstOutboxWaitSeconds, worstOutboxSeconds, worstOutboxRows, before.loadAverage(), after.loadAverage(),
                Runtime.getRuntime().availableProcessors());
        List<String> how = gaveWay();
        System.out.println(how.isEmpty() ? "  kept up" : "  GAVE WAY: " + String.join("; ", how));
    }

    private int devicesOf() {
        int devices = 0;
        for (int i = 0; i < profile.sites(); i++) {
            devices += LoadProfile.devicesOf(i);
        }
        return devices;
    }

    /** One line of JSON for machines. */
    String json() {
        StringBuilder sb = new StringBuilder("{");
        sb.append(String.format(Locale.ROOT, "\"sites\":%d,\"multiplier\":%s,\"seconds\":%d", profile.sites(), profile.multiplier(),
                profile.duration().toSeconds()));
        for (Interaction i : Interaction.values()) {
            Tally.Series s = step.tally.of(i);
            String k = i.name().toLowerCase(Locale.ROOT);
            sb.append(String.format(Locale.ROOT, ",\"%s_ok\":%d,\"%s_p50\":%d,\"%s_p95\":%d,\"%s_p99\":%d", k, s.count(Outcome.OK),
                    k, s.percentile(50), k, s.percentile(95), k, s.percentile(99)));
        }
        sb.append(String.format(Locale.ROOT, ",\"429\":%d,\"503\":%d,\"5xx\":%d,\"lost\":%d,\"outbox_worst_s\":%.1f,\"outbox_wait_s\":%.1f,"
                        + "\"jvm_rss_mb\":%d,\"pg_pss_mb\":%d,\"pg_shared_mb\":%d,\"pg_private_mb\":%d,\"load_before\":%.2f,"
                        + "\"load_after\":%.2f}",
                step.tally.count(Outcome.THROTTLED_429), step.tally.count(Outcome.UNAVAILABLE_503), serverErrors(),
                step.tally.count(Outcome.TRANSPORT), worstOutboxSeconds, worstOutboxWaitSeconds, after.jvmRssKb() / 1024,
                after.postgresPssKb() / 1024, after.postgres().sharedKb() / 1024, after.postgres().privateKb() / 1024,
                before.loadAverage(), after.loadAverage()));
        return sb.append('}').toString();
    }
}
