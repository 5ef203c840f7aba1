package ml.santerurale.server.load;

import ca.uhn.fhir.context.FhirContext;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.santerurale.server.load.Tally.Outcome;

/**
 * The load generator: simulated sites whose devices push one sync batch per consultation and pull
 * their change feed, and whose clinicians search and read patients, each interaction arriving at
 * random (a Poisson process) at the rate of a {@link LoadProfile}. Open loop: arrivals do not
 * wait for answers, so an overloaded server shows as growing latency, backlogs and refusals.
 *
 * <p>Devices behave as docs/SYNC.md says: one batch at a time per device, the same bytes and key on
 * every retry; after a 429 or 503 they wait the {@code Retry-After}, after a 5xx or a lost answer
 * 1, 2, 4 … s (capped at {@value #MAX_BACKOFF_SECONDS} s here, 5 min in the protocol, so a drill
 * ends). Nothing here checks what was stored: {@link StorageCheck} does, afterwards.
 */
final class LoadDrill implements AutoCloseable {

    static final int MAX_BACKOFF_SECONDS = 30;
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern NEXT_LINK = Pattern.compile("\"relation\"\\s*:\\s*\"next\"\\s*,\\s*\"url\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern LAST_UPDATED = Pattern.compile("\"lastUpdated\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern CREATED = Pattern.compile("\"status\"\\s*:\\s*\"201");

    private final String fhirBase;
    private final List<SimulatedSite> sites;
    private final List<SimulatedDevice> devices;
    private final FhirContext fhir;
    private final Ledger ledger;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(daemon("load-retries"));
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger seed = new AtomicInteger();
    private volatile Step step = new Step();

    LoadDrill(String fhirBase, List<SimulatedSite> sites, FhirContext fhir, Ledger ledger) {
        this.fhirBase = fhirBase;
        this.sites = sites;
        this.devices = sites.stream().flatMap(s -> s.devices.stream()).toList();
        this.fhir = fhir;
        this.ledger = ledger;
    }

    /** What one step of a drill sent and got back. */
    static final class Step {
        final Tally tally = new Tally();
        final Map<Interaction, AtomicLong> arrivals = new EnumMap<>(Interaction.class);
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicLong retried = new AtomicLong();
        final AtomicLong replayed = new AtomicLong();

        Step() {
            for (Interaction interaction : Interaction.values()) {
                arrivals.put(interaction, new AtomicLong());
            }
        }
    }

    /** Runs the profile's arrivals for its duration; answers what the step sent and got. */
    Step run(LoadProfile profile) throws InterruptedException {
        if (profile.sites() > sites.size()) {
            throw new IllegalArgumentException(profile + ": only " + sites.size() + " simulated sites");
        }
        List<SimulatedSite> active = sites.subList(0, profile.sites());
        List<SimulatedDevice> activeDevices = active.stream().flatMap(s -> s.devices.stream()).toList();
        Step current = new Step();
        step = current;
        long end = System.nanoTime() + profile.duration().toNanos();
        List<Thread> generators = new java.util.ArrayList<>();
        for (Interaction interaction : Interaction.values()) {
            double rate = profile.perSecond(interaction, activeDevices.size());
            Thread t = new Thread(() -> arrive(interaction, rate, end, current, active, activeDevices), "load-" + interaction.name().toLowerCase(Locale.ROOT));
            t.setDaemon(true);
            t.start();
            generators.add(t);
        }
        for (Thread t : generators) {
            t.join();
        }
        long left = end - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
        return current;
    }

    /** Batches still in the devices' outboxes. */
    int backlog() {
        return devices.stream().mapToInt(SimulatedDevice::waiting).sum();
    }

    /**
     * Sends nothing new and waits until every outbox is empty and nothing is in flight, at most
     * {@code limit}; answers what the retries and the answers still due got meanwhile.
     */
    Step drain(Duration limit) throws InterruptedException {
        Step draining = new Step();
        step = draining;
        long deadline = System.nanoTime() + limit.toNanos();
        while ((backlog() > 0 || inFlight.get() > 0) && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        return draining;
    }

    private void arrive(Interaction interaction, double perSecond, long end, Step current, List<SimulatedSite> sites,
            List<SimulatedDevice> devices) {
        if (perSecond <= 0) {
            return;
        }
        Random random = new Random(interaction.ordinal() * 7919L + System.nanoTime());
        long next = System.nanoTime();
        while (true) {
            next += (long) (-Math.log(1 - random.nextDouble()) / perSecond * 1e9);
            if (next >= end) {
                return;
            }
            LockSupport.parkNanos(next - System.nanoTime());
            current.arrivals.get(interaction).incrementAndGet();
            try {
                switch (interaction) {
                    case PUSH -> {
                        SimulatedDevice device = devices.get(random.nextInt(devices.size()));
                        SyncBatch batch = SyncBatch.consultation(device, fhir, fhirBase, seed.incrementAndGet());
                        SyncBatch now = device.queue(batch);
                        if (now != null) {
                            push(device, now, 1);
                        }
                    }
                    case PULL -> {
                        SimulatedDevice device = devices.get(random.nextInt(devices.size()));
                        if (device.startPull()) {
                            pull(device, feedUrl(device), null);
                        }
                    }
                    case SEARCH -> search(sites.get(random.nextInt(sites.size())), random);
                    case READ -> read(sites.get(random.nextInt(sites.size())), random);
                }
            } catch (RuntimeException e) {
                System.out.println("  load generator: " + interaction + " failed to start: " + e);
            }
        }
    }

    // ---------------------------------------------------------------- push

    private void push(SimulatedDevice device, SyncBatch batch, int attempt) {
        ledger.sent(batch);
        HttpRequest request = request(device.site, fhirBase)
                .header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(batch.body())).build();
        send(Interaction.PUSH, request, (response, outcome) -> {
            switch (outcome) {
                case OK -> {
                    boolean replay = "true".equalsIgnoreCase(response.headers().firstValue("X-Sync-Replayed").orElse(""));
                    if (replay) {
                        step.replayed.incrementAndGet();
                    }
                    int created = count(CREATED.matcher(response.body()));
                    if (created != batch.references().size()) {
                        ledger.refused(batch, "200 with " + created + " created entries of " + batch.references().size());
                    }
                    ledger.acknowledged(batch);
                    device.site.patients.add(batch.patientId());
                    next(device);
                }
                case THROTTLED_429, UNAVAILABLE_503 -> retry(device, batch, attempt, retryAfter(response));
                case SERVER_ERROR_5XX, TRANSPORT -> retry(device, batch, attempt,
                        Math.min(MAX_BACKOFF_SECONDS, 1L << Math.min(attempt - 1, 5)));
                case CLIENT_ERROR_4XX -> {
                    ledger.refused(batch, response.statusCode() + " " + head(response.body()));
                    next(device);
                }
            }
        });
    }

