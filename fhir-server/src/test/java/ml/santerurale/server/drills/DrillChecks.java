package ml.santerurale.server.drills;

import ca.uhn.fhir.context.FhirContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.santerurale.server.support.SyncDevice;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;

/**
 * What a drill checks after a fault, through the server's API as an operator would: nothing lost
 * (every acknowledged batch stored), nothing doubled (each resource at version 1, one Provenance
 * per key), nothing half-written (a batch is stored whole or not at all), every stored write
 * audited (a create AuditEvent naming it, read from the audit trail once the outbox has drained)
 * and the full-text index complete ({@code Patient?_content=} finds every stored patient).
 *
 * <p>Does not guarantee anything about records the drill did not write, nor that the index holds
 * no stale entry; reads through a major of the drill's site (clinical records and the site's audit
 * trail).
 */
final class DrillChecks {

    private static final Pattern OUTBOX_ROWS = Pattern.compile("(?m)^srm_audit_outbox_rows(?:\\{[^}]*})? ([0-9.eE+-]+)$");

    private final String fhirBase;
    private final String prometheus;
    private final Supplier<String> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FhirContext fhir = FhirContext.forR4Cached();

    DrillChecks(String fhirBase, String prometheus, Supplier<String> token) {
        this.fhirBase = fhirBase;
        this.prometheus = prometheus;
        this.token = token;
    }

    /** Runs every check on {@code batches}; prints one line of figures; returns the failures. */
    List<String> verify(String scenario, List<SyncLoad.Batch> batches, String family, Consumer<String> out)
            throws IOException, InterruptedException {
        List<String> failures = new ArrayList<>();
        double drained = awaitOutboxDrained(Duration.ofSeconds(120));
        if (drained < 0) {
            failures.add("the audit outbox did not drain within 120 s");
        }

        Map<String, String> versions = storedVersions(batches);
        int acknowledged = 0;
        int committed = 0;
        List<String> lost = new ArrayList<>();
        List<String> halfWritten = new ArrayList<>();
        List<String> doubled = new ArrayList<>();
        Set<String> stored = new HashSet<>();
        for (SyncLoad.Batch batch : batches) {
            long present = batch.references.stream().filter(versions::containsKey).count();
            if (batch.acknowledged()) {
                acknowledged++;
                batch.references.stream().filter(r -> !versions.containsKey(r)).forEach(r -> lost.add(r + " (batch " + batch.key + ")"));
            }
            if (present > 0 && present < batch.references.size()) {
                halfWritten.add(batch.key);
            }
            if (present == batch.references.size()) {
                committed++;
            }
            batch.references.stream().filter(versions::containsKey).forEach(stored::add);
        }
        versions.forEach((reference, version) -> {
            if (!"1".equals(version)) {
                doubled.add(reference + " at version " + version);
            }
        });

        Map<String, Integer> provenances = provenancesByKey();
        int provenanceFailures = 0;
        for (SyncLoad.Batch batch : batches) {
            int count = provenances.getOrDefault(batch.key, 0);
            boolean whole = batch.references.stream().allMatch(versions::containsKey);
            if (count > 1 || (whole && count != 1) || (!whole && count != 0)) {
                provenanceFailures++;
                doubled.add("batch " + batch.key + " has " + count + " Provenance");
            }
        }

        Set<String> audited = auditedCreates();
        List<String> unaudited = stored.stream().filter(r -> !audited.contains(r)).sorted().toList();

        Set<String> storedPatients = new HashSet<>();
        batches.forEach(b -> {
            if (versions.containsKey("Patient/" + b.patient)) {
                storedPatients.add(b.patient);
            }
        });
        Set<String> found = contentSearch(family);
        List<String> unindexed = storedPatients.stream().filter(p -> !found.contains(p)).sorted().toList();

        out.accept(String.format("%s checks: %d batches, %d acknowledged, %d stored whole (%d resources); lost %d,"
                        + " doubled %d (versions other than 1, Provenance not one per key: %d), half-written %d;"
                        + " audit outbox drained %s; stored resources without a create AuditEvent %d;"
                        + " patients missing from Patient?_content= %d of %d",
                scenario, batches.size(), acknowledged, committed, stored.size(), lost.size(), doubled.size(),
                provenanceFailures, halfWritten.size(), drained < 0 ? "NOT within 120 s" : String.format("after %.1f s", drained),
                unaudited.size(), unindexed.size(), storedPatients.size()));
        report(failures, "lost (acknowledged, not stored)", lost);
        report(failures, "doubled", doubled);
        report(failures, "half-written batches", halfWritten);
        report(failures, "stored without a create AuditEvent", unaudited);
        report(failures, "patients missing from the full-text index", unindexed);
        return failures;
    }

