import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reporting benchmark (issue 15; not a test, see bench/README.md, "Reporting benchmark"): the time
 * to compute the monthly activity report (RMA) of {@code SRM_REPORT_SITES} CSCOMs for a month of
 * {@code SRM_REPORT_PER_DAY} consultations a day each, as {@code POST /fhir/$dhis2-export} with
 * {@code dryRun=true} (every site computed and mapped, nothing sent), and the share of that time
 * the server held database connections (Hikari's connection usage: queries and the transactions
 * around them), which bounds the queries' share from above.
 *
 * <pre>bench/reporting.sh</pre>
 *
 * <p>Compiled with {@link SyncBenchmark}: its token issuer, handshake and sync batches (20
 * consultations of five resources each: Patient, Encounter, Observation, Condition,
 * MedicationRequest), here all dated in March 2025. The load is not measured. With
 * {@code SRM_REPORT_STAGES} (e.g. {@code 24,48}) it measures after loading that many CSCOMs too.
 */
public class ReportingBenchmark extends SyncBenchmark {

    static final YearMonth MONTH = YearMonth.of(2025, 3);
    static final Pattern SITE_CODE = Pattern.compile("\"system\"\\s*:\\s*\"https://sante-rurale.ml/fhir/sid/site-code\"\\s*,\\s*\"value\"\\s*:\\s*\"(CSCOM-[A-Z0-9-]+)\"");
    static final Pattern DRY_RUN = Pattern.compile("\"valueString\"\\s*:\\s*\"dry-run\"");
    static final Pattern HIKARI_USAGE = Pattern.compile("hikaricp_connections_usage_seconds_sum\\{[^}]*pool=\"fhir\"[^}]*\\} ([0-9.Ee+-]+)");

    final int sites = envInt("SRM_REPORT_SITES", 95);
    final int perDay = envInt("SRM_REPORT_PER_DAY", 30);
    final int loaders = envInt("SRM_REPORT_LOADERS", 2);