    private void next(SimulatedDevice device) {
        SyncBatch next = device.acknowledged();
        if (next != null) {
            push(device, next, 1);
        }
    }

    private void retry(SimulatedDevice device, SyncBatch batch, int attempt, long seconds) {
        step.retried.incrementAndGet();
        retries.schedule(() -> push(device, batch, attempt + 1), Math.max(1, seconds), TimeUnit.SECONDS);
    }

    private static long retryAfter(HttpResponse<String> response) {
        try {
            return response == null ? 1 : Long.parseLong(response.headers().firstValue("Retry-After").orElse("1").trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }

    // ---------------------------------------------------------------- pull

    private String feedUrl(SimulatedDevice device) {
        return fhirBase + "/_history?_count=500&_since=" + URLEncoder.encode(device.since, StandardCharsets.UTF_8);
    }

    /** One page of the device's feed; the next page follows, and the cursor moves only when the feed is read to its end. */
    private void pull(SimulatedDevice device, String url, String firstLastUpdated) {
        send(Interaction.PULL, request(device.site, url).GET().build(), (response, outcome) -> {
            if (outcome != Outcome.OK) {
                device.endPull();
                return;
            }
            String body = response.body();
            int entries = body.indexOf("\"entry\"");
            String lastUpdated = firstLastUpdated;
            if (lastUpdated == null) {
                Matcher m = LAST_UPDATED.matcher(entries < 0 ? body : body.substring(0, entries));
                lastUpdated = m.find() ? m.group(1) : null;
            }
            Matcher next = NEXT_LINK.matcher(body);
            if (next.find()) {
                pull(device, next.group(1), lastUpdated);
            } else {
                if (lastUpdated != null) {
                    device.since = lastUpdated;
                }
                device.endPull();
            }
        });
    }

    // ---------------------------------------------------------------- clinicians

    private void search(SimulatedSite site, Random random) {
        String family = SyncBatch.FAMILIES.get(random.nextInt(SyncBatch.FAMILIES.size()));
        String prefix = java.text.Normalizer.normalize(family, java.text.Normalizer.Form.NFD)
                .replaceAll("\\p{M}", "").substring(0, 3).toLowerCase(Locale.ROOT);
        send(Interaction.SEARCH, request(site, fhirBase + "/Patient?name=" + prefix + "&_count=20").GET().build(), (r, o) -> { });
    }

    private void read(SimulatedSite site, Random random) {
        List<String> patients = site.patients;
        if (patients.isEmpty()) {
            return;
        }
        String id = patients.get(random.nextInt(patients.size()));
        send(Interaction.READ, request(site, fhirBase + "/Patient/" + id).GET().build(), (r, o) -> { });
    }

    // ---------------------------------------------------------------- HTTP

    private HttpRequest.Builder request(SimulatedSite site, String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + site.token())
                .header("Accept", "application/fhir+json")
                .header("X-Forwarded-For", site.address);
    }

    private interface Answer {
        void handle(HttpResponse<String> response, Outcome outcome);
    }

    private void send(Interaction interaction, HttpRequest request, Answer answer) {
        Step current = step;
        int now = inFlight.incrementAndGet();
        current.maxInFlight.accumulateAndGet(now, Math::max);
        long t0 = System.nanoTime();
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, failure) -> {
            inFlight.decrementAndGet();
            Outcome outcome = failure != null ? Outcome.TRANSPORT : outcome(response.statusCode());
            current.tally.record(interaction, outcome, System.nanoTime() - t0);
            try {
                answer.handle(response, outcome);
            } catch (RuntimeException e) {
                System.out.println("  load generator: handling a " + interaction + " answer failed: " + e);
            }
        });
    }

    private static Outcome outcome(int status) {
        if (status >= 200 && status < 300) {
            return Outcome.OK;
        }
        return switch (status) {
            case 429 -> Outcome.THROTTLED_429;
            case 503 -> Outcome.UNAVAILABLE_503;
            default -> status >= 500 ? Outcome.SERVER_ERROR_5XX : Outcome.CLIENT_ERROR_4XX;
        };
    }

    private static int count(Matcher m) {
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String head(String body) {
        return body == null ? "" : body.length() > 300 ? body.substring(0, 300) + " ..." : body;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
