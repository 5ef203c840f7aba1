package ml.santerurale.server.support;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BinaryOperator;
import java.util.function.Supplier;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * A test sync client that does what docs/SYNC.md tells a device to do, and nothing more: it keeps
 * its records and their versions, queues what the user records as one batch per consultation,
 * pushes each batch with its own idempotency key (the same key on every retry), takes a 412 as a
 * list of conflicts to resolve, and pulls the change feed from its cursor.
 */
public final class SyncDevice {

    public static final String KEY_SYSTEM = "https://sante-rurale.ml/fhir/sid/sync-batch";
    public static final String DEVICE_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-device";
    public static final String RECORDED_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-recorded";
    public static final String CONFLICT_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-conflict";
    public static final String SCOPE_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-scope";

    private final String deviceId;
    private final String fhirBase;
    private final Supplier<String> token;
    private final FhirContext fhirContext;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** The device's records: {@code Type/id} to the resource with {@code meta.versionId} as last seen. */
    private final Map<String, Resource> records = new LinkedHashMap<>();
    private final List<Batch> outbox = new ArrayList<>();
    private final List<Conflict> conflicts = new ArrayList<>();
    private String cursor;
    /** The sites the last feed covered. */
    private final java.util.Set<String> scope = new java.util.TreeSet<>();
    private int maxAttempts = 5;
    private boolean retrying;
    /** docs/SYNC.md §4: 1 s, 2 s, 4 s … capped at 5 min; tests shorten it with {@link #retryingAfter}. */
    private Duration firstRetryDelay = Duration.ofSeconds(1);
    private Duration maxRetryDelay = Duration.ofMinutes(5);

    public SyncDevice(String deviceId, String fhirBase, Supplier<String> token, FhirContext fhirContext, Clock clock) {
        this.deviceId = deviceId;
        this.fhirBase = fhirBase;
        this.token = token;
        this.fhirContext = fhirContext;
        this.clock = clock;
    }

    /**
     * Retries as docs/SYNC.md says (a lost answer, a 5xx or 429 with back-off, one 401 with a
     * renewed token). Off by default: a test that does not opt in fails at the first such answer,
     * so a server that sometimes answers 500 cannot pass unnoticed.
     */
    public SyncDevice retrying() {
        this.retrying = true;
        return this;
    }

    /** Shorter back-off than the documented 1 s … 5 min, so that tests of lost answers stay fast (implies {@link #retrying}). */
    public SyncDevice retryingAfter(Duration first, Duration max) {
        this.firstRetryDelay = first;
        this.maxRetryDelay = max;
        return retrying();
    }

    /** One consultation recorded offline: new resources and edits of known ones, in one batch. */
    public Batch record(Resource... resources) {
        Map<String, String> baseVersions = new LinkedHashMap<>();
        List<Resource> copies = new ArrayList<>();
        for (Resource resource : resources) {
            String key = key(resource);
            Resource known = records.get(key);
            baseVersions.put(key, known == null ? null : known.getMeta().getVersionId());
            copies.add(resource.copy());
        }
        Batch batch = new Batch(UUID.randomUUID().toString(), copies, baseVersions, List.of(), clock.instant());
        outbox.add(batch);
        return batch;
    }

    /** A deletion recorded offline (needs the major or medecin role on the server). */
    public Batch recordDeletion(String reference) {
        Resource known = records.get(reference);
        Map<String, String> baseVersions = new LinkedHashMap<>();
        baseVersions.put(reference, known == null ? null : known.getMeta().getVersionId());
        Batch batch = new Batch(UUID.randomUUID().toString(), List.of(), baseVersions, List.of(reference), clock.instant());
        outbox.add(batch);
        return batch;
    }