    ReportingBenchmark() throws Exception {
        super();
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || !Files.isDirectory(Path.of(args[0]))) {
            System.err.println("usage: java -cp <classes> ReportingBenchmark <handshakeDir> (run by bench/reporting.sh)");
            System.exit(2);
        }
        issueTokensAndRun(new ReportingBenchmark(), Path.of(args[0]));
    }

    @Override
    int run() throws Exception {
        System.out.printf("Host: %d CPUs; 1-min load average before the server started %s, now %s%n",
                Runtime.getRuntime().availableProcessors(), env("SRM_BENCH_LOADAVG_BEFORE", "?"), loadAverage());
        HttpClient client = client();
        hikariUsage(client); // the figure this benchmark needs is there before anything is loaded
        List<String> codes = cscoms(client);
        if (codes.size() < sites) {
            fail("the catalogue has " + codes.size() + " CSCOMs, fewer than SRM_REPORT_SITES=" + sites);
        }
        codes = codes.subList(0, sites);
        int batchesPerSite = (perDay * MONTH.lengthOfMonth() + BATCH_CONSULTATIONS - 1) / BATCH_CONSULTATIONS;
        // Stages: load the next CSCOMs' months, then measure with every CSCOM loaded so far, so that a
        // run cut short still has figures and the cost's growth with the volume stored shows.
        int loaded = 0;
        int consultations = 0;
        double loadSeconds = 0;
        for (int stage : stages()) {
            long loadStart = System.nanoTime();
            consultations += load(codes.subList(loaded, stage), batchesPerSite);
            loadSeconds += (System.nanoTime() - loadStart) / 1e9;
            loaded = stage;
            System.out.printf("Loaded %d consultations (%d resources) at %d CSCOMs in %.1f s in all%n",
                    consultations, consultations / BATCH_CONSULTATIONS * BATCH_ENTRIES, loaded, loadSeconds);
            if (!errors.isEmpty()) {
                return 1;
            }
            measure(client, codes.subList(0, loaded), consultations, loadSeconds);
        }
        return errors.isEmpty() ? 0 : 1;
    }

    /** {@code SRM_REPORT_STAGES}: the numbers of CSCOMs loaded at which to measure; the last is {@code SRM_REPORT_SITES}. */
    List<Integer> stages() {
        List<Integer> stages = new ArrayList<>();
        for (String part : env("SRM_REPORT_STAGES", "").split(",")) {
            if (!part.isBlank() && Integer.parseInt(part.trim()) < sites) {
                stages.add(Integer.parseInt(part.trim()));
            }
        }
        stages.add(sites);
        return stages.stream().distinct().sorted().toList();
    }

    /** Loads the month of each site, SRM_REPORT_LOADERS batches at a time; returns the consultations loaded. */
    int load(List<String> codes, int batchesPerSite) throws InterruptedException {
        ConcurrentLinkedQueue<String> work = new ConcurrentLinkedQueue<>();
        for (int b = 0; b < batchesPerSite; b++) {
            work.addAll(codes);
        }
        AtomicInteger pushed = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int l = 0; l < loaders; l++) {
            Thread loader = new Thread(() -> {
                HttpClient own = client();
                for (String site = work.poll(); site != null; site = work.poll()) {
                    try {
                        Batch batch = batch(site, base, "bench-" + site, this::dayOfMonth);
                        if (checkPush("load " + site, push(own, null, batch, site), batch)) {
                            int done = pushed.incrementAndGet();
                            if (done % 200 == 0) {
                                System.out.printf("  loaded %d of %d batches (load average %s)%n", done,
                                        batchesPerSite * codes.size(), loadAverage());
                            }
                        }
                    } catch (Exception e) {
                        error("load " + site + ": " + e);
                    }
                }
            }, "loader-" + l);
            loader.start();
            threads.add(loader);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return pushed.get() * BATCH_CONSULTATIONS;
    }

    /** Times each loaded CSCOM's RMA on its own, then every CSCOM's in one request. */
    void measure(HttpClient client, List<String> codes, int consultations, double loadSeconds) throws Exception {
        // Warm-up, not measured: the first computations run cold (class loading, JIT).
        for (String code : codes.subList(0, Math.min(2, codes.size()))) {
            export(client, ",{\"name\":\"site\",\"valueString\":\"" + code.toLowerCase(Locale.ROOT) + "\"}");
        }
        // Measure 1: each loaded site's RMA on its own (a month of SRM_REPORT_PER_DAY consultations a day).
        long sitesNanos = 0;
        for (String code : codes) {
            long t = System.nanoTime();
            export(client, ",{\"name\":\"site\",\"valueString\":\"" + code.toLowerCase(Locale.ROOT) + "\"}");
            sitesNanos += System.nanoTime() - t;
        }
        double perSiteMs = sitesNanos / 1e6 / codes.size();
        System.out.printf("RMA %s of one loaded CSCOM (%d consultations): %.0f ms on average over %d CSCOMs%n",
                MONTH, consultations / codes.size(), perSiteMs, codes.size());

        // Measure 2: every CSCOM's RMA in one request, as the monthly run computes it (those not loaded have no data).
        String loadBefore = loadAverage();
        double usageBefore = hikariUsage(client);
        long t0 = System.nanoTime();
        Exchange answer = export(client, "");
        double seconds = (System.nanoTime() - t0) / 1e9;
        double usage = hikariUsage(client) - usageBefore;
        int computed = count(DRY_RUN.matcher(answer.body()));
        System.out.printf("RMA %s of every CSCOM (%d computed, %d with data, %d consultations): %.1f s; database"
                + " connections held %.1f s (%.0f %% of the time); 1-min load average %s before, %s after%n", MONTH,
                computed, codes.size(), consultations, seconds, usage, 100 * usage / seconds, loadBefore, loadAverage());
        System.out.printf("Extrapolated to %d CSCOMs with data: %.0f s (%.0f ms a CSCOM at this volume)%n",
                computed, perSiteMs * computed / 1000, perSiteMs);
        Json stage = new Json().num("sites_loaded", codes.size()).num("consultations", consultations)
                .num("load_s", round1(loadSeconds)).num("rma_ms_per_loaded_site", Math.round(perSiteMs))
                .num("sites_computed", computed).num("rma_all_s", round1(seconds)).num("db_held_s", round1(usage))
                .num("db_share_pct", Math.round(100 * usage / seconds))
                .num("rma_extrapolated_s", Math.round(perSiteMs * computed / 1000))
                .num("loadavg_after", parseDouble(loadAverage())).num("errors", errors.size());
        System.out.println("RESULT " + stage); // the last stage's is the run's (bench/harness.sh)
    }

    /** A dry-run {@code $dhis2-export} of the month, {@code site} the extra parameter or empty. */
    Exchange export(HttpClient client, String site) throws Exception {
        String parameters = "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"period\",\"valueString\":\""
                + MONTH.toString().replace("-", "") + "\"},{\"name\":\"dryRun\",\"valueBoolean\":true}" + site + "]}";
        Exchange answer = exchange(client, null, HttpRequest.newBuilder(URI.create(base + "/fhir/$dhis2-export"))
                .timeout(REQUEST_TIMEOUT).header("Content-Type", FHIR_JSON).header("Accept", "application/fhir+json")
                .header("Authorization", "Bearer " + bearer("national", "admin"))
                .POST(HttpRequest.BodyPublishers.ofString(parameters)).build());
        if (answer.status() != 200) {
            fail("$dhis2-export: HTTP " + answer.status() + " " + head(answer.body()));
        }
        return answer;
    }

    LocalDate dayOfMonth() {
        return MONTH.atDay(1 + random.nextInt(MONTH.lengthOfMonth()));
    }

    List<String> cscoms(HttpClient client) throws Exception {
        Exchange answer = exchange(client, null, HttpRequest.newBuilder(URI.create(base
                + "/fhir/Organization?type=https://sante-rurale.ml/fhir/CodeSystem/site-level%7Ccscom&_count=500&_sort=_id"))
                .timeout(REQUEST_TIMEOUT).header("Accept", "application/fhir+json")
                .header("Authorization", "Bearer " + bearer("national", "admin")).GET().build());
        if (answer.status() != 200) {
            fail("CSCOM list: HTTP " + answer.status() + " " + head(answer.body()));
        }
        List<String> codes = new ArrayList<>();
        Matcher m = SITE_CODE.matcher(answer.body());
        while (m.find()) {
            codes.add(m.group(1));
        }
        return codes;
    }

    double hikariUsage(HttpClient client) throws Exception {
        Exchange metrics = exchange(client, null, HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                .timeout(REQUEST_TIMEOUT).GET().build());
        Matcher m = HIKARI_USAGE.matcher(metrics.body());
        if (!m.find()) {
            fail("no hikaricp_connections_usage_seconds_sum for pool fhir in /actuator/prometheus");
        }
        return Double.parseDouble(m.group(1).toUpperCase(Locale.ROOT));
    }
}
