import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetSocketAddress;
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
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Foundation benchmark of the Santé Rurale Mali FHIR server (not a test; see bench/README.md).
 *
 * <pre>java bench/FoundationBenchmark.java &lt;handshakeDir&gt; [readSeconds]</pre>
 *
 * <p>The benchmark is its own token issuer, so that no Keycloak is needed: it generates an RSA key,
 * serves its JWKS on a free loopback port, writes {@code handshakeDir/issuer} (line 1 the issuer, line 2
 * the JWKS URL) and waits for {@code handshakeDir/go}, whose lines {@code base_url=}, {@code pid=} (the
 * server JVM) and {@code startup_ms=} describe the server foundation.sh has started in between, trusting
 * that issuer. The server must be on 127.0.0.1. Every
 * FHIR request carries an RS256 access token shaped like Keycloak's, for {@value #USERNAME} (role
 * medecin) at site {@value #SITE}.
 *
 * Writes 20 + 20 transaction Bundles of 100 PUT entries (25 each of Patient, Encounter, Condition,
 * MedicationRequest), reporting the first 20 (comparable with earlier runs) and the next 20 (steady
 * state) apart, then measures {@code GET Patient/{id}} and {@code GET Patient?name=} with 8
 * client threads for a fixed duration each, then reports the server's resident memory and, from
 * {@code /actuator/prometheus}, the server-side mean time per interaction. Only the JDK is used.
 * Prints a table and, last, one line {@code RESULT {json}}. Exits non-zero on any failed request.
 */
public class FoundationBenchmark {

    /** The first series of Bundles after start: its figures compare with earlier runs. */
    static final int BUNDLES = 20;
    /** Bundles of the first series left out of its warm median (JIT, pool warm-up). */
    static final int WARM_UP_BUNDLES = 5;
    /**
     * A second series right after the first: 5 Bundles were not enough for the JIT (JFR showed C2
     * compiling for 10 of the 15 s the first 20 took), so this is the steady-state figure.
     */
    static final int STEADY_BUNDLES = 20;
    /**
     * Extra Bundles between the two series, not measured (environment SRM_BENCH_EXTRA_WARMUP_BUNDLES,
     * default 150): with none, the JIT's compiler threads still used 8.3–8.8 s of CPU during the 20
     * "steady" Bundles (about 10 s, validation on and off alike, measured per thread on 2 cores), so
     * that series measured the JIT competing with the transactions; after 150 they used 1.7 s. The
     * benchmark prints the compiler threads' CPU during the steady series. 0 gives the earlier figure.
     */
    static final int EXTRA_WARMUP_BUNDLES = Integer.parseInt(
            System.getenv().getOrDefault("SRM_BENCH_EXTRA_WARMUP_BUNDLES", "150"));
    static final int PER_TYPE = 25;
    static final int THREADS = 8;
    static final int WARMUP_SECONDS = 3;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    static final String FHIR_JSON = "application/fhir+json; charset=utf-8";

    /** The bench's own issuer: trusted only by the server foundation.sh starts. */
    static final String ISSUER = "http://127.0.0.1/realms/sante-mali-bench";
    static final String AUDIENCE = "fhir-server";
    static final String KEY_ID = "bench-1";
    static final String USERNAME = "medecin.bench";
    static final String SITE = "CSCOM-KONOBOUGOU";
    static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(600);

    static final String[] FAMILY = {"Traoré", "Coulibaly", "Diarra", "Keïta", "Sangaré",
            "Konaté", "Dembélé", "Touré", "Sidibé", "Camara"};
    static final String[] GIVEN_F = {"Awa", "Fatoumata", "Aminata", "Kadiatou", "Mariam",
            "Oumou", "Assitan", "Djénéba", "Rokia", "Hawa"};
    static final String[] GIVEN_M = {"Moussa", "Mamadou", "Seydou", "Oumar", "Bakary",
            "Souleymane", "Modibo", "Adama", "Boubacar", "Ibrahim"};
    static final String[] CITY = {"Konobougou", "Djeli", "Barouéli"};
    /** ICD-10 code, display, and the medication usually prescribed for it. */
    /** ICD-10 code, its display, and the prescription: a code of the guide's essential-medicines list (ig/) and its display. */
    static final String[][] DIAGNOSES = {
            {"B54", "Paludisme, sans précision", "MEG-AL-20-120", "Artéméther + luméfantrine 20 mg/120 mg, comprimé"},
            {"B50.9", "Paludisme à Plasmodium falciparum, sans précision", "MEG-ASU-60", "Artésunate 60 mg, poudre pour injection"},
            {"A09", "Diarrhée et gastro-entérite d'origine présumée infectieuse", "MEG-SRO", "Sels de réhydratation orale (osmolarité réduite), sachet pour 1 litre"},
            {"J18.9", "Pneumopathie, sans précision", "MEG-AMX-250-D", "Amoxicilline 250 mg, comprimé dispersible"},
            {"J06.9", "Infection aiguë des voies respiratoires supérieures", "MEG-PCM-500", "Paracétamol 500 mg, comprimé"},
            {"E43", "Malnutrition protéino-énergétique grave", "MEG-ATPE", "Aliment thérapeutique prêt à l'emploi (ATPE), sachet de 92 g"},
            {"D50.9", "Anémie par carence en fer", "MEG-FEF", "Fer (sulfate ferreux) 60 mg + acide folique 0,4 mg, comprimé"}};

    static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"(\\d{3})");
    static final Pattern RESPONSE = Pattern.compile("\"response\"\\s*:");
    static final Pattern PATIENT_IN_BUNDLE = Pattern.compile("\"resourceType\"\\s*:\\s*\"Patient\"");
    static final Pattern RESOURCE_TYPE = Pattern.compile("\"resourceType\"\\s*:\\s*\"([A-Za-z]+)\"");

    String base;
    long pid;
    Long startupMs;
    final HttpClient http;
    final KeyPair keys;
    String bearer;
    /** A second before the steady series of writes (before the first series if there is none): the pull's _since. */
    Instant steadySince;
    /** Sequential single creates after the transactions; the second half is reported. */
    static final int SINGLE_CREATES = 100;
    final Random random = new Random(20261101L);
    final List<String> patientIds = new ArrayList<>();

    FoundationBenchmark() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        this.keys = generator.generateKeyPair();
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: java bench/FoundationBenchmark.java <handshakeDir> [readSeconds]"
                    + " (run by bench/foundation.sh)");
            System.exit(2);
        }
        int readSeconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        FoundationBenchmark bench = new FoundationBenchmark();
        HttpServer jwks = bench.serveJwks();
        int rc;
        try {
            bench.handshake(Path.of(args[0]), "http://127.0.0.1:" + jwks.getAddress().getPort() + "/certs");
            bench.bearer = bench.token(Instant.now());
            rc = bench.run(readSeconds);
        } finally {
            jwks.stop(0);
        }
        System.exit(rc);
    }

    // ---------------------------------------------------------------- token issuer

    /** The public key as a JWKS document, on 127.0.0.1 at a free port, path /certs. */
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

    /** Publishes the issuer and JWKS URL, then waits until foundation.sh has started the server. */
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

    /** An RS256 access token shaped like Keycloak's, valid for an hour. */
    String token(Instant now) throws Exception {
        long iat = now.getEpochSecond();
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + KEY_ID + "\"}";
        String payload = "{\"iss\":" + str(ISSUER)
                + ",\"aud\":[" + str(AUDIENCE) + "]"
                + ",\"typ\":\"Bearer\""
                + ",\"sub\":\"" + UUID.nameUUIDFromBytes(USERNAME.getBytes(StandardCharsets.UTF_8)) + "\""
                + ",\"jti\":\"" + UUID.randomUUID() + "\""
                + ",\"iat\":" + iat + ",\"exp\":" + (iat + 3600)
                + ",\"azp\":\"foundation-bench\""
                + ",\"preferred_username\":" + str(USERNAME)
                + ",\"realm_access\":{\"roles\":[\"medecin\"]}"
                + ",\"site_ids\":[" + str(SITE) + "]}";
        String signingInput = b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initSign(keys.getPrivate());
        rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64(rsa.sign());
    }

    static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Big-endian magnitude without the sign byte BigInteger adds. */
    static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }

    // ---------------------------------------------------------------- measurement

    int run(int readSeconds) throws Exception {
        Json result = new Json();
        if (startupMs != null) {
            result.num("startup_ms", startupMs);
        }
        List<String[]> table = new ArrayList<>();

        // a. Writes
        System.out.printf("Writing %d + %d transaction Bundles of %d entries to %s/fhir as %s (medecin, %s) ...%n",
                BUNDLES, STEADY_BUNDLES, 4 * PER_TYPE, base, USERNAME, SITE);
        OutboxSampler outbox = new OutboxSampler();
        outbox.start();
        long[] allTxMillis = new long[BUNDLES + STEADY_BUNDLES];
        double writeTotalMs = 0;
        outbox.phase("write");
        double cpuBeforeSteadyWrites = -1;
        long jitBeforeSteady = -1;
        long gcBeforeSteady = -1;
        long writeStarted = System.nanoTime();
        long steadyStarted = 0;
        steadySince = Instant.now().minusSeconds(1);
        for (int b = 0; b < BUNDLES + STEADY_BUNDLES; b++) {
            if (b == BUNDLES) {
                long quietMs = awaitServerQuiet();
                result.num("tx_steady_quiet_wait_ms", quietMs);
                System.out.printf("  server busy with its own work (validator warm-up, audit drain, JIT) for %d ms"
                        + " after the first series; the steady series starts now%n", quietMs);
                for (int w = 0; w < EXTRA_WARMUP_BUNDLES; w++) {
                    HttpResponse<String> warmUp = postTransaction(transactionBundle());
                    checkTransactionResponse(BUNDLES + w, warmUp);
                }
                steadySince = Instant.now().minusSeconds(1);
                cpuBeforeSteadyWrites = serverCpuSeconds();
                jitBeforeSteady = threadCpuMillis("C1 CompilerThre", "C2 CompilerThre");
                gcBeforeSteady = threadCpuMillis("VM Thread", "GC Thread");
                steadyStarted = System.nanoTime();
            }
            String bundle = transactionBundle();
            long t0 = System.nanoTime();
            HttpResponse<String> response = postTransaction(bundle);
            allTxMillis[b] = (System.nanoTime() - t0) / 1_000_000;
            checkTransactionResponse(b, response);
            if (b == BUNDLES - 1) {
                writeTotalMs = (System.nanoTime() - writeStarted) / 1e6;
            }
        }
        double steadyTotalMs = (System.nanoTime() - steadyStarted) / 1e6;
        if (EXTRA_WARMUP_BUNDLES > 0) {
            result.num("tx_extra_warmup_bundles", EXTRA_WARMUP_BUNDLES);
        }
        long[] txMillis = Arrays.copyOfRange(allTxMillis, 0, BUNDLES);
        long[] steadyTx = Arrays.copyOfRange(allTxMillis, BUNDLES, BUNDLES + STEADY_BUNDLES);
        Arrays.sort(steadyTx);
        long[] sortedTx = txMillis.clone();
        Arrays.sort(sortedTx);
        int resources = BUNDLES * 4 * PER_TYPE;
        result.num("tx_bundles", BUNDLES).num("tx_entries_per_bundle", 4 * PER_TYPE)
                .num("tx_p50_ms", percentile(sortedTx, 50)).num("tx_p95_ms", percentile(sortedTx, 95))
                .num("tx_max_ms", sortedTx[sortedTx.length - 1])
                .num("tx_warm_p50_ms", percentile(warm(txMillis), 50))
                .num("tx_total_ms", Math.round(writeTotalMs))
                .num("tx_resources_per_s", round1(resources * 1000.0 / writeTotalMs));
        result.num("tx_steady_bundles", STEADY_BUNDLES)
                .num("tx_steady_p50_ms", percentile(steadyTx, 50)).num("tx_steady_p95_ms", percentile(steadyTx, 95))
                .num("tx_steady_max_ms", steadyTx[steadyTx.length - 1])
                .num("tx_steady_resources_per_s", round1(STEADY_BUNDLES * 4 * PER_TYPE * 1000.0 / steadyTotalMs));
        table.add(row("transaction (100 entries), first " + BUNDLES, BUNDLES + " bundles",
                String.format(Locale.ROOT, "%.1f res/s", resources * 1000.0 / writeTotalMs),
                percentile(sortedTx, 50) + "", percentile(sortedTx, 95) + "", sortedTx[sortedTx.length - 1] + " (max)"));
        table.add(row("transaction (100 entries), next " + STEADY_BUNDLES, STEADY_BUNDLES + " bundles",
                String.format(Locale.ROOT, "%.1f res/s", STEADY_BUNDLES * 4 * PER_TYPE * 1000.0 / steadyTotalMs),
                percentile(steadyTx, 50) + "", percentile(steadyTx, 95) + "", steadyTx[steadyTx.length - 1] + " (max)"));
        System.out.printf("  per-bundle ms (in order): %s%n", Arrays.toString(allTxMillis));
        long jitSteady = threadCpuMillis("C1 CompilerThre", "C2 CompilerThre") - jitBeforeSteady;
        long gcSteady = threadCpuMillis("VM Thread", "GC Thread") - gcBeforeSteady;
        if (jitBeforeSteady >= 0 && gcBeforeSteady >= 0) {
            // Whether the steady series was steady: the JIT compilers' and the collector's CPU
            // while it ran (a JIT still compiling takes a core the transactions would use).
            result.num("tx_steady_jit_cpu_ms", jitSteady).num("tx_steady_gc_cpu_ms", gcSteady);
            System.out.printf("  during the steady series (%.1f s): JIT compiler threads %d ms CPU, GC %d ms%n",
                    steadyTotalMs / 1000, jitSteady, gcSteady);
        }
        OutboxSampler.Lag writeLag = outbox.endPhase(result, "write");
        double writeCpu = serverCpuSeconds() - cpuBeforeSteadyWrites;
        if (cpuBeforeSteadyWrites >= 0 && writeCpu >= 0) {
            // From the first Bundle of the second series until the audit events of the last were
            // stored: all the work those writes caused, counted in CPU time so that it holds on a
            // shared machine.
            result.num("tx_steady_server_cpu_ms_per_bundle", Math.round(writeCpu * 1000 / STEADY_BUNDLES));
        }

        // a2. Single creates, one at a time: what validation adds to one write (issue 12).
        long[] createMillis = new long[SINGLE_CREATES];
        for (int i = 0; i < SINGLE_CREATES; i++) {
            String id = UUID.randomUUID().toString();
            String body = patient(id);
            long t0 = System.nanoTime();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/fhir/Patient/" + id))
                    .timeout(REQUEST_TIMEOUT).header("Content-Type", FHIR_JSON).header("Authorization", "Bearer " + bearer)
                    .PUT(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            createMillis[i] = (System.nanoTime() - t0) / 1_000_000;
            if (created.statusCode() != 201) {
                throw new IllegalStateException("create " + i + " answered " + created.statusCode() + ": " + created.body());
            }
        }
        long[] steadyCreates = Arrays.copyOfRange(createMillis, SINGLE_CREATES / 2, SINGLE_CREATES);
        Arrays.sort(steadyCreates);
        result.num("create_p50_ms", percentile(steadyCreates, 50)).num("create_p95_ms", percentile(steadyCreates, 95));
        table.add(row("create Patient (PUT, one at a time), last " + steadyCreates.length, SINGLE_CREATES + " creates", "",
                percentile(steadyCreates, 50) + "", percentile(steadyCreates, 95) + "", steadyCreates[steadyCreates.length - 1] + " (max)"));

        // b. Reads
        int errors = 0;
        double cpuBeforeReads = serverCpuSeconds();
        outbox.phase("read");
        Phase read = measure("GET Patient/{id}", readSeconds, () -> {
            String id = patientIds.get(ThreadLocalRandom.current().nextInt(patientIds.size()));
            return get(base + "/fhir/Patient/" + id, "Patient");
        });
        errors += read.errors;
        read.report("read", result, table);
        OutboxSampler.Lag readLag = outbox.endPhase(result, "read");
        outbox.phase("search");
        Phase search = measure("GET Patient?name=<family>&_count=20", readSeconds, () -> {
            String family = FAMILY[ThreadLocalRandom.current().nextInt(FAMILY.length)];
            return get(base + "/fhir/Patient?name=" + URLEncoder.encode(family, StandardCharsets.UTF_8) + "&_count=20",
                    "Bundle");
        });
        errors += search.errors;
        search.report("search", result, table);
        OutboxSampler.Lag searchLag = outbox.endPhase(result, "search");
        outbox.stopSampling();
        result.num("read_threads", THREADS).num("read_seconds", readSeconds);
        double cpuAfterSearches = serverCpuSeconds();
        int readsAndSearches = read.nanos.length + search.nanos.length;
        if (cpuBeforeReads >= 0 && cpuAfterSearches >= 0 && readsAndSearches > 0) {
            // JVM + PostgreSQL, as ../shared/bench/side-by-side.sh prints it (there for all phases mixed)
            result.num("server_cpu_ms_per_read_or_search", round2((cpuAfterSearches - cpuBeforeReads) * 1000 / readsAndSearches));
        }

        // b'. A device's pull of the change feed since the steady series (its 2,000 resources and the single creates)
        HistoryPull.Figures history = HistoryPull.pull(http, base + "/fhir", bearer, steadySince, 500);
        result.num("history_since_ms", history.millis()).num("history_since_entries", history.entries())
                .num("history_since_pages", history.pages()).num("history_since_wire_bytes", history.wireBytes())
                .num("history_since_json_bytes", history.jsonBytes());
        if (history.firstError() != null) {
            System.out.println("  ERROR history: " + history.firstError());
            errors++;
        }
        table.add(row("GET _history?_since=<steady series>&_count=500, gzip", history.entries() + " entries",
                history.pages() + " pages", history.millis() + " ms",
                String.format(Locale.ROOT, "%.2f MB wire", history.wireBytes() / 1048576.0),
                String.format(Locale.ROOT, "%.2f MB JSON", history.jsonBytes() / 1048576.0)));

        // c. Memory
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        long rssKb = procKb(status, "VmRSS"), hwmKb = procKb(status, "VmHWM");
        result.num("jvm_rss_mb", rssKb / 1024).num("jvm_hwm_mb", hwmKb / 1024);
        long pgPssKb = postgresPssKb();
        if (pgPssKb > 0) {
            result.num("postgres_pss_mb", pgPssKb / 1024);
        }

        // d. Server-side timings
        String prometheus = "";
        try {
            HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                    .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            prometheus = p.statusCode() == 200 ? p.body() : "";
        } catch (IOException e) {
            System.out.println("  (could not read /actuator/prometheus: " + e + ")");
        }
        double[] tx = serverTime(prometheus, "transaction");
        double[] rd = serverTime(prometheus, "read");
        double[] sr = serverTime(prometheus, "search-type");
        if (tx[1] > 0) {
            result.num("server_tx_count", (long) tx[1]).num("server_tx_mean_ms", round1(tx[0] * 1000 / tx[1]));
        }
        if (rd[1] > 0) {
            result.num("server_read_mean_ms", round1(rd[0] * 1000 / rd[1]));
        }
        if (sr[1] > 0) {
            result.num("server_search_mean_ms", round1(sr[0] * 1000 / sr[1]));
        }
        // What the audit trail costs: on the request thread (encoding its events and inserting
        // them into the outbox: reads and searches on their own commit, writes inside the data's
        // transaction), and in the background (the drainer moving them into the audit store).
        double[] recordOwn = meter(prometheus, "srm_audit_record_seconds", "in=\"own\"");
        double[] recordTx = meter(prometheus, "srm_audit_record_seconds", "in=\"transaction\"");
        double[] drain = meter(prometheus, "srm_audit_drain_seconds", "");
        double drainedEvents = gauge(prometheus, "srm_audit_drained_events_total");
        if (recordOwn[1] > 0) {
            result.num("audit_record_read_mean_ms", round2(recordOwn[0] * 1000 / recordOwn[1]));
        }
        if (recordTx[1] > 0) {
            result.num("audit_record_tx_mean_ms", round2(recordTx[0] * 1000 / recordTx[1]));
        }
        if (drainedEvents > 0) {
            result.num("audit_events_stored", (long) drainedEvents)
                    .num("audit_drain_ms_per_event", round2(drain[0] * 1000 / drainedEvents));
        }
        // Other work on the machine distorts every figure: record how busy it was before the server
        // started (set by foundation.sh) and after the load (which includes this benchmark's own threads).
        int cpus = Runtime.getRuntime().availableProcessors();
        double loadBefore = parseDouble(System.getenv("SRM_BENCH_LOADAVG_BEFORE"));
        double loadAfter = -1;
        try {
            loadAfter = Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        result.num("cpus", cpus);
        if (loadBefore >= 0) {
            result.num("loadavg_1m_before", loadBefore);
        }
        if (loadAfter >= 0) {
            result.num("loadavg_1m_after", loadAfter);
        }
        result.num("errors", errors);

        // Output
        System.out.println();
        System.out.println("== Foundation benchmark: " + base + " (server pid " + pid + ") ==");
        if (startupMs != null) {
            System.out.printf("Start-up to first ready      : %.1f s (empty data directory, schema created)%n",
                    startupMs / 1000.0);
        }
        System.out.printf("Writes                       : %d resources in %.1f s, then %d in %.1f s%n", resources,
                writeTotalMs / 1000, STEADY_BUNDLES * 4 * PER_TYPE, steadyTotalMs / 1000);
        System.out.println();
        printTable(table);
        System.out.println();
        System.out.printf("Server resident memory (JVM) : VmRSS %d MB, VmHWM %d MB%n", rssKb / 1024, hwmKb / 1024);
        if (pgPssKb > 0) {
            System.out.printf("Embedded PostgreSQL (sum PSS): %d MB (postmaster + backends)%n", pgPssKb / 1024);
        }
        if (tx[1] > 0) {
            System.out.printf("Server-side fhir_interaction_seconds, transaction: count %d, sum %.2f s, mean %.1f ms%n",
                    (long) tx[1], tx[0], tx[0] * 1000 / tx[1]);
        }
        if (rd[1] > 0) {
            System.out.printf("Server-side fhir_interaction_seconds, read       : count %d, mean %.2f ms%n",
                    (long) rd[1], rd[0] * 1000 / rd[1]);
        }
        if (sr[1] > 0) {
            System.out.printf("Server-side fhir_interaction_seconds, search-type: count %d, mean %.2f ms%n",
                    (long) sr[1], sr[0] * 1000 / sr[1]);
        }
        if (recordOwn[1] > 0) {
            System.out.printf("Audit on the request thread  : %.2f ms per read or search (%d), %.2f ms per transaction (%d)"
                    + " (srm_audit_record_seconds)%n", recordOwn[0] * 1000 / recordOwn[1], (long) recordOwn[1],
                    recordTx[1] > 0 ? recordTx[0] * 1000 / recordTx[1] : 0, (long) recordTx[1]);
        }
        if (drainedEvents > 0) {
            System.out.printf("Audit drainer                : %d events moved into the audit store, %.2f ms per event"
                    + " (srm_audit_drain_seconds)%n", (long) drainedEvents, drain[0] * 1000 / drainedEvents);
        }
        for (OutboxSampler.Lag lag : List.of(writeLag, readLag, searchLag)) {
            System.out.println("Audit outbox lag, " + lag);
        }
        if (result.has("tx_steady_server_cpu_ms_per_bundle")) {
            System.out.printf("Server CPU per transaction   : %s ms (JVM + PostgreSQL, from Bundle %d until the"
                    + " outbox was empty again, / %d)%n", result.get("tx_steady_server_cpu_ms_per_bundle"), BUNDLES + 1,
                    STEADY_BUNDLES);
        }
        System.out.printf("Host                         : %d CPUs; 1-min load average %s before start, %s after the load%s%n",
                cpus, loadBefore >= 0 ? String.format(Locale.ROOT, "%.2f", loadBefore) : "?",
                loadAfter >= 0 ? String.format(Locale.ROOT, "%.2f", loadAfter) : "?",
                loadBefore > cpus / 2.0 ? "  ** machine was busy before start: figures are pessimistic **" : "");
        System.out.println("Errors                       : " + errors);
        System.out.println("RESULT " + result);
        return errors == 0 ? 0 : 1;
    }

    // ---------------------------------------------------------------- transaction Bundles

    HttpResponse<String> postTransaction(String bundle) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/fhir"))
                        .timeout(REQUEST_TIMEOUT)
                        .header("Content-Type", FHIR_JSON)
                        .header("Authorization", "Bearer " + bearer)
                        .header("Accept", "application/fhir+json")
                        .POST(HttpRequest.BodyPublishers.ofString(bundle, StandardCharsets.UTF_8))
                        .build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    String transactionBundle() {
        String[] patients = new String[PER_TYPE];
        String[] encounters = new String[PER_TYPE];
        int[] diagnosis = new int[PER_TYPE];
        StringBuilder sb = new StringBuilder(160_000);
        sb.append("{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[");
        boolean first = true;
        for (int i = 0; i < PER_TYPE; i++) {
            patients[i] = UUID.randomUUID().toString();
            encounters[i] = UUID.randomUUID().toString();
            diagnosis[i] = random.nextInt(DIAGNOSES.length);
            patientIds.add(patients[i]);
            first = entry(sb, first, "Patient", patients[i], patient(patients[i]));
        }
        for (int i = 0; i < PER_TYPE; i++) {
            first = entry(sb, first, "Encounter", encounters[i], encounter(encounters[i], patients[i]));
        }
        for (int i = 0; i < PER_TYPE; i++) {
            String id = UUID.randomUUID().toString();
            first = entry(sb, first, "Condition", id, condition(id, patients[i], encounters[i], DIAGNOSES[diagnosis[i]]));
        }
        for (int i = 0; i < PER_TYPE; i++) {
            String id = UUID.randomUUID().toString();
            first = entry(sb, first, "MedicationRequest", id,
                    medicationRequest(id, patients[i], encounters[i], DIAGNOSES[diagnosis[i]]));
        }
        return sb.append("]}").toString();
    }

    static boolean entry(StringBuilder sb, boolean first, String type, String id, String resource) {
        if (!first) {
            sb.append(',');
        }
        sb.append("{\"fullUrl\":\"").append(type).append('/').append(id).append("\",\"resource\":").append(resource)
                .append(",\"request\":{\"method\":\"PUT\",\"url\":\"").append(type).append('/').append(id).append("\"}}");
        return false;
    }

    String patient(String id) {
        boolean female = random.nextBoolean();
        String family = FAMILY[random.nextInt(FAMILY.length)];
        String given = female ? GIVEN_F[random.nextInt(GIVEN_F.length)] : GIVEN_M[random.nextInt(GIVEN_M.length)];
        LocalDate birth = LocalDate.of(1950, 1, 1).plusDays(random.nextInt(365 * 74));
        String phone = String.format(Locale.ROOT, "+223 %d%d %02d %02d %02d", 6 + random.nextInt(2), random.nextInt(10),
                random.nextInt(100), random.nextInt(100), random.nextInt(100));
        String city = CITY[random.nextInt(CITY.length)];
        return "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\""
                + ",\"active\":true"
                + ",\"name\":[{\"use\":\"official\",\"family\":" + str(family) + ",\"given\":[" + str(given) + "]}]"
                + ",\"telecom\":[{\"system\":\"phone\",\"value\":" + str(phone) + ",\"use\":\"mobile\"}]"
                + ",\"gender\":\"" + (female ? "female" : "male") + "\""
                + ",\"birthDate\":\"" + birth + "\""
                + ",\"address\":[{\"use\":\"home\",\"city\":" + str(city)
                + ",\"district\":\"Barouéli\",\"state\":\"Ségou\",\"country\":\"ML\"}]"
                + ",\"managingOrganization\":{\"reference\":\"Organization/cscom-konobougou\"}}";
    }

    String encounter(String id, String patientId) {
        LocalDate day = LocalDate.of(2025, 1, 1).plusDays(random.nextInt(300));
        int hour = 8 + random.nextInt(8), minute = random.nextInt(60);
        String start = String.format(Locale.ROOT, "%sT%02d:%02d:00Z", day, hour, minute);
        String end = String.format(Locale.ROOT, "%sT%02d:%02d:00Z", day, hour, Math.min(59, minute + 10 + random.nextInt(20)));
        return "{\"resourceType\":\"Encounter\",\"id\":\"" + id + "\",\"status\":\"finished\""
                + ",\"class\":{\"system\":\"http://terminology.hl7.org/CodeSystem/v3-ActCode\",\"code\":\"AMB\",\"display\":\"ambulatory\"}"
                + ",\"type\":[{\"coding\":[{\"system\":\"https://sante-rurale.ml/fhir/CodeSystem/consultation-type\",\"code\":\"curative\"}],\"text\":\"Consultation curative\"}]"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"period\":{\"start\":\"" + start + "\",\"end\":\"" + end + "\"}"
                + ",\"serviceProvider\":{\"reference\":\"Organization/cscom-konobougou\"}}";
    }

    String condition(String id, String patientId, String encounterId, String[] diagnosis) {
        return "{\"resourceType\":\"Condition\",\"id\":\"" + id + "\""
                + ",\"clinicalStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-clinical\",\"code\":\"active\"}]}"
                + ",\"verificationStatus\":{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-ver-status\",\"code\":\"confirmed\"}]}"
                + ",\"category\":[{\"coding\":[{\"system\":\"http://terminology.hl7.org/CodeSystem/condition-category\",\"code\":\"encounter-diagnosis\"}]}]"
                + ",\"code\":{\"coding\":[{\"system\":\"http://hl7.org/fhir/sid/icd-10\",\"code\":" + str(diagnosis[0])
                + ",\"display\":" + str(diagnosis[1]) + "}],\"text\":" + str(diagnosis[1]) + "}"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"encounter\":{\"reference\":\"Encounter/" + encounterId + "\"}}";
    }

    String medicationRequest(String id, String patientId, String encounterId, String[] diagnosis) {
        return "{\"resourceType\":\"MedicationRequest\",\"id\":\"" + id + "\",\"status\":\"active\",\"intent\":\"order\""
                + ",\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines\""
                + ",\"code\":" + str(diagnosis[2]) + ",\"display\":" + str(diagnosis[3]) + "}]}"
                + ",\"subject\":{\"reference\":\"Patient/" + patientId + "\"}"
                + ",\"encounter\":{\"reference\":\"Encounter/" + encounterId + "\"}"
                + ",\"authoredOn\":\"2025-06-01\""
                + ",\"dosageInstruction\":[{\"text\":\"Selon protocole national, 3 jours\""
                + ",\"timing\":{\"repeat\":{\"boundsDuration\":{\"value\":3,\"unit\":\"jours\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"d\"}}}}]}";
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

    static void checkTransactionResponse(int b, HttpResponse<String> response) {
        String body = response.body();
        if (response.statusCode() != 200) {
            fail("bundle " + b + ": HTTP " + response.statusCode() + "\n" + head(body));
        }
        int entries = count(RESPONSE.matcher(body));
        List<String> statuses = new ArrayList<>();
        Matcher m = STATUS.matcher(body);
        while (m.find()) {
            statuses.add(m.group(1));
        }
        long created = statuses.stream().filter("201"::equals).count();
        if (entries != 4 * PER_TYPE || created != 4 * PER_TYPE || statuses.size() != 4 * PER_TYPE) {
            fail("bundle " + b + ": expected " + 4 * PER_TYPE + " entries with status 201, got " + entries
                    + " entries, statuses " + statuses + "\n" + head(body));
        }
    }

    // ---------------------------------------------------------------- concurrent reads

    /** Returns null on success, else a short error description. */
    String get(String url, String expectedType) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(REQUEST_TIMEOUT).header("Accept", "application/fhir+json")
                    .header("Authorization", "Bearer " + bearer).GET().build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) {
                return "HTTP " + r.statusCode() + " " + url + " " + head(r.body());
            }
            Matcher m = RESOURCE_TYPE.matcher(r.body());
            if (!m.find() || !m.group(1).equals(expectedType)) {
                return "not a " + expectedType + ": " + url;
            }
            if (expectedType.equals("Bundle") && !PATIENT_IN_BUNDLE.matcher(r.body()).find()) {
                return "search found no Patient: " + url;
            }
            return null;
        } catch (IOException e) {
            return e.toString() + " " + url;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    Phase measure(String name, int seconds, Supplier<String> call) throws InterruptedException {
        System.out.printf("%s: %d threads, %d s warm-up (not counted), %d s measured ...%n", name, THREADS, WARMUP_SECONDS, seconds);
        runThreads(WARMUP_SECONDS, call, null);
        Phase phase = new Phase(name);
        long t0 = System.nanoTime();
        runThreads(seconds, call, phase);
        phase.elapsedNanos = System.nanoTime() - t0;
        return phase;
    }

    void runThreads(int seconds, Supplier<String> call, Phase phase) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        long[][] perThread = new long[THREADS][];
        int[] perThreadCount = new int[THREADS];
        AtomicLong errors = new AtomicLong();
        List<String> firstErrors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < THREADS; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                long[] lat = new long[1 << 14];
                int n = 0;
                while (System.nanoTime() < deadline) {
                    long s = System.nanoTime();
                    String error = call.get();
                    long d = System.nanoTime() - s;
                    if (error != null) {
                        errors.incrementAndGet();
                        if (firstErrors.size() < 5) {
                            firstErrors.add(error);
                        }
                        continue;
                    }
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = d;
                }
                perThread[index] = lat;
                perThreadCount[index] = n;
            }, "bench-" + t);
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        firstErrors.forEach(e -> System.out.println("  ERROR " + e));
        if (phase != null) {
            int total = Arrays.stream(perThreadCount).sum();
            long[] all = new long[total];
            int at = 0;
            for (int t = 0; t < THREADS; t++) {
                System.arraycopy(perThread[t], 0, all, at, perThreadCount[t]);
                at += perThreadCount[t];
            }
            Arrays.sort(all);
            phase.nanos = all;
            phase.errors = (int) errors.get();
        } else if (errors.get() > 0) {
            System.out.println("  (" + errors.get() + " errors during warm-up)");
        }
    }

    static final class Phase {
        final String name;
        long[] nanos = new long[0];
        long elapsedNanos;
        int errors;

        Phase(String name) {
            this.name = name;
        }

        double perSecond() {
            return nanos.length * 1e9 / elapsedNanos;
        }

        double ms(int p) {
            if (nanos.length == 0) {
                return 0;
            }
            int rank = (int) Math.ceil(p / 100.0 * nanos.length);
            return round2(nanos[Math.max(0, Math.min(nanos.length - 1, rank - 1))] / 1e6);
        }

        void report(String key, Json result, List<String[]> table) {
            result.num(key + "_count", nanos.length).num(key + "_per_s", round1(perSecond()))
                    .num(key + "_p50_ms", ms(50)).num(key + "_p95_ms", ms(95)).num(key + "_p99_ms", ms(99))
                    .num(key + "_errors", errors);
            table.add(row(name + ", " + THREADS + " threads", nanos.length + " req",
                    String.format(Locale.ROOT, "%.1f req/s", perSecond()),
                    fmt(ms(50)), fmt(ms(95)), fmt(ms(99)) + " (p99)"));
        }
    }

    // ---------------------------------------------------------------- helpers

    static long procKb(String status, String field) {
        Matcher m = Pattern.compile("(?m)^" + field + ":\\s+(\\d+) kB").matcher(status);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Sum of the proportional set size of the embedded PostgreSQL (its postmaster, found through
     * {@code postmaster.pid} in the data directory named by SRM_BENCH_PG_DATA, and all its
     * children), or -1 when unknown. pg_ctl detaches the postmaster, so it is not a descendant
     * of the JVM.
     */
    static long postgresPssKb() {
        String dataDir = System.getenv("SRM_BENCH_PG_DATA");
        if (dataDir == null || dataDir.isBlank()) {
            return -1;
        }
        try {
            long postmaster = Long.parseLong(Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).trim());
            return ProcessHandle.of(postmaster).map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h), h.descendants())
                    .mapToLong(d -> {
                        try {
                            return Math.max(0, procKb(Files.readString(Path.of("/proc/" + d.pid() + "/smaps_rollup")), "Pss"));
                        } catch (IOException | RuntimeException e) {
                            return 0;
                        }
                    }).sum()).orElse(-1L);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** {sum seconds, count} of fhir_interaction_seconds for one interaction, all types and outcomes. */
    static double[] serverTime(String prometheus, String interaction) {
        double sum = 0, count = 0;
        for (String line : prometheus.split("\n")) {
            if (!line.contains("interaction=\"" + interaction + "\"")) {
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
    }

    /** {sum, count} of a Micrometer timer, over the series whose labels contain {@code label}. */
    static double[] meter(String prometheus, String name, String label) {
        double sum = 0, count = 0;
        for (String line : prometheus.split("\n")) {
            if (!line.contains(label)) {
                continue;
            }
            String value = line.substring(line.lastIndexOf(' ') + 1);
            if (line.startsWith(name + "_sum")) {
                sum += Double.parseDouble(value);
            } else if (line.startsWith(name + "_count")) {
                count += Double.parseDouble(value);
            }
        }
        return new double[] {sum, count};
    }

    /** The value of a gauge or counter (summed over its series), or -1 when absent. */
    static double gauge(String prometheus, String name) {
        double total = -1;
        for (String line : prometheus.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                total = (total < 0 ? 0 : total) + value;
            }
        }
        return total;
    }

    String prometheus() {
        try {
            HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                    .timeout(REQUEST_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            return p.statusCode() == 200 ? p.body() : "";
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /**
     * CPU milliseconds used so far by the server JVM's threads whose names start with one of
     * {@code prefixes} (Linux {@code /proc/<pid>/task/<tid>/comm} and {@code stat}: user + system),
     * or -1 when unknown. Threads that ended are not counted.
     */
    long threadCpuMillis(String... prefixes) {
        long ticksPerSecond = 100; // USER_HZ on Linux
        long total = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).trim();
                    if (Arrays.stream(prefixes).noneMatch(name::startsWith)) {
                        continue;
                    }
                    String stat = Files.readString(task.resolve("stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    total += Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
                } catch (IOException | RuntimeException gone) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return total * 1000 / ticksPerSecond;
    }

    /** Below this share of one core (JVM + PostgreSQL, over one second) the server counts as quiet. */
    static final double QUIET_CPU_SHARE = 0.15;
    static final Duration QUIET_LIMIT = Duration.ofSeconds(180);

    /**
     * Waits until the server does nothing of its own: its CPU (JVM + PostgreSQL) over one second
     * below {@link #QUIET_CPU_SHARE} of a core, so that the steady series measures transactions
     * and not the tail of start-up work running beside them (the validator's JIT warm-up runs for
     * about half a minute after readiness, the first series' audit events are still being stored).
     * Gives up after {@link #QUIET_LIMIT} and says so. Returns the milliseconds waited.
     */
    long awaitServerQuiet() throws InterruptedException {
        long start = System.nanoTime();
        double before = serverCpuSeconds();
        if (before < 0) {
            System.out.println("  (server CPU unknown: the steady series starts without waiting for a quiet server)");
            return 0;
        }
        while (System.nanoTime() - start < QUIET_LIMIT.toNanos()) {
            Thread.sleep(1000);
            double now = serverCpuSeconds();
            if (now - before < QUIET_CPU_SHARE) {
                return (System.nanoTime() - start) / 1_000_000;
            }
            before = now;
        }
        System.out.printf("  ** the server was still busy after %d s: the steady series starts anyway **%n", QUIET_LIMIT.toSeconds());
        return (System.nanoTime() - start) / 1_000_000;
    }

    /**
     * CPU seconds used so far by the server JVM and the embedded PostgreSQL (postmaster and its
     * backends, found as for memory), or -1 when unknown.
     */
    double serverCpuSeconds() {
        double jvm = ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(d -> d.toNanos() / 1e9).orElse(-1.0);
        String dataDir = System.getenv("SRM_BENCH_PG_DATA");
        if (jvm < 0 || dataDir == null || dataDir.isBlank()) {
            return -1;
        }
        try {
            long postmaster = Long.parseLong(Files.readAllLines(Path.of(dataDir, "postmaster.pid")).get(0).trim());
            return jvm + ProcessHandle.of(postmaster).map(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h),
                    h.descendants()).mapToDouble(d -> d.info().totalCpuDuration().map(c -> c.toNanos() / 1e9).orElse(0.0))
                    .sum()).orElse(0.0);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Samples the audit outbox ({@code srm_audit_outbox_rows}, {@code _oldest_age_seconds}) from
     * the server's metrics twice a second, per phase; at the end of a phase waits (up to 2 min)
     * until the outbox is empty, so that the next phase starts without the previous one's
     * backlog, and reports how long that took. The server refreshes those gauges once a second.
     */
    final class OutboxSampler extends Thread {
        static final Duration DRAIN_LIMIT = Duration.ofMinutes(2);

        final class Lag {
            final String phase;
            double maxRows, maxAgeSeconds, endRows = -1, endAgeSeconds = -1, drainedAfterSeconds = -1;

            Lag(String phase) {
                this.phase = phase;
            }

            @Override
            public String toString() {
                return String.format(Locale.ROOT, "%-6s: during the phase at most %.0f rows, oldest %.1f s; at its end %.0f rows,"
                        + " oldest %.1f s; empty %s after its end", phase, maxRows, maxAgeSeconds, endRows, endAgeSeconds,
                        drainedAfterSeconds < 0 ? "not within " + DRAIN_LIMIT.toSeconds() + " s"
                                : String.format(Locale.ROOT, "%.1f s", drainedAfterSeconds));
            }
        }

        private volatile Lag current;
        private volatile boolean running = true;

        OutboxSampler() {
            super("outbox-sampler");
            setDaemon(true);
        }

        void phase(String name) {
            current = new Lag(name);
        }

        @Override
        public void run() {
            while (running) {
                Lag lag = current;
                if (lag != null) {
                    sample(lag);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        /** [rows, oldest age s] now, or null when the server does not report them. */
        double[] sample(Lag lag) {
            String metrics = prometheus();
            double rows = gauge(metrics, "srm_audit_outbox_rows");
            double age = gauge(metrics, "srm_audit_outbox_oldest_age_seconds");
            if (rows < 0 || age < 0) {
                return null;
            }
            synchronized (lag) {
                lag.maxRows = Math.max(lag.maxRows, rows);
                lag.maxAgeSeconds = Math.max(lag.maxAgeSeconds, age);
            }
            return new double[] {rows, age};
        }

        Lag endPhase(Json result, String name) throws InterruptedException {
            Lag lag = current;
            current = null;
            double[] end = sample(lag);
            if (end != null) {
                lag.endRows = end[0];
                lag.endAgeSeconds = end[1];
                long ended = System.nanoTime();
                long deadline = ended + DRAIN_LIMIT.toNanos();
                double[] now = end;
                while (now != null && now[0] > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(250);
                    now = sample(lag);
                }
                if (now != null && now[0] == 0) {
                    lag.drainedAfterSeconds = (System.nanoTime() - ended) / 1e9;
                }
                result.num("outbox_" + name + "_max_rows", lag.maxRows)
                        .num("outbox_" + name + "_max_age_s", round1(lag.maxAgeSeconds))
                        .num("outbox_" + name + "_end_rows", lag.endRows)
                        .num("outbox_" + name + "_empty_after_s", round1(lag.drainedAfterSeconds));
            }
            System.out.println("  audit outbox lag, " + lag);
            return lag;
        }

        void stopSampling() {
            running = false;
            interrupt();
        }
    }

    static double parseDouble(String s) {
        try {
            return s == null ? -1 : Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The bundles after the first five (JIT and connection-pool warm-up), sorted. */
    static long[] warm(long[] inOrder) {
        long[] warm = Arrays.copyOfRange(inOrder, Math.min(WARM_UP_BUNDLES, inOrder.length - 1), inOrder.length);
        Arrays.sort(warm);
        return warm;
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

    static double round1(double v) {
        return Math.round(v * 10) / 10.0;
    }

    static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    static String head(String body) {
        return body == null ? "" : body.length() > 2000 ? body.substring(0, 2000) + " ..." : body;
    }

    static String[] row(String... cells) {
        return cells;
    }

    static void printTable(List<String[]> rows) {
        String[] header = {"operation", "volume", "throughput", "p50 ms", "p95 ms", "tail ms"};
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
            String text = value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value)
                    : String.format(Locale.ROOT, "%s", value);
            sb.append(text);
            values.put(key, text);
            return this;
        }

        private final java.util.Map<String, String> values = new java.util.HashMap<>();

        boolean has(String key) {
            return values.containsKey(key);
        }

        String get(String key) {
            return values.get(key);
        }

        @Override
        public String toString() {
            return sb + "}";
        }
    }
}