    /** The transaction Bundle docs/SYNC.md describes for a batch. */
    public Bundle bundleOf(Batch batch) {
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.TRANSACTION);
        bundle.setIdentifier(new Identifier().setSystem(KEY_SYSTEM).setValue(batch.key()));
        bundle.setTimestamp(Date.from(clock.instant()));
        bundle.getMeta().addExtension(new Extension(DEVICE_EXTENSION, new StringType(deviceId)));
        bundle.getMeta().addExtension(new Extension(RECORDED_EXTENSION, new DateTimeType(Date.from(batch.recordedAt()))));
        for (Resource resource : batch.resources()) {
            String key = key(resource);
            Bundle.BundleEntryComponent entry = bundle.addEntry();
            entry.setFullUrl(fhirBase + "/" + key);
            Resource body = resource.copy();
            body.setMeta(null);
            entry.setResource(body);
            entry.getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(key);
            String base = batch.baseVersions().get(key);
            if (base != null) {
                entry.getRequest().setIfMatch("W/\"" + base + "\"");
            }
        }
        for (String reference : batch.deletes()) {
            Bundle.BundleEntryComponent entry = bundle.addEntry();
            entry.getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl(reference);
            String base = batch.baseVersions().get(reference);
            if (base != null) {
                entry.getRequest().setIfMatch("W/\"" + base + "\"");
            }
        }
        return bundle;
    }

    /**
     * Pushes the outbox, batch by batch, in the order recorded. A batch whose answer is lost is
     * sent again unchanged (same key, same content) until an answer arrives; a 412 moves the
     * batch to {@link #conflicts()} and the push goes on with the next one.
     */
    public PushReport push() {
        PushReport report = new PushReport();
        for (Batch batch : List.copyOf(outbox)) {
            if (batch.frozen()[0] == null) {
                batch.frozen()[0] = fhirContext.newJsonParser().encodeResourceToString(bundleOf(batch));
            }
            String body = batch.frozen()[0];
            HttpResponse<String> response = null;
            boolean tokenRenewed = false;
            for (int attempt = 1; response == null; attempt++) {
                try {
                    response = http.send(request("").header("Content-Type", "application/fhir+json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (!retrying && (response.statusCode() == 401 || response.statusCode() == 429 || response.statusCode() >= 500)) {
                        throw new IllegalStateException("Sync push answered " + response.statusCode() + " (this test device does not"
                                + " retry unless told to, see retrying()): " + response.body());
                    }
                    if (response.statusCode() == 401 && !tokenRenewed) {
                        // §3: refresh the token (the supplier hands the current one), then the same bytes again.
                        tokenRenewed = true;
                        report.retries++;
                        response = null;
                    } else if ((response.statusCode() >= 500 || response.statusCode() == 429) && attempt < maxAttempts) {
                        report.retries++;
                        response = null;
                        backOff(attempt);
                    }
                } catch (IOException lost) {
                    if (!retrying) {
                        throw new java.io.UncheckedIOException("Sync push lost its answer (this test device does not retry"
                                + " unless told to, see retrying())", lost);
                    }
                    report.retries++;
                    if (attempt >= maxAttempts) {
                        report.unsent.add(batch);
                        break;
                    }
                    backOff(attempt);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (response == null) {
                continue;
            }
            report.responses.put(batch.key(), response);
            if (response.statusCode() == 200) {
                outbox.remove(batch);
                apply(batch, fhirContext.newJsonParser().parseResource(Bundle.class, response.body()));
                report.accepted.add(batch);
            } else if (response.statusCode() == 422 && response.body().contains("\"processing\"")) {
                // A record that does not conform to the implementation guide: set aside for the user to fix.
                outbox.remove(batch);
                report.refused.add(batch);
            } else if (response.statusCode() == 412) {
                outbox.remove(batch);
                OperationOutcome outcome = fhirContext.newJsonParser().parseResource(OperationOutcome.class, response.body());
                conflicts.add(new Conflict(batch, outcome));
                report.conflicted.add(batch);
            } else {
                throw new IllegalStateException("Batch " + batch.key() + " refused with " + response.statusCode() + ": "
                        + response.body());
            }
        }
        return report;
    }

    /**
     * Resolves every conflict as docs/SYNC.md says: read the server's current versions of the
     * conflicting resources (one batch read), merge each with the device's change, and queue the
     * result as a new batch, with a new key, based on the current versions.
     */
    public void resolveConflicts(BinaryOperator<Resource> mergeServerAndDevice) {
        for (Conflict conflict : List.copyOf(conflicts)) {
            Map<String, Resource> current = readCurrent(conflict.references());
            List<Resource> merged = new ArrayList<>();
            Map<String, String> bases = new LinkedHashMap<>(conflict.batch().baseVersions());
            for (Resource mine : conflict.batch().resources()) {
                String key = key(mine);
                Resource theirs = current.get(key);
                if (theirs != null) {
                    records.put(key, theirs);
                    bases.put(key, theirs.getMeta().getVersionId());
                    merged.add(mergeServerAndDevice.apply(theirs, mine));
                } else {
                    merged.add(mine);
                }
            }
            conflicts.remove(conflict);
            outbox.add(new Batch(UUID.randomUUID().toString(), merged, bases, conflict.batch().deletes(), conflict.batch().recordedAt()));
        }
    }

    private Map<String, Resource> readCurrent(List<String> references) {
        Bundle read = new Bundle();
        read.setType(Bundle.BundleType.BATCH);
        references.forEach(reference -> read.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl(reference));
        HttpResponse<String> response = send(request("").header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(fhirContext.newJsonParser().encodeResourceToString(read))));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("Batch read refused: " + response.statusCode() + " " + response.body());
        }
        Map<String, Resource> current = new LinkedHashMap<>();
        for (Bundle.BundleEntryComponent entry : fhirContext.newJsonParser().parseResource(Bundle.class, response.body()).getEntry()) {
            if (entry.getResource() != null && !(entry.getResource() instanceof OperationOutcome)) {
                current.put(key(entry.getResource()), entry.getResource());
            }
        }
        return current;
    }

    /**
     * Pulls every change since the cursor, page by page, applying each entry whose version is
     * newer than the device's; keeps the first page's {@code meta.lastUpdated} as the next cursor.
     * If the feed's sites differ from the last feed's (the user moved), drops every synced copy
     * and starts again with a first sync (docs/SYNC.md, scope changes).
     */
    public PullReport pull(int pageSize) {
        PullReport report = new PullReport();
        String next = "/_history?_count=" + pageSize + (cursor == null ? "" : "&_since=" + urlEncode(cursor));
        String newCursor = null;
        boolean firstPage = true;
        while (next != null) {
            HttpResponse<byte[]> response;
            try {
                response = http.send(request(next).header("Accept", "application/fhir+json").header("Accept-Encoding", "gzip")
                        .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            String body = decode(response);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("Feed refused: " + response.statusCode() + " " + body);
            }
            report.pages++;
            report.bytes += response.body().length;
            Bundle page = fhirContext.newJsonParser().parseResource(Bundle.class, body);
            report.pageSizes.add(page.getEntry().size());
            if (firstPage) {
                firstPage = false;
                java.util.Set<String> pageScope = new java.util.TreeSet<>();
                page.getMeta().getExtensionsByUrl(SCOPE_EXTENSION).forEach(x -> pageScope.add(x.getValue().primitiveValue()));
                boolean scopeChanged = !scope.isEmpty() && !scope.equals(pageScope);
                java.util.Set<String> lost = new java.util.TreeSet<>(scope);
                lost.removeAll(pageScope);
                scope.clear();
                scope.addAll(pageScope);
                if (scopeChanged) {
                    // §6: the user's sites changed; drop every synced copy (the outbox stays) and
                    // start again with a first sync: the current state of exactly the new sites.
                    records.clear();
                    report.purgedSites.addAll(lost);
                    report.restarted = true;
                    if (cursor != null) {
                        cursor = null;
                        next = "/_history?_count=" + pageSize;
                        firstPage = true;
                        continue;
                    }
                }
            }
            if (newCursor == null) {
                newCursor = page.getMeta().getLastUpdatedElement().getValueAsString();
            }
            for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                report.entries.add(entry);
                applyChange(entry);
            }
            Bundle.BundleLinkComponent link = page.getLink("next");
            next = link == null ? null : link.getUrl().substring(fhirBase.length());
        }
        cursor = newCursor;
        return report;
    }

    private static String decode(HttpResponse<byte[]> response) {
        boolean gzip = response.headers().firstValue("Content-Encoding").filter(e -> e.equalsIgnoreCase("gzip")).isPresent();
        if (!gzip) {
            return new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
        }
        try (java.util.zip.GZIPInputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(response.body()))) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void applyChange(Bundle.BundleEntryComponent entry) {
        if (entry.getRequest().getMethod() == Bundle.HTTPVerb.DELETE) {
            records.remove(new IdType(entry.getRequest().getUrl()).toUnqualifiedVersionless().getValue());
            return;
        }
        Resource resource = entry.getResource();
        String key = key(resource);
        Resource known = records.get(key);
        if (known == null || Long.parseLong(resource.getMeta().getVersionId()) > Long.parseLong(known.getMeta().getVersionId())) {
            records.put(key, resource);
        }
    }

    private void apply(Batch batch, Bundle response) {
        List<Bundle.BundleEntryComponent> entries = response.getEntry();
        for (int i = 0; i < batch.resources().size(); i++) {
            Resource stored = batch.resources().get(i).copy();
            IdType location = new IdType(entries.get(i).getResponse().getLocation());
            stored.getMeta().setVersionId(location.getVersionIdPart());
            records.put(key(stored), stored);
        }
        batch.deletes().forEach(records::remove);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(fhirBase + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token.get());
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void backOff(int attempt) {
        try {
            Thread.sleep(Math.min(maxRetryDelay.toMillis(), firstRetryDelay.toMillis() << Math.min(attempt - 1, 20)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String urlEncode(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String key(Resource resource) {
        return resource.fhirType() + "/" + resource.getIdElement().getIdPart();
    }

    public Map<String, Resource> records() {
        return records;
    }

    public List<Batch> outbox() {
        return outbox;
    }

    public List<Conflict> conflicts() {
        return conflicts;
    }

    public String cursor() {
        return cursor;
    }

    /**
     * A batch waiting in the outbox. Its Bundle is frozen when first sent: every retry sends the
     * same bytes (a changed Bundle under the same key is refused).
     */
    public record Batch(String key, List<Resource> resources, Map<String, String> baseVersions, List<String> deletes,
            java.time.Instant recordedAt, String[] frozen) {
        Batch(String key, List<Resource> resources, Map<String, String> baseVersions, List<String> deletes,
                java.time.Instant recordedAt) {
            this(key, resources, baseVersions, deletes, recordedAt, new String[1]);
        }
    }

    /** A refused batch and the server's list of its conflicting entries. */
    public record Conflict(Batch batch, OperationOutcome outcome) {
        public List<String> references() {
            List<String> references = new ArrayList<>();
            for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
                Extension conflict = issue.getExtensionByUrl(CONFLICT_EXTENSION);
                references.add(conflict.getExtensionByUrl("resource").getValue().primitiveValue());
            }
            return references;
        }
    }

    public static final class PushReport {
        public final List<Batch> accepted = new ArrayList<>();
        public final List<Batch> conflicted = new ArrayList<>();
        /** Refused (422) because a record does not conform to the implementation guide. */
        public final List<Batch> refused = new ArrayList<>();
        public final List<Batch> unsent = new ArrayList<>();
        public final Map<String, HttpResponse<String>> responses = new LinkedHashMap<>();
        public int retries;
    }

    public static final class PullReport {
        public final List<Bundle.BundleEntryComponent> entries = new ArrayList<>();
        /** Sites the feed stopped covering; their records were removed from the device. */
        public final java.util.Set<String> purgedSites = new java.util.TreeSet<>();
        /** The feed's sites changed, so the device started again with a first sync. */
        public boolean restarted;
        public int pages;
        /** How many entries each page held, in order. */
        public final List<Integer> pageSizes = new ArrayList<>();
        public long bytes;
    }
}
