import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Feed lag benchmark (issue 11 item 7; not a test, see bench/README.md): how far the sync feed
 * ({@code GET /fhir/_history?_since=}, docs/SYNC.md section 6) trails the newest commit while
 * the server is loaded with writes.
 *
 * <pre>bench/feed-lag.sh</pre>
 *
 * <p>Compiled together with {@link SyncBenchmark}, whose token issuer, handshake, sync batches,
 * push, feed-page checks and CPU accounting it uses as they are. For {@code SRM_LAG_SECONDS}:
 * <ul>
 *   <li>{@code SRM_LAG_WRITERS} devices of CSCOM Konobougou each push 100-record sync batches
 *       back to back (one connection each), and after every 2xx pull the feed from the
 *       {@code meta.lastUpdated} their previous pull handed out, as a phone does after a push.
 *       A batch whose 100 records are not all in that very next pull is an <b>own-write miss</b>.</li>
 *   <li>One poller of the same site pulls {@code _since=} the instant its previous pull handed out,
 *       again and again (pause {@code SRM_LAG_POLL_MS}), following every {@code next} link, and
 *       notes when each version first arrived (the time its page was received).</li>
 * </ul>
 * A write's <b>lag</b> is the time from its 2xx answer to the arrival of the last of its 100
 * records at the poller; a record that arrived before its writer had the answer counts 0.
 * After the writers stop, the poller goes on until every record arrived (at most
 * {@code SRM_LAG_GRACE_SECONDS}): a record that never arrives is an error (exit status 1).
 *
 * <p>Does not measure: the lag as a phone on 3G sees it (add the link's round trips; see
 * sync.sh); a resolution finer than one poll cycle (reported: the lag includes up to one cycle of waiting).
 */
public class FeedLagBenchmark extends SyncBenchmark {

    final int writers = envInt("SRM_LAG_WRITERS", 4);
    final int seconds = envInt("SRM_LAG_SECONDS", 60);
    final int warmupBatches = envInt("SRM_LAG_WARMUP", 5);
    final int pollPauseMs = envInt("SRM_LAG_POLL_MS", 50);
    final int graceSeconds = envInt("SRM_LAG_GRACE_SECONDS", 30);

    /** "Type/id" (version 1) -> System.nanoTime() when the poller first received it. */
    final Map<String, Long> arrived = new ConcurrentHashMap<>();
    final List<Write> writes = Collections.synchronizedList(new ArrayList<>());
    final List<Long> pollCycles = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger ownMisses = new AtomicInteger();
    final AtomicInteger ownPulls = new AtomicInteger();

    /** One answered sync batch: its records, when its writer had the 2xx, how long the push took. */
    record Write(List<String> ids, long answeredAt, long pushMs) {}

