package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The pull half of the sync protocol (docs/SYNC.md): the change feed misses nothing, repeats nothing, leaks nothing. */
class SyncFeedTest extends ServerIntegrationTest {

    private static final Set<String> FEED_TYPES = Set.of("Patient", "Encounter", "Observation", "Condition", "MedicationRequest",
            "Procedure", "ServiceRequest", "DocumentReference", "Binary", "Consent", "Provenance");

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    IInterceptorService interceptors;

    private String user(String name, String role, String site) {
        return TestTokens.get().user(name, Set.of(role), Set.of(site));
    }

    private SyncDevice device(String token) {
        return new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), () -> token, fhirContext, Clock.systemUTC());
    }

    @Test
    void firstPullGivesTheSiteStateThenOnlyChangesIncludingDeletes() throws InterruptedException {
        String boidie = user("soignant.boidie.feed", "soignant", "CSCOM-BOIDIE");
        String boidieMajor = user("major.boidie.feed", "major", "CSCOM-BOIDIE");
        String kalake = user("soignant.kalake.feed", "soignant", "CSCOM-KALAKE");
        SyncDevice recorder = device(boidie);
        Patient patient = Consultations.patient("Bagayoko", "Assitan");
        Resource[] visit = Consultations.visit(patient, "Organization/cscom-boidie");
        recorder.record(visit);
        assertThat(recorder.push().accepted).hasSize(1);
        SyncDevice elsewhere = device(kalake);
        Resource[] kalakeVisit = Consultations.visit(Consultations.patient("Touré", "Hawa"), "Organization/cscom-kalake");
        elsewhere.record(kalakeVisit);
        assertThat(elsewhere.push().accepted).hasSize(1);

        SyncDevice reader = device(boidie);
        SyncDevice.PullReport first = reader.pull(2);

        // A transaction still running elsewhere (the audit drainer) may hold the horizon back a moment.
        List<Bundle.BundleEntryComponent> firstEntries = new ArrayList<>(first.entries);
        FeedHorizon.awaitPastEveryChange(jdbc);
        firstEntries.addAll(reader.pull(2).entries);
        assertThat(first.pages).as("pages of 2").isGreaterThanOrEqualTo(3);
        assertThat(reader.records().keySet()).contains(SyncDevice.key(patient), SyncDevice.key(visit[1]), SyncDevice.key(visit[4]));
        assertThat(firstEntries).filteredOn(entry -> entry.getResource() != null && FEED_TYPES.contains(entry.getResource().fhirType()))
                .isNotEmpty()
                .allSatisfy(entry -> assertThat(SiteLabels.siteOf(entry.getResource())).contains("CSCOM-BOIDIE"));
        assertThat(reader.records().values()).extracting(Resource::fhirType).contains("Provenance").doesNotContain("AuditEvent");
        assertThat(reader.pull(50).entries).filteredOn(e -> e.getResource() != null
                && "CSCOM-BOIDIE".equals(SiteLabels.siteOf(e.getResource()).orElse(null))).as("nothing of the site changed since").isEmpty();

        Patient edited = (Patient) recorder.records().get(SyncDevice.key(patient)).copy();
        edited.getNameFirstRep().addGiven("Nana");
        recorder.record(edited);
        assertThat(recorder.push().accepted).hasSize(1);
        SyncDevice remover = device(boidieMajor);
        remover.records().put(SyncDevice.key(visit[2]), reader.records().get(SyncDevice.key(visit[2])));
        remover.recordDeletion(SyncDevice.key(visit[2]));
        assertThat(remover.push().accepted).hasSize(1);

        FeedHorizon.awaitPastEveryChange(jdbc);
        SyncDevice.PullReport changes = reader.pull(50);

        assertThat(changes.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .contains("PUT Patient/" + patient.getIdElement().getIdPart() + "/_history/2", "DELETE " + SyncDevice.key(visit[2]) + "/_history/2");
        List<String> kalakeKeys = java.util.Arrays.stream(kalakeVisit).map(SyncDevice::key).toList();
        assertThat(kalakeKeys).hasSize(5);
        List<Bundle.BundleEntryComponent> everything = new ArrayList<>(firstEntries);
        everything.addAll(changes.entries);
        assertThat(everything).extracting(e -> e.getRequest().getUrl().replaceAll("/_history/.*", ""))
                .as("nothing recorded at Kalaké reaches Boïdié's feed").doesNotContainAnyElementsOf(kalakeKeys);
        assertThat(((Patient) reader.records().get(SyncDevice.key(patient))).getNameFirstRep().getGiven()).hasSize(2);
        assertThat(reader.records()).doesNotContainKey(SyncDevice.key(visit[2]));
        List<Bundle.BundleEntryComponent> shown = new ArrayList<>(changes.entries);
        shown.addAll(firstEntries.stream().filter(e -> FEED_TYPES.contains(e.getRequest().getUrl().split("/")[0])).toList());
        assertThat(shown).filteredOn(e -> e.getResource() != null).hasSizeGreaterThan(5)
                .allSatisfy(entry -> assertThat(sameContent(entry.getResource(),
                        (Resource) fhirContext.newJsonParser().parseResource(as(boidie, () -> get("/" + entry.getRequest().getUrl())).body())))
                        .as("%s is what a read of that version answers (meta, tags and source included)", entry.getRequest().getUrl())
                        .isTrue());

        FeedHorizon.awaitPastEveryChange(jdbc);
        SyncDevice.PullReport currentState = device(boidie).pull(50);
        assertThat(currentState.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .as("a first sync is the site's current state: current versions only, no deleted record")
                .contains("PUT Patient/" + patient.getIdElement().getIdPart() + "/_history/2")
                .doesNotContain("POST Patient/" + patient.getIdElement().getIdPart() + "/_history/1")
                .noneMatch(entry -> entry.startsWith("DELETE ") || entry.contains(SyncDevice.key(visit[2])));

        recorder.record(Consultations.patient("Sanogo", "Fatoumata"));
        assertThat(recorder.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);
        Bundle patients = parse(Bundle.class, as(boidie, () -> get("/Patient/_history?_count=1")).body());
        assertThat(patients.getEntry()).hasSize(1).allSatisfy(e -> assertThat(e.getRequest().getUrl()).startsWith("Patient/"));
        String next = patients.getLink("next").getUrl();
        assertThat(next).contains("/fhir/Patient/_history?_count=1").contains("&_cursor=");
        java.util.Set<String> seenPatients = new java.util.HashSet<>();
        patients.getEntry().forEach(e -> seenPatients.add(e.getRequest().getUrl()));
        while (next != null) {
            String path = next.substring(fhirBase().length());
            Bundle page = parse(Bundle.class, as(boidie, () -> get(path)).body());
            page.getEntry().forEach(e -> seenPatients.add(e.getRequest().getUrl()));
            next = page.getLink("next") == null ? null : page.getLink("next").getUrl();
        }
        assertThat(seenPatients).as("type-level history is the feed narrowed to Patient")
                .allSatisfy(url -> assertThat(url).startsWith("Patient/"))
                .contains("Patient/" + patient.getIdElement().getIdPart() + "/_history/2");
    }

    @Test
    void aDeviceWhoseUserMovedPurgesTheSiteItLost() throws InterruptedException {
        SyncDevice atNiena = device(user("soignant.niena.feed", "soignant", "CSCOM-NIENA"));
        Patient atNienaPatient = Consultations.patient("Togola", "Salimata");
        atNiena.record(Consultations.visit(atNienaPatient, "Organization/cscom-niena"));
        SyncDevice atKignan = device(user("soignant.kignan.feed", "soignant", "CSCOM-KIGNAN"));
        Patient atKignanPatient = Consultations.patient("Bouaré", "Adama");
        atKignan.record(Consultations.visit(atKignanPatient, "Organization/cscom-kignan"));
        assertThat(atNiena.push().accepted).hasSize(1);
        assertThat(atKignan.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);

        java.util.concurrent.atomic.AtomicReference<String> token = new java.util.concurrent.atomic.AtomicReference<>(
                TestTokens.get().user("medecin.moving.feed", Set.of("medecin"), Set.of("CSCOM-NIENA", "CSCOM-KIGNAN")));
        SyncDevice phone = new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), token::get, fhirContext, Clock.systemUTC());
        phone.pull(500);
        assertThat(phone.records()).containsKeys(SyncDevice.key(atNienaPatient), SyncDevice.key(atKignanPatient));

        token.set(TestTokens.get().user("medecin.moving.feed", Set.of("medecin"), Set.of("CSCOM-KIGNAN")));
        SyncDevice.PullReport afterTheMove = phone.pull(500);

        assertThat(afterTheMove.purgedSites).containsExactly("CSCOM-NIENA");
        assertThat(phone.records().values()).as("nothing of Niéna left on the phone")
                .noneMatch(record -> SiteLabels.siteOf(record).filter("CSCOM-NIENA"::equals).isPresent());
        assertThat(phone.records()).containsKey(SyncDevice.key(atKignanPatient));

        // Back at Niéna too: the first sync that follows brings its current state again.
        token.set(TestTokens.get().user("medecin.moving.feed", Set.of("medecin"), Set.of("CSCOM-NIENA", "CSCOM-KIGNAN")));
        SyncDevice.PullReport afterTheReturn = phone.pull(500);
        assertThat(afterTheReturn.restarted).isTrue();
        assertThat(phone.records()).containsKeys(SyncDevice.key(atNienaPatient), SyncDevice.key(atKignanPatient));
    }

    @Test
    void pagesLargerThanTheServerMaximumLoseNothing() throws InterruptedException {
        String bla = user("soignant.bla.feed", "soignant", "CSCOM-BLA-CENTRAL");
        SyncDevice recorder = device(bla);
        for (int batch = 0; batch < 7; batch++) {
            List<Resource> visits = new ArrayList<>();
            for (int n = 0; n < 20; n++) {
                visits.addAll(List.of(Consultations.visit(Consultations.patient("Doumbia", "B" + batch + "-" + n),
                        "Organization/cscom-bla-central")));
            }
            recorder.record(visits.toArray(Resource[]::new));
        }
        assertThat(recorder.push().accepted).hasSize(7);
        FeedHorizon.awaitPastEveryChange(jdbc);

        SyncDevice large = device(bla);
        SyncDevice small = device(bla);
        SyncDevice.PullReport inThousands = large.pull(1000);
        SyncDevice.PullReport inHundreds = small.pull(100);

        assertThat(inThousands.pageSizes).as("the server caps pages at 500").allSatisfy(size -> assertThat(size).isBetween(0, 500));
        assertThat(inThousands.pageSizes.stream().filter(size -> size == 500)).as("a full page of 500 at least").isNotEmpty();
        assertThat(inHundreds.pageSizes).allSatisfy(size -> assertThat(size).isBetween(0, 100));
        assertThat(inThousands.entries).extracting(e -> e.getRequest().getUrl())
                .containsExactlyElementsOf(inHundreds.entries.stream().map(e -> e.getRequest().getUrl()).toList());
        // Every record of the site in the database is in the feed, once: compared by id, not by a threshold.
        List<String> stored = jdbc.queryForList("select r.res_type || '/' || r.fhir_id from hfj_resource r"
                + " join hfj_partition p on p.part_id = r.partition_id where p.part_name = 'CSCOM-BLA-CENTRAL'"
                + " and r.res_deleted_at is null and r.res_type <> 'AuditEvent'", String.class);
        assertThat(stored).hasSizeGreaterThanOrEqualTo(700);
        assertThat(inThousands.entries).filteredOn(e -> e.getResource() != null
                        && "CSCOM-BLA-CENTRAL".equals(SiteLabels.siteOf(e.getResource()).orElse(null)))
                .extracting(e -> e.getRequest().getUrl().replaceAll("/_history/.*", ""))
                .containsExactlyInAnyOrderElementsOf(stored);
    }

    /** Commits late: takes its transaction id at once, then holds the transaction open. */
    @Interceptor
    public static final class SlowWrites {
        private final JdbcTemplate jdbc;

        SlowWrites(JdbcTemplate jdbc) {
            this.jdbc = jdbc;
        }

        @Hook(Pointcut.STORAGE_PRECOMMIT_RESOURCE_CREATED)
        public void holdSlowPatients(IBaseResource resource) throws InterruptedException {
            if (resource instanceof Patient patient && "Lent".equals(patient.getNameFirstRep().getFamily())) {
                jdbc.queryForObject("select pg_current_xact_id()::text", String.class);
                Thread.sleep(1500);
            }
        }
    }

    @Test
    void cursorMissesNothingWhileSlowAndFastWritersRaceReadersForAMinute() throws Exception {
        List<String> sites = List.of("CSCOM-SOMO", "CSCOM-SANANDO");
        SlowWrites slow = new SlowWrites(jdbc);
        interceptors.registerInterceptor(slow);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger written = new AtomicInteger();
        AtomicInteger slowWritten = new AtomicInteger();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (String site : sites) {
                for (int w = 0; w < 2; w++) {
                    String token = user("soignant.race." + site + w, "soignant", site);
                    String organization = "Organization/" + site.toLowerCase();
                    int writer = w;
                    writers.add(pool.submit(() -> {
                        SyncDevice phone = device(token);
                        for (int n = 0; writing.get(); n++) {
                            boolean isSlow = writer == 0 && n % 4 == 0;
                            Patient patient = Consultations.patient(isSlow ? "Lent" : "Rapide", "N" + n);
                            Resource[] visit = Consultations.visit(patient, organization);
                            phone.record(visit[0], visit[1]);
                            assertThat(phone.push().accepted).hasSize(1);
                            written.incrementAndGet();
                            if (isSlow) {
                                slowWritten.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
            }
            List<SyncDevice> readers = new ArrayList<>();
            List<List<Bundle.BundleEntryComponent>> seen = new ArrayList<>();
            List<Future<?>> readerTasks = new ArrayList<>();
            for (String site : sites) {
                for (int r = 0; r < 2; r++) {
                    SyncDevice reader = device(user("major.race." + site + r, "major", site));
                    List<Bundle.BundleEntryComponent> entries = Collections.synchronizedList(new ArrayList<>());
                    readers.add(reader);
                    seen.add(entries);
                    readerTasks.add(pool.submit(() -> {
                        while (writing.get()) {
                            entries.addAll(reader.pull(25).entries);
                            Thread.sleep(150);
                        }
                        return null;
                    }));
                }
            }
            Thread.sleep(Duration.ofSeconds(60).toMillis());
            writing.set(false);
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
            for (Future<?> reader : readerTasks) {
                reader.get(60, TimeUnit.SECONDS);
            }
            FeedHorizon.awaitPastEveryChange(jdbc);
            for (int i = 0; i < readers.size(); i++) {
                seen.get(i).addAll(readers.get(i).pull(200).entries);
            }

            assertThat(slowWritten.get()).as("slow transactions happened").isGreaterThan(3);
            for (int i = 0; i < readers.size(); i++) {
                String site = sites.get(i / 2);
                List<Bundle.BundleEntryComponent> clinical = seen.get(i).stream()
                        .filter(e -> FEED_TYPES.contains(e.getRequest().getUrl().split("/")[0])).toList();
                assertThat(clinical).filteredOn(e -> e.getResource() != null)
                        .allSatisfy(e -> assertThat(SiteLabels.siteOf(e.getResource())).as("no other site").contains(site));
                // request.url of a feed entry is Type/id/_history/version, deletions included.
                List<String> versions = clinical.stream().map(e -> e.getRequest().getUrl()).toList();
                assertThat(new HashSet<>(versions)).as("reader %d at %s: no duplicate", i, site).hasSameSizeAs(versions);
                assertThat(new HashSet<>(versions)).as("reader %d at %s: exactly the site's versions", i, site)
                        .isEqualTo(truth(site));
            }
            assertThat(written.get()).isGreaterThan(20);
        } finally {
            writing.set(false);
            interceptors.unregisterInterceptor(slow);
            pool.shutdownNow();
        }
    }

    private static boolean sameContent(Resource fromFeed, Resource fromRead) {
        Resource feed = fromFeed.copy();
        Resource read = fromRead.copy();
        feed.setIdElement(null);
        read.setIdElement(null);
        return feed.getMeta().getVersionId() != null && feed.equalsDeep(read);
    }

    private Set<String> truth(String site) {
        return new HashSet<>(jdbc.queryForList("select r.res_type || '/' || r.fhir_id || '/_history/' || v.res_ver"
                + " from hfj_res_ver v join hfj_resource r on r.res_id = v.res_id join hfj_partition p on p.part_id = v.partition_id"
                + " where p.part_name = ? and v.res_type = any(?)", String.class, site, FEED_TYPES.toArray(String[]::new)));
    }
}
