import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Sync benchmark of the Santé Rurale Mali FHIR server (not a test; see bench/README.md).
 *
 * <pre>java bench/SyncBenchmark.java &lt;handshakeDir&gt;</pre>
 *
 * <p>Started by bench/sync.sh. Like FoundationBenchmark it is its own token issuer: it serves a
 * JWKS on a free loopback port, writes {@code handshakeDir/issuer} and waits for
 * {@code handshakeDir/go} (lines {@code base_url=}, {@code pid=}, {@code startup_ms=}) describing
 * the server sync.sh started in between, trusting that issuer.
 *
 * <p>Measures the sync targets of issue 5 through links shaped by a <b>throttling TCP proxy
 * written here</b> ({@link ShapedLink}), not by tc netem: one-way latency of half the round trip in
 * each direction, and a token bucket per direction and per connection for the bandwidth.
 * <ol>
 *   <li>Loads {@value #DEFAULT_LOAD} resources into CSCOM Konobougou through unshaped loopback, in
 *       sync batches of 100 entries, then waits for the audit outbox to drain (read with psql
 *       when available).</li>
 *   <li>Pushes 100-record sync batches (20 consultations x Patient, Encounter, Observation,
 *       Condition, MedicationRequest; docs/SYNC.md) to CSCOM Djéli, gzip-compressed, unshaped, then
 *       through the 3G link, then through the 2G link: end-to-end time, bytes, server time.</li>
 *   <li>A fresh device of Konobougou pulls the whole feed ({@code GET /fhir/_history?_count=n},
 *       following {@code link[next]}) through the 3G link, once per page size.</li>
 *   <li>Pushes 100 more records to Konobougou, then pulls them incrementally
 *       ({@code _since=} the last feed's {@code meta.lastUpdated}) through the 3G link.</li>
 * </ol>
 * Every response is checked (status, entry counts, ids); any error makes the exit status 1.
 * Each phase reports the load average and the CPU seconds of the server JVM, PostgreSQL, this
 * program and every other process, so a concurrent build on the machine shows in the figures.
 * Prints figures, then one line {@code RESULT {json}}. Only the JDK is used.
 */
public class SyncBenchmark {

    // ---------------------------------------------------------------- settings

    static final int DEFAULT_LOAD = 20_000;
    static final int BATCH_CONSULTATIONS = 20;          // x 5 resources = 100 entries
    static final int BATCH_ENTRIES = 5 * BATCH_CONSULTATIONS;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(180);
    /** The incremental pull's page size: the largest the server serves (docs/SYNC.md: at most 500). */
    static final int INCREMENTAL_COUNT = 500;
    static final String FHIR_JSON = "application/fhir+json; charset=utf-8";

    /** The links: name, round trip (ms), downstream and upstream bit rate (bit/s). */
    static final LinkSpec LINK_3G = new LinkSpec("3G", 300, 1_000_000, 384_000);
    static final LinkSpec LINK_2G = new LinkSpec("2G", 600, 100_000, 100_000);

    /** The bench's own issuer: trusted only by the server sync.sh starts. */
    static final String ISSUER = "http://127.0.0.1/realms/sante-mali-bench";
    static final String AUDIENCE = "fhir-server";
    static final String KEY_ID = "bench-1";
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(600);

    static final String SITE_A = "CSCOM-KONOBOUGOU";   // holds the 20,000 resources; pulled
    static final String SITE_B = "CSCOM-DJELI";        // receives the timed pushes

    static final String KEY_SYSTEM = "https://sante-rurale.ml/fhir/sid/sync-batch";
    static final String DEVICE_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-device";
    static final String RECORDED_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-recorded";

    static final String[] FAMILY = {"Traoré", "Coulibaly", "Diarra", "Keïta", "Sangaré",
            "Konaté", "Dembélé", "Touré", "Sidibé", "Camara"};
    static final String[] GIVEN_F = {"Awa", "Fatoumata", "Aminata", "Kadiatou", "Mariam",
            "Oumou", "Assitan", "Djénéba", "Rokia", "Hawa"};
    static final String[] GIVEN_M = {"Moussa", "Mamadou", "Seydou", "Oumar", "Bakary",
            "Souleymane", "Modibo", "Adama", "Boubacar", "Ibrahim"};
    static final String[] CITY = {"Konobougou", "Djeli", "Barouéli"};
    /** ICD-10 code, its display, and the prescription: a code of the guide's essential-medicines list (ig/). */
    static final String[][] DIAGNOSES = {
            {"B54", "Paludisme, sans précision", "MEG-AL-20-120"},
            {"B50.9", "Paludisme à Plasmodium falciparum, sans précision", "MEG-ASU-60"},
            {"A09", "Diarrhée et gastro-entérite d'origine présumée infectieuse", "MEG-SRO"},
            {"J18.9", "Pneumopathie, sans précision", "MEG-AMX-250-D"},
            {"J06.9", "Infection aiguë des voies respiratoires supérieures", "MEG-PCM-500"},
            {"E43", "Malnutrition protéino-énergétique grave", "MEG-ATPE"},
            {"D50.9", "Anémie par carence en fer", "MEG-FEF"}};

    static final Pattern RESPONSE = Pattern.compile("\"response\"\\s*:");
    static final Pattern STATUS_201 = Pattern.compile("\"status\"\\s*:\\s*\"201");
    static final Pattern LOCATION = Pattern.compile("\"location\"\\s*:\\s*\"([A-Za-z]+/[^/\"]+)/_history/1\"");
    static final Pattern REQUEST_OPEN = Pattern.compile("\"request\"\\s*:\\s*\\{");
    /** METHOD Type/id/_history/n; a scope exit (docs/SYNC.md) is DELETE Type/id without a version (reported as version 0). */
    static final Pattern FEED_ENTRY = Pattern.compile(
            "\"request\"\\s*:\\s*\\{\\s*\"method\"\\s*:\\s*\"(POST|PUT|DELETE)\"\\s*,\\s*\"url\"\\s*:\\s*\"([A-Za-z]+)/([^/\"]+)(?:/_history/(\\d+))?\"");
    static final Pattern NEXT_LINK = Pattern.compile("\"relation\"\\s*:\\s*\"next\"\\s*,\\s*\"url\"\\s*:\\s*\"([^\"]+)\"");
    static final Pattern BUNDLE_TYPE = Pattern.compile("^\\s*\\{\\s*\"resourceType\"\\s*:\\s*\"Bundle\"");
    static final Pattern HISTORY_TYPE = Pattern.compile("\"type\"\\s*:\\s*\"history\"");
    /** The Bundle's own meta.lastUpdated: the first one before the entries (meta may hold extensions). */
    static final Pattern LAST_UPDATED = Pattern.compile("\"lastUpdated\"\\s*:\\s*\"([^\"]+)\"");

    static final Set<String> REFERENCE_TYPES = Set.of("Organization", "Location", "Practitioner", "PractitionerRole");

    String base;
    String pgPort;   // the embedded PostgreSQL's port, for psql (audit outbox backlog)
    long pid;
    Long startupMs;
    final KeyPair keys;
    final Random random = new Random(20261124L);
    final List<String> errors = new ArrayList<>();
    final Json result = new Json();
    final Map<String, String[]> tokens = new HashMap<>();
    boolean gzipRequests = true;

    final int load = envInt("SRM_SYNC_LOAD", DEFAULT_LOAD);
    final int warmup = envInt("SRM_SYNC_WARMUP", 3);
    final int measured = envInt("SRM_SYNC_BATCHES", 20);
    final int[] pageSizes = Arrays.stream(env("SRM_SYNC_PAGE_SIZES", "100,500,1000").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();

    SyncBenchmark() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        this.keys = generator.generateKeyPair();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: java bench/SyncBenchmark.java <handshakeDir> (run by bench/sync.sh)");
            System.exit(2);
        }
        SyncBenchmark bench = new SyncBenchmark();
        if (bench.load % BATCH_ENTRIES != 0 || bench.measured < 1 || bench.pageSizes.length == 0) {
            System.err.println("SRM_SYNC_LOAD must be a multiple of " + BATCH_ENTRIES
                    + ", SRM_SYNC_BATCHES at least 1, SRM_SYNC_PAGE_SIZES not empty");
            System.exit(2);
        }
        issueTokensAndRun(bench, Path.of(args[0]));
    }

    /**
     * Serves the JWKS, waits for the server the script starts meanwhile, runs {@code bench} and
     * exits with its status (also FeedLagBenchmark's).
     */
    static void issueTokensAndRun(SyncBenchmark bench, Path handshakeDir) throws Exception {
        HttpServer jwks = bench.serveJwks();
        int rc;
        try {
            bench.handshake(handshakeDir, "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs");
            rc = bench.run();
        } finally {
            jwks.stop(0);
        }
        System.exit(rc);
    }

    // ---------------------------------------------------------------- token issuer (as FoundationBenchmark)

    HttpServer serveJwks() throws IOException {
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        byte[] body = ("{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"" + KEY_ID + "\",\"use\":\"sig\",\"alg\":\"RS256\""
                + ",\"n\":\"" + b64(unsigned(pub.getModulus())) + "\",\"e\":\"" + b64(unsigned(pub.getPublicExponent()))
                + "\"}]}").getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/certs", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }

    void handshake(Path dir, String jwksUri) throws IOException, InterruptedException {
        Path tmp = dir.resolve("issuer.tmp");
        Files.writeString(tmp, ISSUER + "\n" + jwksUri + "\n");
        Files.move(tmp, dir.resolve("issuer"), StandardCopyOption.ATOMIC_MOVE);
        System.out.println("Token issuer " + ISSUER + ", JWKS " + jwksUri + "; waiting for the server ...");
        Path go = dir.resolve("go");
        long deadline = System.nanoTime() + HANDSHAKE_TIMEOUT.toNanos();
        while (!Files.exists(go)) {
            if (System.nanoTime() > deadline) {
                fail("no " + go + " after " + HANDSHAKE_TIMEOUT.toSeconds() + " s");
            }
            Thread.sleep(50);
        }
        for (String line : Files.readAllLines(go)) {
            String[] kv = line.split("=", 2);
            if (kv.length == 2 && kv[0].equals("base_url")) {
                String url = kv[1].trim();
                base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            } else if (kv.length == 2 && kv[0].equals("pid")) {
                pid = Long.parseLong(kv[1].trim());
            } else if (kv.length == 2 && kv[0].equals("pg_port") && !kv[1].isBlank()) {
                pgPort = kv[1].trim();
            } else if (kv.length == 2 && kv[0].equals("startup_ms") && !kv[1].isBlank()) {
                startupMs = Long.parseLong(kv[1].trim());
            }
        }
        if (pid <= 0 || base == null) {
            fail(go + " names no pid or no base_url");
        }
        if (!"127.0.0.1".equals(URI.create(base).getHost())) {
            fail("refusing to benchmark a host other than 127.0.0.1: " + base);
        }
    }

    /**
     * An RS256 access token shaped like Keycloak's for a care worker (role soignant) of one site,
     * minted again after 30 minutes (tokens are valid for an hour).
     */
    String bearer(String site) throws Exception {
        return bearer(site, "soignant");
    }

    /** The same for another role ({@code admin}: no site). */
    String bearer(String site, String role) throws Exception {
        String[] cached = tokens.get(role + " " + site);
        long now = Instant.now().getEpochSecond();
        if (cached != null && now - Long.parseLong(cached[1]) < 1800) {
            return cached[0];
        }
        String user = role + ".bench." + site.toLowerCase(Locale.ROOT).replace("cscom-", "");
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KEY_ID + "\"}";
        String payload = "{\"iss\":" + str(ISSUER)
                + ",\"aud\":[" + str(AUDIENCE) + "]"
                + ",\"typ\":\"Bearer\""
                + ",\"sub\":\"" + UUID.nameUUIDFromBytes(user.getBytes(StandardCharsets.UTF_8)) + "\""
                + ",\"jti\":\"" + UUID.randomUUID() + "\""
                + ",\"iat\":" + now + ",\"exp\":" + (now + 3600)
                + ",\"azp\":\"sync-bench\""
                + ",\"preferred_username\":" + str(user)
                + ",\"realm_access\":{\"roles\":[" + str(role) + "]}"
                + ",\"site_ids\":[" + (role.equals("admin") ? "" : str(site)) + "]}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(keys.getPrivate());
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        String token = signingInput + "." + b64(rsa.sign());
        tokens.put(role + " " + site, new String[] {token, Long.toString(now)});
        return token;
    }

    // ---------------------------------------------------------------- the run

    int run() throws Exception {
        if (startupMs != null) {
            result.num("startup_ms", startupMs);
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        String before = env("SRM_BENCH_LOADAVG_BEFORE", "");
        System.out.printf("Host: %d CPUs; 1-min load average before the server started %s, now %s%n",
                cpus, before.isEmpty() ? "?" : before, loadAverage());
        result.num("cpus", cpus);
        if (!before.isEmpty()) {
            result.num("loadavg_before", parseDouble(before));
        }
        System.out.println("Network shaping: an in-process throttling TCP proxy in this benchmark (not tc netem):");
        for (LinkSpec spec : List.of(LINK_3G, LINK_2G)) {
            System.out.println("  " + spec.describe());
        }

        for (LinkSpec spec : List.of(LINK_3G, LINK_2G)) {
            calibrate(spec, spec.downBps / 8 * 2, spec.upBps / 8 * 2);   // about 2 s of each direction
        }

        Map<String, Long> konobougou = new LinkedHashMap<>();   // Type/id -> version, what site A holds
        Map<String, Long> djeli = new LinkedHashMap<>();

        try (ShapedLink g3 = new ShapedLink(LINK_3G, URI.create(base));
             ShapedLink g2 = new ShapedLink(LINK_2G, URI.create(base))) {

            // 1. Load, then let the audit drainer catch up (a site's data accumulates over months, not minutes)
            loadSite(konobougou);
            System.out.println();
            System.out.println("After the load:");
            awaitAuditDrain("drain_after_load");

            // 2. Push
            List<String[]> pushRows = new ArrayList<>();
            pushRows.add(pushPhase("loopback", null, djeli));
            pushRows.add(pushPhase("3G", g3, djeli));
            pushRows.add(pushPhase("2G", g2, djeli));

            // 3. Initial sync, the outbox drained first
            System.out.println();
            System.out.println("Before the initial syncs:");
            awaitAuditDrain("drain_before_pull");
            List<String[]> pullRows = new ArrayList<>();
            String lastSince = null;
            Map<String, Long> firstReference = null;
            for (int size : pageSizes) {
                Pull pull = initialSync(g3, size, konobougou, djeli);
                pullRows.add(pull.row);
                lastSince = pull.lastUpdated;
                if (firstReference == null) {
                    firstReference = pull.reference;
                } else if (!firstReference.equals(pull.reference)) {
                    error("initial sync, _count=" + size + ": shared reference data differs from the first feed ("
                            + pull.reference.size() + " vs " + firstReference.size() + " versions)");
                }
            }

            // 4. Incremental pull
            String[] incremental = lastSince == null ? null : incrementalPull(g3, lastSince, djeli);

            // Tables
            System.out.println();
            System.out.println("Push: one 100-record sync batch (gzip " + (gzipRequests ? "on" : "OFF")
                    + "), " + measured + " batches after " + warmup + " warm-up");
            printTable(new String[] {"link", "p50 ms", "p95 ms", "max ms", "up B/batch", "down B/batch",
                    "server mean ms", "load"}, pushRows);
            System.out.println();
            System.out.println("Initial sync of " + SITE_A + " through 3G (fresh device, whole feed)");
            printTable(new String[] {"_count", "total s", "pages", "entries", "down B", "up B", "server s",
                    "server ms/page", "RTTs s", "transfer s", "load"}, pullRows);
            if (incremental != null) {
                System.out.println();
                System.out.println("Incremental pull through 3G: " + String.join(", ", incremental));
            }
        }

        result.num("loadavg_after", parseDouble(loadAverage()));
        result.num("errors", errors.size());
        System.out.println();
        if (!errors.isEmpty()) {
            System.out.println("ERRORS (" + errors.size() + "):");
            errors.stream().limit(20).forEach(e -> System.out.println("  " + e));
        } else {
            System.out.println("Every response checked: no error.");
        }
        System.out.println("RESULT " + result);
        return errors.isEmpty() ? 0 : 1;
    }

    /** Phase 1: {@link #load} resources into site A, in sync batches of 100, unshaped. */
    void loadSite(Map<String, Long> site) throws Exception {
        int batches = load / BATCH_ENTRIES;
        System.out.printf("%nLoading %,d resources into %s through unshaped loopback: %d sync batches of %d entries"
                + " (load %s) ...%n", load, SITE_A, batches, BATCH_ENTRIES, loadAverage());
        HttpClient client = client();
        double[] server0 = serverTime("transaction");
        Cpu cpu0 = cpu();
        long t0 = System.nanoTime();
        long[] ms = new long[batches];
        for (int b = 0; b < batches; b++) {
            Batch batch = batch(SITE_A, base, "bench-loader");
            Exchange x = push(client, null, batch, SITE_A);
            if (b == 0 && (x.status == 400 || x.status == 415)) {
                // Does the server take Content-Encoding: gzip request bodies? If not, say so and send identity.
                System.out.println("  the server refused a gzip request body (HTTP " + x.status + "): " + head(x.body));
                System.out.println("  sending request bodies uncompressed from now on");
                gzipRequests = false;
                batch = batch(SITE_A, base, "bench-loader");
                x = push(client, null, batch, SITE_A);
            } else if (b == 0 && x.status == 200) {
                System.out.println("  the server accepts gzip request bodies (Content-Encoding: gzip): 200 on the first batch");
            }
            ms[b] = x.millis;
            if (checkPush("load batch " + b, x, batch)) {
                batch.ids.forEach(id -> site.put(id, 1L));
            } else if (errors.size() >= 3) {
                fail("loading failed " + errors.size() + " times; nothing else is worth measuring");
            }
            if ((b + 1) % 25 == 0) {
                System.out.printf("  %d/%d batches, %.0f s, last %d ms (load %s)%n", b + 1, batches,
                        (System.nanoTime() - t0) / 1e9, ms[b], loadAverage());
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] server1 = serverTime("transaction");
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        double serverMean = mean(server0, server1);
        System.out.printf("  loaded %,d resources in %.1f s (%.0f resources/s); per batch p50 %d ms, p95 %d ms;"
                + " server mean %.0f ms (load %s)%n", batches * BATCH_ENTRIES, seconds, batches * BATCH_ENTRIES / seconds,
                percentile(sorted, 50), percentile(sorted, 95), serverMean, loadAverage());
        System.out.println("  " + cpuReport("load", cpu0, cpu()));
        result.num("load_resources", batches * BATCH_ENTRIES).num("load_s", round1(seconds))
                .num("load_batch_p50_ms", percentile(sorted, 50)).num("load_batch_p95_ms", percentile(sorted, 95))
                .num("load_server_mean_ms", round1(serverMean));
    }

    /** Phase 2: warm-up then measured 100-record batches to site B through one link (null: loopback). */
    String[] pushPhase(String name, ShapedLink link, Map<String, Long> site) throws Exception {
        String target = link == null ? base : link.base();
        System.out.printf("%nPush to %s through %s: %d warm-up + %d measured batches of %d entries (load %s) ...%n",
                SITE_B, link == null ? "unshaped loopback" : link.spec.describe(), warmup, measured, BATCH_ENTRIES,
                loadAverage());
        HttpClient client = client();   // one device, one connection kept alive for the session
        long connections0 = link == null ? 0 : link.connections.get();
        for (int b = 0; b < warmup; b++) {
            Batch batch = batch(SITE_B, target, "bench-device-" + name);
            Exchange x = push(client, link, batch, SITE_B);
            if (checkPush(name + " warm-up batch " + b, x, batch)) {
                batch.ids.forEach(id -> site.put(id, 1L));
            }
        }
        String loadAtStart = loadAverage();
        long outbox0 = outbox();
        double[] server0 = serverTime("transaction");
        Cpu cpu0 = cpu();
        long[] ms = new long[measured];
        long up = 0, down = 0, raw = 0, wireBody = 0, rawResponse = 0;
        for (int b = 0; b < measured; b++) {
            Batch batch = batch(SITE_B, target, "bench-device-" + name);
            Exchange x = push(client, link, batch, SITE_B);
            ms[b] = x.millis;
            up += x.up;
            down += x.down;
            raw += batch.json.length;
            wireBody += batch.body().length;
            rawResponse += x.bodyBytes;
            if (checkPush(name + " batch " + b, x, batch)) {
                batch.ids.forEach(id -> site.put(id, 1L));
            }
        }
        Cpu cpu1 = cpu();
        double[] server1 = serverTime("transaction");
        String loadAtEnd = loadAverage();
        long[] sorted = ms.clone();
        Arrays.sort(sorted);
        double serverMean = mean(server0, server1);
        long connections = link == null ? 0 : link.connections.get() - connections0;
        System.out.printf("  end to end per batch (ms, in order): %s%n", Arrays.toString(ms));
        System.out.printf("  p50 %d ms, p95 %d ms, max %d ms; per batch %,d B up (request body %,d B JSON, %,d B on the wire),"
                        + " %,d B down (response %,d B JSON); server mean %.0f ms%s; load %s -> %s%n",
                percentile(sorted, 50), percentile(sorted, 95), sorted[sorted.length - 1], up / measured, raw / measured,
                wireBody / measured, down / measured, rawResponse / measured, serverMean,
                link == null ? "" : " (includes receiving the body through the link); " + connections + " connection(s) opened",
                loadAtStart, loadAtEnd);
        String key = "push_" + name.toLowerCase(Locale.ROOT);
        System.out.println("  " + cpuReport(key, cpu0, cpu1) + outboxReport(outbox0));
        result.num(key + "_batches", measured).num(key + "_p50_ms", percentile(sorted, 50))
                .num(key + "_p95_ms", percentile(sorted, 95)).num(key + "_max_ms", sorted[sorted.length - 1]);
        if (link != null) {
            result.num(key + "_up_bytes", up / measured).num(key + "_down_bytes", down / measured);
        } else {
            result.num("push_request_json_bytes", raw / measured).num("push_request_gzip_bytes", wireBody / measured);
        }
        result.num(key + "_server_mean_ms", round1(serverMean));
        return new String[] {name, "" + percentile(sorted, 50), "" + percentile(sorted, 95), "" + sorted[sorted.length - 1],
                link == null ? "-" : String.format(Locale.ROOT, "%,d", up / measured),
                link == null ? "-" : String.format(Locale.ROOT, "%,d", down / measured),
                String.format(Locale.ROOT, "%.0f", serverMean), loadAtStart + "->" + loadAtEnd};
    }

    Exchange push(HttpClient client, ShapedLink link, Batch batch, String site) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create((link == null ? base : link.base()) + "/fhir"))
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", FHIR_JSON)
                .header("Accept", "application/fhir+json")
                .header("Accept-Encoding", "gzip")
                .header("Authorization", "Bearer " + bearer(site));
        if (gzipRequests) {
            request.header("Content-Encoding", "gzip");
        }
        batch.gzip = gzipRequests;
        return exchange(client, link, request.POST(HttpRequest.BodyPublishers.ofByteArray(batch.body())).build());
    }

    boolean checkPush(String what, Exchange x, Batch batch) {
        if (x.status != 200) {
            error(what + ": HTTP " + x.status + " " + head(x.body));
            return false;
        }
        if ("true".equals(x.header("X-Sync-Replayed"))) {
            error(what + ": answered as a replay, but its key is new");
        }
        int entries = count(RESPONSE.matcher(x.body));
        int created = count(STATUS_201.matcher(x.body));
        Set<String> located = new HashSet<>();
        Matcher m = LOCATION.matcher(x.body);
        while (m.find()) {
            located.add(m.group(1));
        }
        if (entries != BATCH_ENTRIES || created != BATCH_ENTRIES || !located.equals(new HashSet<>(batch.ids))) {
            error(what + ": expected " + BATCH_ENTRIES + " entries created as sent, got " + entries + " entries, "
                    + created + " with 201, " + located.size() + " locations matching " + head(x.body));
            return false;
        }
        return true;
    }

    /** A pull's figures: its table row, the first page's meta.lastUpdated and the reference data seen. */
    record Pull(String[] row, String lastUpdated, Map<String, Long> reference) {}

    /** Phase 3: a fresh device of site A pulls the whole feed through the link with one page size. */
    Pull initialSync(ShapedLink link, int size, Map<String, Long> site, Map<String, Long> otherSite) throws Exception {
        System.out.printf("%nInitial sync of %s through %s, _count=%d, fresh device (load %s) ...%n", SITE_A,
                link.spec.describe(), size, loadAverage());
        String loadAtStart = loadAverage();
        HttpClient client = client();
        long connections0 = link.connections.get();
        long up0 = link.up.get(), down0 = link.down.get();
        long outbox0 = outbox();
        double[] server0 = serverTime("history-system");
        Cpu cpu0 = cpu();
        List<Long> pageMillis = new ArrayList<>();
        String url = link.base() + "/fhir/_history?_count=" + size;
        Map<String, Long> seen = new HashMap<>();           // Type/id -> version (site A clinical)
        Map<String, Long> reference = new TreeMap<>();
        Map<String, Integer> perType = new TreeMap<>();
        int pages = 0, entries = 0, gzipped = 0, effectiveSize = 0;
        long rawBytes = 0, exchangeNanos = 0;
        String lastUpdated = null;
        long t0 = System.nanoTime();
        while (url != null) {
            pages++;
            String what = "initial sync _count=" + size + " page " + pages;
            Exchange x = exchange(client, link, HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                    .header("Accept", "application/fhir+json").header("Accept-Encoding", "gzip")
                    .header("Authorization", "Bearer " + bearer(SITE_A)).GET().build());
            exchangeNanos += x.nanos;
            pageMillis.add(x.millis);
            rawBytes += x.bodyBytes;
            if (x.gzipped) {
                gzipped++;
            }
            if (!checkFeedPage(what, x)) {
                break;
            }
            String pageUpdated = lastUpdated(x.body);
            if (lastUpdated == null) {
                lastUpdated = pageUpdated;
            } else if (!lastUpdated.equals(pageUpdated)) {
                error(what + ": meta.lastUpdated " + pageUpdated + " differs from the first page's " + lastUpdated);
            }
            List<String[]> page = feedEntries(x.body);
            entries += page.size();
            String next = nextLink(x.body);
            if (next != null) {
                // The server may cap _count (docs/SYNC.md: at most 500); every full page must then
                // hold the same number of entries, no more than asked. Completeness is checked below.
                if (effectiveSize == 0) {
                    effectiveSize = page.size();
                    if (effectiveSize == 0 || effectiveSize > size) {
                        error(what + ": " + effectiveSize + " entries on a page that has a next link, with _count=" + size);
                    } else if (effectiveSize < size) {
                        System.out.printf("  the server answers _count=%d with pages of %d%n", size, effectiveSize);
                    }
                } else if (page.size() != effectiveSize) {
                    error(what + ": " + page.size() + " entries on a page that has a next link; earlier pages held " + effectiveSize);
                }
            }
            if (next == null && page.isEmpty() && pages > 1) {
                error(what + ": empty last page");
            }
            for (String[] e : page) {
                String key = e[1] + "/" + e[2];
                long version = Long.parseLong(e[3]);
                perType.merge(e[1], 1, Integer::sum);
                Map<String, Long> into = REFERENCE_TYPES.contains(e[1]) ? reference : seen;
                Long earlier = into.put(key + "/_history/" + version, version);
                if (earlier != null) {
                    error(what + ": " + key + "/_history/" + version + " delivered twice");
                }
                if (otherSite.containsKey(key)) {
                    error(what + ": " + key + " belongs to " + SITE_B + " (leak)");
                }
            }
            if (next != null) {
                URI nextUri = URI.create(next);
                if (nextUri.getPort() != link.port()) {
                    error(what + ": next link " + next + " leaves the shaped link (port " + link.port() + ")");
                    break;
                }
            }
            url = next;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Cpu cpu1 = cpu();
        double[] server1 = serverTime("history-system");
        long up = link.up.get() - up0, down = link.down.get() - down0;
        long connections = link.connections.get() - connections0;
        String loadAtEnd = loadAverage();

        // Every resource of site A is in the feed, version 1, once; Provenance one per batch pushed there.
        Set<String> expected = new HashSet<>();
        site.forEach((k, v) -> expected.add(k + "/_history/" + v));
        Set<String> clinical = new HashSet<>();
        int provenance = 0;
        for (String k : seen.keySet()) {
            if (k.startsWith("Provenance/")) {
                provenance++;
            } else {
                clinical.add(k);
            }
        }
        if (!clinical.equals(expected)) {
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(clinical);
            Set<String> extra = new HashSet<>(clinical);
            extra.removeAll(expected);
            error("initial sync _count=" + size + ": " + missing.size() + " of " + expected.size() + " resources missing, "
                    + extra.size() + " unexpected" + (missing.isEmpty() ? "" : ", e.g. " + missing.iterator().next())
                    + (extra.isEmpty() ? "" : ", e.g. " + extra.iterator().next()));
        }
        int siteBatches = site.size() / BATCH_ENTRIES;
        if (provenance != siteBatches) {
            error("initial sync _count=" + size + ": " + provenance + " Provenance, expected one per batch (" + siteBatches + ")");
        }
        double serverSeconds = server1[0] - server0[0];
        double serverPages = server1[1] - server0[1];
        double rtts = pages * link.spec.rttMs / 1000.0 + connections * link.spec.rttMs / 1000.0;
        double transfer = down * 8.0 / link.spec.downBps + up * 8.0 / link.spec.upBps;
        System.out.printf("  %d pages, %,d entries (%s), %.1f s; %,d B down (%,d B JSON, %d of %d pages gzip), %,d B up,"
                        + " %d connection(s)%n", pages, entries, perType, seconds, down, rawBytes, gzipped, pages, up, connections);
        System.out.printf("  server time (fhir_interaction_seconds, history-system): %.1f s over %.0f pages (%.0f ms/page);"
                        + " round trips %.1f s; serialisation at link rate %.1f s; client-side %.1f s; load %s -> %s%n",
                serverSeconds, serverPages, serverPages > 0 ? serverSeconds * 1000 / serverPages : 0, rtts, transfer,
                seconds - exchangeNanos / 1e9, loadAtStart, loadAtEnd);
        String key = "pull_" + size;
        if (pageMillis.size() >= 10) {
            // Does a page cost more deeper into the feed? Mean page time (request to last byte) by fifth.
            int n = pageMillis.size();
            StringBuilder trend = new StringBuilder();
            for (int q = 0; q < 5; q++) {
                List<Long> part = pageMillis.subList(q * n / 5, (q + 1) * n / 5);
                trend.append(q == 0 ? "" : ", ").append(Math.round(part.stream().mapToLong(Long::longValue).average().orElse(0)));
            }
            System.out.println("  mean page time (ms) by fifth of the feed, first to last: " + trend);
        }
        System.out.println("  " + cpuReport(key, cpu0, cpu1) + outboxReport(outbox0));
        result.num(key + "_s", round1(seconds)).num(key + "_pages", pages).num(key + "_entries", entries)
                .num(key + "_page_size", effectiveSize == 0 ? entries : effectiveSize)
                .num(key + "_down_bytes", down).num(key + "_up_bytes", up).num(key + "_json_bytes", rawBytes)
                .num(key + "_server_s", round1(serverSeconds))
                .num(key + "_server_ms_per_page", round1(serverPages > 0 ? serverSeconds * 1000 / serverPages : 0));
        String[] row = {"" + size, String.format(Locale.ROOT, "%.1f", seconds), "" + pages, String.format(Locale.ROOT, "%,d", entries),
                String.format(Locale.ROOT, "%,d", down), String.format(Locale.ROOT, "%,d", up),
                String.format(Locale.ROOT, "%.1f", serverSeconds),
                String.format(Locale.ROOT, "%.0f", serverPages > 0 ? serverSeconds * 1000 / serverPages : 0),
                String.format(Locale.ROOT, "%.1f", rtts), String.format(Locale.ROOT, "%.1f", transfer),
                loadAtStart + "->" + loadAtEnd};
        return new Pull(row, lastUpdated, reference);
    }

    /**
     * Phase 4: 100 more records pushed to site A (loopback), then pulled by a fresh device with
     * {@code _since} = the last feed's meta.lastUpdated through the link. Polls again (from the
     * instant the previous poll handed out, as docs/SYNC.md says) while the batch is not all there:
     * a change may show one poll later while an older transaction is open on the server.
     */
    String[] incrementalPull(ShapedLink link, String since, Map<String, Long> otherSite) throws Exception {
        System.out.printf("%nIncremental pull: 100 records pushed to %s, then _since=%s through %s (load %s) ...%n",
                SITE_A, since, link.spec.describe(), loadAverage());
        Batch batch = batch(SITE_A, base, "bench-loader");
        Exchange pushed = push(client(), null, batch, SITE_A);
        if (!checkPush("incremental: push", pushed, batch)) {
            return null;
        }
        Set<String> expected = new HashSet<>();
        batch.ids.forEach(id -> expected.add(id + "/_history/1"));
        Set<String> seen = new HashSet<>();
        int provenance = 0, polls = 0, pages = 0;
        long firstPollNanos = 0;
        int firstPollEntries = 0;
        long up0 = link.up.get(), down0 = link.down.get();
        long t0 = System.nanoTime();
        int size = INCREMENTAL_COUNT;
        List<Integer> perPoll = new ArrayList<>();
        while (polls < 10 && !(seen.containsAll(expected) && provenance >= 1)) {
            if (polls > 0) {
                Thread.sleep(1000);
            }
            polls++;
            HttpClient client = client();   // a fresh connection each poll, as a phone coming back online
            long p0 = System.nanoTime();
            String url = link.base() + "/fhir/_history?_since=" + URLEncoder.encode(since, StandardCharsets.UTF_8) + "&_count=" + size;
            String handedOut = null;
            int entries = 0;
            while (url != null) {
                pages++;
                String what = "incremental poll " + polls + " page " + pages;
                Exchange x = exchange(client, link, HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                        .header("Accept", "application/fhir+json").header("Accept-Encoding", "gzip")
                        .header("Authorization", "Bearer " + bearer(SITE_A)).GET().build());
                if (!checkFeedPage(what, x)) {
                    return null;
                }
                if (handedOut == null) {
                    handedOut = lastUpdated(x.body);
                }
                for (String[] e : feedEntries(x.body)) {
                    entries++;
                    String key = e[1] + "/" + e[2] + "/_history/" + e[3];
                    if (e[1].equals("Provenance")) {
                        provenance++;
                    } else if (!expected.contains(key)) {
                        error(what + ": unexpected " + key + " (not in the batch pushed since)");
                    } else if (!seen.add(key)) {
                        error(what + ": " + key + " delivered twice");
                    }
                    if (otherSite.containsKey(e[1] + "/" + e[2])) {
                        error(what + ": " + e[1] + "/" + e[2] + " belongs to " + SITE_B + " (leak)");
                    }
                }
                url = nextLink(x.body);
            }
            perPoll.add(entries);
            if (polls == 1) {
                firstPollNanos = System.nanoTime() - p0;
                firstPollEntries = entries;
            }
            if (handedOut == null) {
                error("incremental poll " + polls + ": no meta.lastUpdated to resume from");
                return null;
            }
            since = handedOut;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (!seen.containsAll(expected) || provenance != 1) {
            error("incremental pull: after " + polls + " polls " + seen.size() + " of " + expected.size()
                    + " records and " + provenance + " Provenance (expected 1)");
        }
        long up = link.up.get() - up0, down = link.down.get() - down0;
        System.out.printf("  first poll %.0f ms with %d entries; all %d records + %d Provenance after %d poll(s) (entries per poll %s),"
                        + " %d page(s); %,d B down, %,d B up (load %s)%n", firstPollNanos / 1e6, firstPollEntries, seen.size(), provenance,
                polls, perPoll, pages, down, up, loadAverage());
        result.num("incremental_first_poll_ms", Math.round(firstPollNanos / 1e6)).num("incremental_first_poll_entries", firstPollEntries)
                .num("incremental_polls", polls).num("incremental_down_bytes", down).num("incremental_up_bytes", up);
        return new String[] {String.format(Locale.ROOT, "%.0f ms", firstPollNanos / 1e6) + " (first poll, fresh connection, _count=" + size + ")",
                firstPollEntries + " entries in it", polls + " poll(s) until all 101 seen " + perPoll, String.format(Locale.ROOT, "%,d B down", down),
                String.format(Locale.ROOT, "%,d B up", up), String.format(Locale.ROOT, "%.1f s until all seen", seconds)};
    }

    boolean checkFeedPage(String what, Exchange x) {
        if (x.status != 200) {
            error(what + ": HTTP " + x.status + " " + head(x.body));
            return false;
        }
        if (!BUNDLE_TYPE.matcher(x.body).find() || !HISTORY_TYPE.matcher(x.body).find()) {
            error(what + ": not a history Bundle: " + head(x.body));
            return false;
        }
        int requests = count(REQUEST_OPEN.matcher(x.body));
        int parsed = feedEntries(x.body).size();
        if (requests != parsed) {
            error(what + ": " + requests + " entry requests, only " + parsed + " of the form METHOD Type/id/_history/n");
            return false;
        }
        return true;
    }

    static List<String[]> feedEntries(String body) {
        List<String[]> entries = new ArrayList<>();
        Matcher m = FEED_ENTRY.matcher(body);
        while (m.find()) {
            entries.add(new String[] {m.group(1), m.group(2), m.group(3), m.group(4) == null ? "0" : m.group(4)});
        }
        return entries;
    }

    static String nextLink(String body) {
        Matcher m = NEXT_LINK.matcher(body);
        return m.find() ? m.group(1).replace("\\u0026", "&").replace("\\/", "/") : null;
    }

    static String lastUpdated(String body) {
        int entries = body.indexOf("\"entry\"");
        Matcher m = LAST_UPDATED.matcher(entries < 0 ? body : body.substring(0, entries));
        return m.find() ? m.group(1) : null;
    }

    // ---------------------------------------------------------------- HTTP

    static HttpClient client() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(20)).build();
    }

    record Exchange(int status, Map<String, List<String>> headers, String body, long nanos, long millis, long up, long down,
                    boolean gzipped, long bodyBytes) {
        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    /** One request, timed from sending to the last byte of the response; body gunzipped if need be. */
    Exchange exchange(HttpClient client, ShapedLink link, HttpRequest request) throws InterruptedException {
        long up0 = link == null ? 0 : link.up.get(), down0 = link == null ? 0 : link.down.get();
        long t0 = System.nanoTime();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            long nanos = System.nanoTime() - t0;
            return new Exchange(-1, Map.of(), e.toString(), nanos, nanos / 1_000_000, 0, 0, false, 0);
        }
        long nanos = System.nanoTime() - t0;
        byte[] bytes = response.body();
        boolean gzipped = response.headers().firstValue("Content-Encoding").map("gzip"::equalsIgnoreCase).orElse(false);
        String body;
        try {
            body = new String(gzipped ? gunzip(bytes) : bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "(body not valid gzip: " + e + ")";
        }
        long up = link == null ? 0 : link.up.get() - up0, down = link == null ? 0 : link.down.get() - down0;
        return new Exchange(response.statusCode(), response.headers().map(), body, nanos, nanos / 1_000_000, up, down, gzipped,
                body.getBytes(StandardCharsets.UTF_8).length);
    }

    /** {sum seconds, count} of fhir_interaction_seconds for one interaction, read unshaped from the server. */
    double[] serverTime(String interaction) {
        try {
            HttpResponse<String> p = client().send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                    .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (p.statusCode() != 200) {
                error("GET /actuator/prometheus: HTTP " + p.statusCode());
                return new double[] {0, 0};
            }
            double sum = 0, count = 0;
            for (String line : p.body().split("\n")) {
                if (!line.contains("interaction=\"" + interaction + "\"") || !line.contains("outcome=\"2xx\"")) {
                    continue;
                }
                String value = line.substring(line.lastIndexOf(' ') + 1);
                if (line.startsWith("fhir_interaction_seconds_sum{")) {
                    sum += Double.parseDouble(value);
                } else if (line.startsWith("fhir_interaction_seconds_count{")) {
                    count += Double.parseDouble(value);
                }
            }
            return new double[] {sum, count};
        } catch (IOException | InterruptedException e) {
            error("GET /actuator/prometheus: " + e);
            return new double[] {0, 0};
        }
    }

    static double mean(double[] before, double[] after) {
        double n = after[1] - before[1];
        return n > 0 ? (after[0] - before[0]) * 1000 / n : 0;
    }

    // ---------------------------------------------------------------- the shaped link

    /**
     * Checks the proxy against its own model with a raw TCP peer on loopback: a new connection
     * sends {@code up} bytes, the peer answers {@code down} bytes once it has them all. Expected:
     * one RTT (handshake) + up serialisation + RTT/2 + RTT/2 + down serialisation (payload plus
     * TCP/IP headers per segment).
     */
    void calibrate(LinkSpec spec, long down, long up) throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"))) {
            Thread t = new Thread(() -> {
                try (Socket s = peer.accept()) {
                    s.setTcpNoDelay(true);
                    InputStream in = s.getInputStream();
                    long got = 0;
                    byte[] buffer = new byte[64 * 1024];
                    int n;
                    while (got < up && (n = in.read(buffer)) != -1) {
                        got += n;
                    }
                    OutputStream out = s.getOutputStream();
                    long sent = 0;
                    while (sent < down) {
                        int len = (int) Math.min(buffer.length, down - sent);
                        out.write(buffer, 0, len);
                        sent += len;
                    }
                    out.flush();
                    s.shutdownOutput();
                    while (in.read(buffer) != -1) {
                        // wait for the client to close
                    }
                } catch (IOException ignored) {
                    // reported by the client side
                }
            }, "calibration-peer");
            t.setDaemon(true);
            t.start();
            try (ShapedLink link = new ShapedLink(spec, URI.create("http://127.0.0.1:" + peer.getLocalPort()));
                 Socket s = new Socket()) {
                long t0 = System.nanoTime();
                s.connect(new InetSocketAddress("127.0.0.1", link.port()));
                s.setTcpNoDelay(true);
                s.getOutputStream().write(new byte[(int) up]);
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                long got = 0;
                byte[] buffer = new byte[64 * 1024];
                int n;
                while (got < down && (n = in.read(buffer)) != -1) {
                    got += n;
                }
                double ms = (System.nanoTime() - t0) / 1e6;
                double model = spec.rttMs * 2.0 + serialisationMs(up, spec.upBps) + serialisationMs(down, spec.downBps);
                System.out.printf(Locale.ROOT, "  proxy check, %s: %,d B up then %,d B down on a new connection in %.0f ms"
                        + " (model %.0f ms: 2 RTT + serialisation)%n", spec.name, up, down, ms, model);
                if (got < down || Math.abs(ms - model) > Math.max(150, model * 0.1)) {
                    error("the " + spec.name + " proxy is off its model: " + got + " of " + down + " B in " + Math.round(ms)
                            + " ms, model " + Math.round(model) + " ms");
                }
                result.num("proxy_check_" + spec.name.toLowerCase(Locale.ROOT) + "_ms", Math.round(ms))
                        .num("proxy_model_" + spec.name.toLowerCase(Locale.ROOT) + "_ms", Math.round(model));
            }
        }
    }

    static double serialisationMs(long bytes, long bps) {
        long segments = (bytes + ShapedLink.MSS - 1) / ShapedLink.MSS;
        return (bytes + segments * ShapedLink.HEADER_BYTES) * 8.0 * 1000 / bps;
    }

    /** Round trip, downstream and upstream rate of a link. */
    record LinkSpec(String name, int rttMs, long downBps, long upBps) {
        String describe() {
            return String.format(Locale.ROOT, "%s link: RTT %d ms (%d ms each way), %s down, %s up", name, rttMs, rttMs / 2,
                    rate(downBps), rate(upBps));
        }

        static String rate(long bps) {
            return bps % 1_000_000 == 0 ? bps / 1_000_000 + " Mbit/s" : bps / 1000 + " kbit/s";
        }
    }

    /**
     * A throttling TCP proxy on 127.0.0.1 in front of the server. Per connection and per direction:
     * what is read is cut into segments of at most {@value #MSS} bytes, each charged
     * {@value #HEADER_BYTES} more bytes of TCP/IP headers against a token bucket filled at the
     * direction's bit rate and one segment deep (so a segment leaves when the previous one has been
     * serialised: no burst); it is delivered one one-way latency (RTT/2) after it left. A new
     * connection's first upstream byte leaves one RTT after the accept (the TCP handshake). The
     * queue behind the bucket is unbounded (a deep bottleneck buffer), so the server's writes never
     * wait on the link. Counts the bytes (TCP payload: HTTP headers and bodies) in each direction.
     * Not modelled: loss, jitter, TCP slow start and window limits, TLS, bandwidth shared between
     * connections.
     */
    static final class ShapedLink implements AutoCloseable {
        static final int MSS = 1448;
        static final int HEADER_BYTES = 52;

        final LinkSpec spec;
        final InetSocketAddress target;
        final ServerSocket listener;
        final AtomicLong up = new AtomicLong(), down = new AtomicLong(), connections = new AtomicLong();
        final AtomicBoolean closed = new AtomicBoolean();
        final List<Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());

        ShapedLink(LinkSpec spec, URI server) throws IOException {
            this.spec = spec;
            this.target = new InetSocketAddress(server.getHost(), server.getPort());
            this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
            Thread acceptor = new Thread(this::acceptLoop, "link-" + spec.name + "-accept");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        String base() {
            return "http://127.0.0.1:" + port();
        }

        void acceptLoop() {
            while (!closed.get()) {
                try {
                    Socket client = listener.accept();
                    long acceptedAt = System.nanoTime();
                    Socket server = new Socket();
                    server.connect(target, 10_000);
                    client.setTcpNoDelay(true);
                    server.setTcpNoDelay(true);
                    open.add(client);
                    open.add(server);
                    connections.incrementAndGet();
                    AtomicInteger finished = new AtomicInteger();
                    Runnable done = () -> {
                        if (finished.incrementAndGet() == 2) {
                            closeQuietly(client);
                            closeQuietly(server);
                        }
                    };
                    long rtt = spec.rttMs * 1_000_000L;
                    new Pump(spec.name + "-up", client, server, spec.upBps, rtt / 2, acceptedAt + rtt, up, done).start();
                    new Pump(spec.name + "-down", server, client, spec.downBps, rtt / 2, acceptedAt, down, done).start();
                } catch (IOException e) {
                    if (!closed.get()) {
                        System.out.println("  (link " + spec.name + ": accept failed: " + e + ")");
                    }
                }
            }
        }

        @Override
        public void close() {
            closed.set(true);
            closeQuietly(listener);
            synchronized (open) {
                open.forEach(ShapedLink::closeQuietly);
            }
        }

        static void closeQuietly(AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // closing
            }
        }

        /** One direction of one connection: a reader that schedules, a writer that delivers on time. */
        static final class Pump {
            record Segment(long deliverAt, byte[] data) {}

            static final Segment EOF = new Segment(0, null);

            final String name;
            final Socket from, to;
            final long bitsPerSecond, oneWayNanos;
            final AtomicLong counter;
            final Runnable done;
            final BlockingQueue<Segment> queue = new LinkedBlockingQueue<>();
            long linkFreeAt;

            Pump(String name, Socket from, Socket to, long bitsPerSecond, long oneWayNanos, long firstDeparture,
                    AtomicLong counter, Runnable done) {
                this.name = name;
                this.from = from;
                this.to = to;
                this.bitsPerSecond = bitsPerSecond;
                this.oneWayNanos = oneWayNanos;
                this.linkFreeAt = firstDeparture;
                this.counter = counter;
                this.done = done;
            }

            void start() {
                Thread reader = new Thread(this::read, name + "-read");
                Thread writer = new Thread(this::write, name + "-write");
                reader.setDaemon(true);
                writer.setDaemon(true);
                reader.start();
                writer.start();
            }

            void read() {
                byte[] buffer = new byte[64 * 1024];
                try (InputStream in = from.getInputStream()) {
                    int n;
                    while ((n = in.read(buffer)) != -1) {
                        counter.addAndGet(n);
                        long now = System.nanoTime();
                        for (int off = 0; off < n; off += MSS) {
                            int len = Math.min(MSS, n - off);
                            long start = Math.max(now, linkFreeAt);
                            linkFreeAt = start + (len + HEADER_BYTES) * 8L * 1_000_000_000L / bitsPerSecond;
                            queue.add(new Segment(linkFreeAt + oneWayNanos, Arrays.copyOfRange(buffer, off, off + len)));
                        }
                    }
                } catch (IOException e) {
                    // the connection is gone; the writer passes the end on
                }
                queue.add(EOF);
            }

            void write() {
                try {
                    OutputStream out = to.getOutputStream();
                    while (true) {
                        Segment s = queue.take();
                        if (s == EOF) {
                            try {
                                to.shutdownOutput();
                            } catch (IOException ignored) {
                                // already closed
                            }
                            break;
                        }
                        long wait;
                        while ((wait = s.deliverAt - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        out.write(s.data);
                        out.flush();
                    }
                } catch (IOException e) {
                    closeQuietly(from);
                    closeQuietly(to);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.run();
                }
            }
        }
    }

    // ---------------------------------------------------------------- sync batches

    /** A frozen sync batch: its JSON and the Type/id of its 100 entries. */
    static final class Batch {
        final byte[] json;
        final List<String> ids;
        boolean gzip = true;
        private byte[] gzipped;

        Batch(byte[] json, List<String> ids) {
            this.json = json;
            this.ids = ids;
        }

        byte[] body() {
            if (!gzip) {
                return json;
            }
            if (gzipped == null) {
                gzipped = SyncBenchmark.gzip(json);
            }
            return gzipped;
        }
    }

    /** 20 consultations (Patient, Encounter, Observation, Condition, MedicationRequest) at {@code site}. */
    Batch batch(String site, String fhirBase, String device) {
        return batch(site, fhirBase, device, () -> LocalDate.of(2025, 1, 1).plusDays(random.nextInt(300)));
    }

    /** The same, each consultation on a day {@code days} picks. */
    Batch batch(String site, String fhirBase, String device, java.util.function.Supplier<LocalDate> days) {
        String org = "Organization/" + site.toLowerCase(Locale.ROOT);
        Instant recorded = Instant.now().minusSeconds(3600 + random.nextInt(3600 * 24));
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("{\"resourceType\":\"Bundle\",\"type\":\"transaction\"")
                .append(",\"identifier\":{\"system\":").append(str(KEY_SYSTEM)).append(",\"value\":\"").append(UUID.randomUUID()).append("\"}")
                .append(",\"timestamp\":\"").append(Instant.now()).append('"')
                .append(",\"meta\":{\"extension\":[{\"url\":").append(str(DEVICE_EXTENSION)).append(",\"valueString\":").append(str(device)).append('}')
                .append(",{\"url\":").append(str(RECORDED_EXTENSION)).append(",\"valueDateTime\":\"").append(recorded).append("\"}]}")
                .append(",\"entry\":[");
        List<String> ids = new ArrayList<>(BATCH_ENTRIES);
        for (int c = 0; c < BATCH_CONSULTATIONS; c++) {
            String patient = UUID.randomUUID().toString(), encounter = UUID.randomUUID().toString();
            String observation = UUID.randomUUID().toString(), condition = UUID.randomUUID().toString();
            String prescription = UUID.randomUUID().toString();
            String[] diagnosis = DIAGNOSES[random.nextInt(DIAGNOSES.length)];
            LocalDate day = days.get();
            int hour = 8 + random.nextInt(8), minute = random.nextInt(40);
            String start = String.format(Locale.ROOT, "%sT%02d:%02d:00Z", day, hour, minute);
            String end = String.format(Locale.ROOT, "%sT%02d:%02d:00Z", day, hour, minute + 10 + random.nextInt(10));
            entry(sb, c == 0, fhirBase, "Patient", patient, patient(patient, org));
            entry(sb, false, fhirBase, "Encounter", encounter, encounter(encounter, patient, org, start, end));
            entry(sb, false, fhirBase, "Observation", observation, temperature(observation, patient, encounter, start));
            entry(sb, false, fhirBase, "Condition", condition, condition(condition, patient, encounter, diagnosis));
            entry(sb, false, fhirBase, "MedicationRequest", prescription,
                    medicationRequest(prescription, patient, encounter, diagnosis[2], day.toString()));
            ids.addAll(List.of("Patient/" + patient, "Encounter/" + encounter, "Observation/" + observation,
                    "Condition/" + condition, "MedicationRequest/" + prescription));
        }
        sb.append("]}");
        return new Batch(sb.toString().getBytes(StandardCharsets.UTF_8), ids);
    }

    static void entry(StringBuilder sb, boolean first, String fhirBase, String type, String id, String resource) {
        if (!first) {
            sb.append(',');
        }
        sb.append("{\"fullUrl\":\"").append(fhirBase).append("/fhir/").append(type).append('/').append(id).append('"')
                .append(",\"resource\":").append(resource)
                .append(",\"request\":{\"method\":\"PUT\",\"url\":\"").append(type).append('/').append(id).append("\"}}");
    }

    String patient(String id, String org) {
        boolean female = random.nextBoolean();
        String family = FAMILY[random.nextInt(FAMILY.length)];
        String given = (female ? GIVEN_F : GIVEN_M)[random.nextInt(10)];
        LocalDate birth = LocalDate.of(1950, 1, 1).plusDays(random.nextInt(365 * 70));
        String phone = String.format(Locale.ROOT, "+223 %d%d %02d %02d %02d", 6 + random.nextInt(2), random.nextInt(10),
                random.nextInt(100), random.nextInt(100), random.nextInt(100));
        String city = CITY[random.nextInt(CITY.length)];
        return "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"active\":true"
                + ",\"name\":[{\"use\":\"official\",\"family\":" + str(family) + ",\"given\":[" + str(given) + "]}]"
                + ",\"telecom\":[{\"system\":\"phone\",\"value\":" + str(phone) + ",\"use\":\"mobile\"}]"
                + ",\"gender\":\"" + (female ? "female" : "male") + "\",\"birthDate\":\"" + birth + "\""
                + ",\"address\":[{\"use\":\"home\",\"city\":" + str(city)
                + ",\"district\":\"Barouéli\",\"state\":\"Ségou\",\"country\":\"ML\"}]"
                + ",\"managingOrganization\":{\"reference\":\"" + org + "\"}}";
    }

    static String encounter(String id, String patientId, String org, String start, String end) {
        return "{\"resourceType\":\"Encounter\",\"id\":\"" + id + "\",\"status\":\"finished\""
                + ",\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\",\"display\":\"ambulatory\"}"
                + ",\"type\":[{\"coding\":[{\"system\":\"https://sante-rurale.ml/fhir/CodeSystem/consultation-type\",\"code\":\"curative\"}],\"text\":\"Consultation curative\"}]"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"period\":{\"start\":\"" + start + "\",\"end\":\"" + end + "\"}"
                + ",\"serviceProvider\":{\"reference\":\"" + org + "\"}}";
    }

    String temperature(String id, String patientId, String encounterId, String when) {
        double celsius = 36.5 + random.nextInt(40) / 10.0;
        return "{\"resourceType\":\"Observation\",\"id\":\"" + id + "\",\"status\":\"final\""
                + ",\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/observation-category\",\"code\":\"vital-signs\"}]}]"
                + ",\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8310-5\",\"display\":\"Body temperature\"}]}"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"encounter\":{\"reference\":\"Encounter/" + encounterId + "\"}"
                + ",\"effectiveDateTime\":\"" + when + "\""
                + ",\"valueQuantity\":{\"value\":" + String.format(Locale.ROOT, "%.1f", celsius)
                + ",\"unit\":\"Cel\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"Cel\"}}";
    }

    static String condition(String id, String patientId, String encounterId, String[] diagnosis) {
        return "{\"resourceType\":\"Condition\",\"id\":\"" + id + "\""
                + ",\"clinicalStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]}"
                + ",\"verificationStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-ver-status\",\"code\":\"confirmed\"}]}"
                + ",\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-category\",\"code\":\"encounter-diagnosis\"}]}]"
                + ",\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":" + str(diagnosis[0])
                + ",\"display\":" + str(diagnosis[1]) + "}],\"text\":" + str(diagnosis[1]) + "}"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"encounter\":{\"reference\":\"Encounter/" + encounterId + "\"}}";
    }

    static String medicationRequest(String id, String patientId, String encounterId, String medication, String day) {
        return "{\"resourceType\":\"MedicationRequest\",\"id\":\"" + id + "\",\"status\":\"active\",\"intent\":\"order\""
                + ",\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines\""
                + ",\"code\":" + str(medication) + "}]}"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"encounter\":{\"reference\":\"Encounter/" + encounterId + "\"}"
                + ",\"authoredOn\":\"" + day + "\""
                + ",\"dosageInstruction\":[{\"text\":\"Selon protocole national, 3 jours\""
                + ",\"timing\":{\"repeat\":{\"boundsDuration\":{\"value\":3,\"unit\":\"jours\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"d\"}}}}]}";
    }

    // ---------------------------------------------------------------- audit outbox

    /**
     * Audit events waiting in {@code srm_audit_outbox} (the drainer moves them into the audit
     * store, in transactions that hold back the feed's horizon and compete for the CPU),
     * read with {@code psql} from the embedded PostgreSQL whose port sync.sh passes ({@code pg_port=} in go); -1 when
     * unknown (no psql, no port).
     */
    long outbox() {
        String port = pgPort;
        if (port == null || port.isBlank() || !psqlWorks) {
            return -1;
        }
        try {
            Process p = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", port.trim(), "-U", "postgres", "-d", "postgres",
                    "-Atqc", "select count(*) from srm_audit_outbox").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                System.out.println("  (psql could not read srm_audit_outbox: " + out + "; outbox not measured)");
                psqlWorks = false;
                return -1;
            }
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            System.out.println("  (no psql: " + e.getMessage() + "; outbox not measured)");
            psqlWorks = false;
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    boolean psqlWorks = true;

    String outboxReport(long before) {
        long after = outbox();
        return before < 0 || after < 0 ? "" : String.format(Locale.ROOT, "; audit outbox %,d -> %,d events", before, after);
    }

    /** Waits (at most SRM_SYNC_DRAIN_WAIT seconds) until the outbox holds fewer than 100 events; reports the drain rate. */
    void awaitAuditDrain(String key) throws InterruptedException {
        long backlog = outbox();
        if (backlog < 0) {
            System.out.println("  audit outbox backlog unknown (needs psql): not waiting for the drainer");
            return;
        }
        if (backlog < 100) {
            System.out.printf("  audit outbox: %,d events waiting: no need to wait%n", backlog);
            result.num(key + "_outbox_before", backlog).num(key + "_outbox_after", backlog).num(key + "_s", 0);
            return;
        }
        int maxSeconds = envInt("SRM_SYNC_DRAIN_WAIT", 900);
        long t0 = System.nanoTime(), start = backlog;
        Cpu cpu0 = cpu();
        System.out.printf("  audit outbox: %,d events waiting; waiting up to %d s for the drainer (nothing else is sent) ...%n",
                backlog, maxSeconds);
        while (backlog >= 100 && (System.nanoTime() - t0) / 1e9 < maxSeconds) {
            Thread.sleep(2000);
            backlog = outbox();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("  audit outbox: %,d -> %,d events in %.0f s (%.0f events/s drained with the server otherwise idle)%s%n",
                start, backlog, seconds, seconds > 0 ? (start - backlog) / seconds : 0,
                backlog >= 100 ? "; NOT drained: the next figures include the drainer's work" : "");
        System.out.println("  " + cpuReport(key, cpu0, cpu()));
        result.num(key + "_outbox_before", start).num(key + "_outbox_after", backlog).num(key + "_s", round1(seconds));
    }

    // ---------------------------------------------------------------- CPU accounting

    /** Jiffies: all CPUs busy (user, nice, system, irq, softirq), the server JVM, PostgreSQL, this program. */
    record Cpu(long busy, long jvm, long postgres, long self) {}

    Cpu cpu() {
        long busy = 0;
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            for (int i : new int[] {1, 2, 3, 6, 7}) {
                busy += Long.parseLong(f[i]);
            }
        } catch (IOException | RuntimeException e) {
            return new Cpu(0, 0, 0, 0);
        }
        long postgres = 0;
        long postmaster = postmasterPid();
        if (postmaster > 0) {
            postgres = jiffies(postmaster, true);
            postgres += ProcessHandle.of(postmaster).map(h -> h.descendants().mapToLong(d -> jiffies(d.pid(), false)).sum()).orElse(0L);
        }
        return new Cpu(busy, jiffies(pid, false), postgres, jiffies(ProcessHandle.current().pid(), false));
    }

    /** utime + stime of a process (all its threads), plus its reaped children's when asked. */
    static long jiffies(long processId, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc/" + processId + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            return withReapedChildren ? t + Long.parseLong(f[13]) + Long.parseLong(f[14]) : t;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static long postmasterPid() {
        String dataDir = System.getenv("SRM_BENCH_PG_DATA");
        if (dataDir == null || dataDir.isBlank()) {
            return -1;
        }
        try {
            return Long.parseLong(Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).trim());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Where the machine's CPU went between two samples, in % of one core: the server JVM,
     * PostgreSQL, this benchmark, and every other process (another build distorts the figures).
     */
    String cpuReport(String key, Cpu a, Cpu b) {
        long busy = b.busy - a.busy;
        if (busy <= 0) {
            return "CPU: unknown";
        }
        long jvm = b.jvm - a.jvm, pg = b.postgres - a.postgres, self = b.self - a.self;
        long other = Math.max(0, busy - jvm - pg - self);
        double hz = 100.0;   // USER_HZ
        double[] pct = {jvm / hz, pg / hz, self / hz, other / hz};
        double total = busy / hz;
        result.num(key + "_cpu_s_server", round1(pct[0])).num(key + "_cpu_s_postgres", round1(pct[1]))
                .num(key + "_cpu_s_bench", round1(pct[2])).num(key + "_cpu_s_other", round1(pct[3]));
        return String.format(Locale.ROOT, "CPU seconds: server JVM %.1f, PostgreSQL %.1f, benchmark %.1f, other processes %.1f"
                + " (%.0f%% of all busy CPU)", pct[0], pct[1], pct[2], pct[3], total > 0 ? pct[3] * 100 / total : 0);
    }

    // ---------------------------------------------------------------- helpers

    void error(String message) {
        errors.add(message);
        System.out.println("  ERROR " + message);
    }

    static byte[] gzip(byte[] bytes) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 4);
            try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
                gz.write(bytes);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] gunzip(byte[] bytes) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return in.readAllBytes();
        }
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value.trim();
    }

    static int envInt(String name, int fallback) {
        return Integer.parseInt(env(name, Integer.toString(fallback)));
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static long percentile(long[] sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static int count(Matcher m) {
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    static double parseDouble(String s) {
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException | NullPointerException e) {
            return -1;
        }
    }

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static String head(String body) {
        return body == null ? "" : body.length() > 1500 ? body.substring(0, 1500) + " ..." : body;
    }

    static void printTable(String[] header, List<String[]> rows) {
        List<String[]> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        int[] width = new int[header.length];
        for (String[] r : all) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        for (int k = 0; k < all.size(); k++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < width.length; i++) {
                String cell = all.get(k)[i];
                sb.append(i == 0 ? String.format("%-" + width[i] + "s", cell) : String.format("%" + width[i] + "s", cell));
                sb.append(i == width.length - 1 ? "" : " | ");
            }
            System.out.println(sb);
            if (k == 0) {
                System.out.println("-".repeat(sb.length()));
            }
        }
    }

    static void fail(String message) {
        System.out.println("FAILED: " + message);
        System.out.flush();
        System.exit(1);
    }

    /** A flat JSON object of numbers, in insertion order. */
    static final class Json {
        private final StringBuilder sb = new StringBuilder("{");

        Json num(String key, double value) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(key).append("\":");
            if (value == Math.rint(value) && Math.abs(value) < 1e15) {
                sb.append((long) value);
            } else {
                sb.append(String.format(Locale.ROOT, "%s", value));
            }
            return this;
        }

        @Override
        public String toString() {
            return sb + "}";
        }
    }
}
