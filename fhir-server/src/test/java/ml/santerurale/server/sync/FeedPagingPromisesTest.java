package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What docs/SYNC.md promises about pulling, checked page by page: pages of 500 by default, every
 * page repeating the first page's {@code meta.lastUpdated} and {@code sync-scope}, a {@code _since}
 * the server never handed out answered with a superset, and a feed that holds only the types the
 * caller may read.
 */
class FeedPagingPromisesTest extends ServerIntegrationTest {

    private static final String SCOPE = "https://sante-rurale.ml/fhir/StructureDefinition/sync-scope";

    @Autowired
    JdbcTemplate jdbc;

    private final String touna = TestTokens.get().user("soignant.touna.paging", Set.of("soignant"), Set.of("CSCOM-TOUNA"));
    private final String admin = TestTokens.get().user("admin.national.paging", Set.of("admin"), Set.of());

    @Test
    void aFirstSyncComesInPagesOf500ThatAllNameTheSameInstantAndSites() throws InterruptedException {
        SyncDevice recorder = new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), () -> touna, fhirContext, Clock.systemUTC());
        for (int batch = 0; batch < 6; batch++) {
            List<Resource> visits = new ArrayList<>();
            for (int n = 0; n < 20; n++) {
                visits.addAll(List.of(Consultations.visit(Consultations.patient("Sidibe", "T" + batch + "-" + n), "Organization/cscom-touna")));
            }
            recorder.record(visits.toArray(Resource[]::new));
        }
        assertThat(recorder.push().accepted).hasSize(6);
        FeedHorizon.awaitPastEveryChange(jdbc);

        List<Bundle> pages = pages(touna, "/_history");
        assertThat(pages.get(0).getEntry()).as("the default page").hasSize(500);
        assertThat(pages).hasSizeGreaterThanOrEqualTo(2).allSatisfy(page -> {
            assertThat(page.getEntry().size()).isLessThanOrEqualTo(500);
            assertThat(page.getMeta().getLastUpdatedElement().getValueAsString())
                    .isEqualTo(pages.get(0).getMeta().getLastUpdatedElement().getValueAsString());
            assertThat(scope(page)).isEqualTo(scope(pages.get(0))).containsExactly("CSCOM-TOUNA");
        });
        assertThat(pages(touna, "/_history?_count=5000").get(0).getEntry()).as("a larger _count is capped").hasSize(500);

        List<String> stored = jdbc.queryForList("select r.res_type || '/' || r.fhir_id from hfj_resource r"
                + " join hfj_partition p on p.part_id = r.partition_id where p.part_name = 'CSCOM-TOUNA'"
                + " and r.res_deleted_at is null and r.res_type <> 'AuditEvent'", String.class);
        assertThat(stored).hasSizeGreaterThanOrEqualTo(600);
        assertThat(pages.stream().flatMap(page -> page.getEntry().stream()))
                .filteredOn(e -> e.getResource() != null && "CSCOM-TOUNA".equals(SiteLabels.siteOf(e.getResource()).orElse(null)))
                .extracting(e -> e.getRequest().getUrl().replaceAll("/_history/.*", ""))
                .containsExactlyInAnyOrderElementsOf(stored);
    }

    @Test
    void aSinceTheServerNeverHandedOutIsAnsweredWithASuperset() throws InterruptedException {
        SyncDevice recorder = new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), () -> touna, fhirContext, Clock.systemUTC());
        Instant before = Instant.now().minusMillis(1);
        Resource[] visit = Consultations.visit(Consultations.patient("Sidibe", "Since"), "Organization/cscom-touna");
        recorder.record(visit);
        assertThat(recorder.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);

        List<String> urls = pages(touna, "/_history?_since=" + before + "&_count=500").stream()
                .flatMap(page -> page.getEntry().stream()).map(e -> e.getRequest().getUrl().replaceAll("/_history/.*", "")).toList();
        for (Resource resource : visit) {
            assertThat(urls).contains(SyncDevice.key(resource));
        }
    }

    @Test
    void theFeedHoldsOnlyTheTypesTheCallerMayRead() {
        List<Bundle> pages = pages(admin, "/_history?_count=200");
        assertThat(pages.stream().flatMap(page -> page.getEntry().stream())).isNotEmpty()
                .allSatisfy(e -> assertThat(e.getRequest().getUrl().split("/")[0])
                        .isIn("Organization", "Location", "Practitioner", "PractitionerRole"));
    }

    private List<Bundle> pages(String token, String first) {
        List<Bundle> pages = new ArrayList<>();
        String next = fhirBase() + first;
        while (next != null && pages.size() < 50) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(next)).header("Authorization", "Bearer " + token)
                    .header("Accept", "application/fhir+json").GET());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
            Bundle page = parse(Bundle.class, response.body());
            pages.add(page);
            next = page.getLink("next") == null ? null : page.getLink("next").getUrl();
        }
        return pages;
    }

    private static List<String> scope(Bundle page) {
        return page.getMeta().getExtensionsByUrl(SCOPE).stream().map(Extension::getValue).map(v -> v.primitiveValue()).toList();
    }
}