    FeedLagBenchmark() throws Exception {
        super();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: java -cp <classes> FeedLagBenchmark <handshakeDir> (run by bench/feed-lag.sh)");
            System.exit(2);
        }
        issueTokensAndRun(new FeedLagBenchmark(), Path.of(args[0]));
    }

    @Override
    synchronized void error(String message) {
        super.error(message);
    }

    @Override
    int run() throws Exception {
        System.out.printf("Host: %d CPUs; 1-min load average before the server started %s, now %s%n",
                Runtime.getRuntime().availableProcessors(), env("SRM_BENCH_LOADAVG_BEFORE", "?"), loadAverage());
        String token = bearer(SITE_A);   // minted once, before any thread reads the cache
        HttpClient warm = client();
        for (int b = 0; b < warmupBatches; b++) {
            Batch batch = batch(SITE_A, base, "lag-warmup");
            checkPush("warm-up batch " + b, push(warm, null, batch, SITE_A), batch);
        }
        String start = pull(warm, null, token, "first sync", null);
        if (start == null) {
            return 1;
        }
        System.out.printf("%n%d writers for %d s at %s, each pushing 100-record batches and pulling after each;"
                + " one poller (pause %d ms); load %s ...%n", writers, seconds, SITE_A, pollPauseMs, loadAverage());

        long outbox0 = outbox();
        Cpu cpu0 = cpu();
        double[] server0 = serverTime("transaction");
        AtomicBoolean writing = new AtomicBoolean(true);
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            String device = "lag-device-" + w;
            threads.add(started(new Thread(() -> write(device, token, start, deadline), device)));
        }
        Thread poller = started(new Thread(() -> poll(token, start, writing), "poller"));
        for (Thread t : threads) {
            t.join();
        }
        writing.set(false);
        Cpu cpu1 = cpu();
        double[] server1 = serverTime("transaction");
        poller.join();
        String load = loadAverage();

        return report(cpuReport("lag", cpu0, cpu1) + outboxReport(outbox0), mean(server0, server1), load);
    }

    static Thread started(Thread thread) {
        thread.start();
        return thread;
    }

    /** A device: push, then pull from where its previous pull ended, until the deadline. */
    void write(String device, String token, String since, long deadline) {
        HttpClient client = client();
        try {
            int n = 0;
            while (System.nanoTime() < deadline) {
                Batch batch = batch(SITE_A, base, device);
                Exchange x = push(client, null, batch, SITE_A);
                long answeredAt = System.nanoTime();
                if (!checkPush(device + " batch " + n++, x, batch)) {
                    continue;
                }
                writes.add(new Write(batch.ids, answeredAt, x.millis()));
                Set<String> own = new HashSet<>(batch.ids);
                String next = pull(client, own, token, device + " pull", since);
                ownPulls.incrementAndGet();
                if (!own.isEmpty()) {
                    ownMisses.incrementAndGet();
                }
                since = next == null ? since : next;
            }
        } catch (Exception e) {
            error(device + ": " + e);
        }
    }

    /** The poller: pull again and again; after the writers stop, until every record has arrived. */
    void poll(String token, String since, AtomicBoolean writing) {
        HttpClient client = client();
        long graceEnd = Long.MAX_VALUE;
        try {
            while (true) {
                if (!writing.get()) {
                    graceEnd = Math.min(graceEnd, System.nanoTime() + graceSeconds * 1_000_000_000L);
                    if (allArrived() || System.nanoTime() > graceEnd) {
                        return;
                    }
                }
                long t0 = System.nanoTime();
                String next = pull(client, null, token, "poller", since);
                pollCycles.add((System.nanoTime() - t0) / 1_000_000);
                since = next == null ? since : next;
                Thread.sleep(pollPauseMs);
            }
        } catch (Exception e) {
            error("poller: " + e);
        }
    }

    boolean allArrived() {
        synchronized (writes) {
            return writes.stream().allMatch(w -> arrived.keySet().containsAll(w.ids));
        }
    }

    /**
     * One pull ({@code _since}, or a first sync when null), every page; removes what it received
     * from {@code expecting} (when given) and notes first arrivals (the poller, when not).
     * Returns the {@code meta.lastUpdated} to resume from, or null after an error.
     */
    String pull(HttpClient client, Set<String> expecting, String token, String what, String since) throws Exception {
        String url = base + "/fhir/_history?_count=" + INCREMENTAL_COUNT
                + (since == null ? "" : "&_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8));
        String handedOut = null;
        for (int page = 1; url != null; page++) {
            Exchange x = exchange(client, null, HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                    .header("Accept", "application/fhir+json").header("Accept-Encoding", "gzip")
                    .header("Authorization", "Bearer " + token).GET().build());
            long at = System.nanoTime();
            if (!checkFeedPage(what + " page " + page, x)) {
                return null;
            }
            handedOut = handedOut == null ? lastUpdated(x.body()) : handedOut;
            for (String[] e : feedEntries(x.body())) {
                String id = e[1] + "/" + e[2];
                if (expecting != null) {
                    expecting.remove(id);
                } else if ("1".equals(e[3])) {
                    arrived.putIfAbsent(id, at);
                }
            }
            url = nextLink(x.body());
        }
        if (handedOut == null) {
            error(what + ": no meta.lastUpdated to resume from");
        }
        return handedOut;
    }

    int report(String cpu, double serverMeanMs, String loadAfter) {
        List<Write> done = List.copyOf(writes);
        long[] lag = new long[done.size()];
        long[] push = new long[done.size()];
        int unseen = 0, early = 0;
        for (int i = 0; i < done.size(); i++) {
            Write w = done.get(i);
            long last = Long.MIN_VALUE;
            for (String id : w.ids) {
                Long at = arrived.get(id);
                if (at == null) {
                    unseen++;
                    last = Long.MAX_VALUE;
                    break;
                }
                last = Math.max(last, at);
            }
            early += last < w.answeredAt ? 1 : 0;
            lag[i] = last == Long.MAX_VALUE ? -1 : Math.max(0, (last - w.answeredAt) / 1_000_000);
            push[i] = w.pushMs;
        }
        if (unseen > 0) {
            error(unseen + " of " + done.size() + " writes never reached the poller within " + graceSeconds
                    + " s after the writers stopped");
        }
        long[] seen = Arrays.stream(lag).filter(l -> l >= 0).sorted().toArray();
        long[] cycles = pollCycles.stream().mapToLong(Long::longValue).sorted().toArray();
        Arrays.sort(push);
        if (seen.length == 0 || cycles.length == 0) {
            error("no write measured");
            return 1;
        }
        long max = seen[seen.length - 1];
        System.out.println();
        System.out.printf(Locale.ROOT, "Writes: %d batches of %d records in %d s by %d writers (%.1f batches/s); push p50 %d ms,"
                        + " p95 %d ms; server mean %.0f ms per transaction%n", done.size(), BATCH_ENTRIES, seconds, writers,
                done.size() / (double) seconds, percentile(push, 50), percentile(push, 95), serverMeanMs);
        System.out.printf("Poller: %d pulls, cycle p50 %d ms, max %d ms (the lag's resolution)%n", cycles.length,
                percentile(cycles, 50), cycles[cycles.length - 1]);
        System.out.printf("Feed lag (2xx answer -> last record at the poller): count %d, p50 %d ms, p95 %d ms, max %d ms;"
                        + " %d arrived before their writer's answer%n", seen.length, percentile(seen, 50), percentile(seen, 95),
                max, early);
        System.out.printf("Target: max lag under 1 s at full load: %s%n", max < 1000 ? "MET" : "NOT MET");
        System.out.printf("Own writes in the writer's very next pull: %d misses in %d pulls: %s%n", ownMisses.get(),
                ownPulls.get(), ownMisses.get() == 0 ? "MET" : "NOT MET");
        System.out.println(cpu + "; load average now " + loadAfter);
        result.num("writers", writers).num("seconds", seconds).num("writes", done.size())
                .num("push_p50_ms", percentile(push, 50)).num("server_mean_ms", round1(serverMeanMs))
                .num("poll_cycle_p50_ms", percentile(cycles, 50)).num("lag_count", seen.length)
                .num("lag_p50_ms", percentile(seen, 50)).num("lag_p95_ms", percentile(seen, 95)).num("lag_max_ms", max)
                .num("lag_under_1s", max < 1000 ? 1 : 0).num("own_pulls", ownPulls.get()).num("own_misses", ownMisses.get())
                .num("unseen", unseen).num("loadavg_after", parseDouble(loadAfter)).num("errors", errors.size());
        System.out.println(errors.isEmpty() ? "Every response checked: no error." : "ERRORS: " + errors.size());
        System.out.println("RESULT " + result);
        return errors.isEmpty() ? 0 : 1;
    }
}