    private static void report(List<String> failures, String what, List<String> items) {
        if (!items.isEmpty()) {
            failures.add(items.size() + " " + what + ": " + items.subList(0, Math.min(10, items.size()))
                    + (items.size() > 10 ? " …" : ""));
        }
    }

    /** Seconds until {@code srm_audit_outbox_rows} is 0, or -1 after {@code limit}. */
    double awaitOutboxDrained(Duration limit) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        while (System.nanoTime() - t0 < limit.toNanos()) {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create(prometheus)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher rows = OUTBOX_ROWS.matcher(metrics.body());
            if (metrics.statusCode() == 200 && rows.find() && Double.parseDouble(rows.group(1)) == 0) {
                return (System.nanoTime() - t0) / 1e9;
            }
            Thread.sleep(200);
        }
        return -1;
    }

    /** {@code Type/id} to the current version, for every resource of the batches the server has. */
    private Map<String, String> storedVersions(List<SyncLoad.Batch> batches) throws IOException, InterruptedException {
        Map<String, List<String>> idsByType = new TreeMap<>();
        for (SyncLoad.Batch batch : batches) {
            for (String reference : batch.references) {
                String[] parts = reference.split("/");
                idsByType.computeIfAbsent(parts[0], t -> new ArrayList<>()).add(parts[1]);
            }
        }
        Map<String, String> versions = new HashMap<>();
        for (Map.Entry<String, List<String>> type : idsByType.entrySet()) {
            List<String> ids = type.getValue();
            for (int from = 0; from < ids.size(); from += 50) {
                String chunk = String.join(",", ids.subList(from, Math.min(ids.size(), from + 50)));
                for (Resource resource : search(type.getKey() + "?_id=" + chunk + "&_count=100")) {
                    versions.put(SyncDevice.key(resource), resource.getMeta().getVersionId());
                }
            }
        }
        return versions;
    }

    private Map<String, Integer> provenancesByKey() throws IOException, InterruptedException {
        Map<String, Integer> byKey = new LinkedHashMap<>();
        for (Resource resource : search("Provenance?_count=500")) {
            for (Provenance.ProvenanceEntityComponent entity : ((Provenance) resource).getEntity()) {
                if (SyncDevice.KEY_SYSTEM.equals(entity.getWhat().getIdentifier().getSystem())) {
                    byKey.merge(entity.getWhat().getIdentifier().getValue(), 1, Integer::sum);
                }
            }
        }
        return byKey;
    }

    /** Every record named by a create event of the trail ({@code Type/id}, version dropped). */
    private Set<String> auditedCreates() throws IOException, InterruptedException {
        Set<String> named = new HashSet<>();
        for (Resource resource : search("AuditEvent?action=C&_count=500")) {
            for (AuditEvent.AuditEventEntityComponent entity : ((AuditEvent) resource).getEntity()) {
                for (String said : new String[] {entity.getWhat().getReference(), entity.getName(),
                        entity.getWhat().getIdentifier().getValue()}) {
                    if (said != null && said.contains("/")) {
                        String[] parts = said.replaceFirst("/_history/.*$", "").split("/");
                        if (parts.length >= 2) {
                            named.add(parts[parts.length - 2] + "/" + parts[parts.length - 1]);
                        }
                    }
                }
            }
        }
        return named;
    }

    private Set<String> contentSearch(String word) throws IOException, InterruptedException {
        Set<String> ids = new HashSet<>();
        for (Resource resource : search("Patient?_content=" + URLEncoder.encode(word, StandardCharsets.UTF_8) + "&_count=500")) {
            ids.add(resource.getIdElement().getIdPart());
        }
        return ids;
    }

    /** Every match of a search, following next links. */
    private List<Resource> search(String query) throws IOException, InterruptedException {
        List<Resource> found = new ArrayList<>();
        String next = fhirBase + "/" + query;
        while (next != null) {
            HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create(next)).timeout(Duration.ofSeconds(120))
                    .header("Authorization", "Bearer " + token.get()).header("Accept", "application/fhir+json").GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (page.statusCode() != 200) {
                throw new IllegalStateException(query + " answered " + page.statusCode() + ": " + page.body());
            }
            Bundle bundle = fhir.newJsonParser().parseResource(Bundle.class, page.body());
            bundle.getEntry().stream().filter(e -> e.getSearch().getMode() != Bundle.SearchEntryMode.OUTCOME)
                    .forEach(e -> found.add(e.getResource()));
            Bundle.BundleLinkComponent link = bundle.getLink("next");
            next = link == null ? null : link.getUrl();
        }
        return found;
    }
}
