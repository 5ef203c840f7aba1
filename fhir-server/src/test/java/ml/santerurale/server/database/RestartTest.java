package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.model.entity.ResourceTable;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import ml.santerurale.server.support.TestDirectories;
import org.hibernate.search.mapper.orm.Search;
import org.springframework.jdbc.core.JdbcTemplate;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.StandaloneServer;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import ml.santerurale.server.headers.SecurityHeaders;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Data survive a restart: the embedded PostgreSQL keeps its directory, HAPI's migrations and the
 * sites catalogue find their work done; page links do not. Readiness follows the database. Runs its own two servers, one after the other, on their
 * own data directory (the shared test server is not stopped).
 */
class RestartTest {

    /** A fresh token each time: a slow machine can take longer than a token's life to start three servers. */
    private static String bearer() {
        return "Bearer " + TestTokens.get().medecin("CSCOM-KONOBOUGOU");
    }

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void keepsPatientsAcrossARestart() throws Exception {
        Path data = TestDirectories.create("srm-restart-");
        String id = UUID.randomUUID().toString();
        String family = "Redemarrage" + UUID.randomUUID().toString().substring(0, 8).replaceAll("[0-9-]", "x");
        String nextPage;
        String patient = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"Maïga\",\"given\":[\"Ousmane\"]}],"
                + "\"gender\":\"male\",\"birthDate\":\"1978\"}";

        try (ConfigurableApplicationContext first = start(data)) {
            assertThat(first.getBeanNamesForType(org.apache.camel.CamelContext.class))
                    .as("no DHIS2 address: no Camel context (its only route is the DHIS2 delivery)").isEmpty();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient/" + id))
                    .header("Content-Type", "application/fhir+json").header("Authorization", bearer()).PUT(HttpRequest.BodyPublishers.ofString(patient)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            for (int i = 0; i < 2; i++) {
                Patient homonym = ClinicalRecords.patient(family, "Awa", "cscom-konobougou");
                HttpResponse<String> more = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient/" + homonym.getIdPart()))
                        .header("Content-Type", "application/fhir+json").header("Authorization", bearer())
                        .PUT(HttpRequest.BodyPublishers.ofString(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(homonym))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(more.statusCode()).as(more.body()).isEqualTo(201);
            }
            HttpResponse<String> firstPage = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient?family=" + family + "&_count=1"))
                    .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(firstPage.statusCode()).as(firstPage.body()).isEqualTo(200);
            nextPage = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, firstPage.body())
                    .getLink("next").getUrl().substring(base(first).length());
        }

        try (ConfigurableApplicationContext second = start(data)) {
            // The first server stopped cleanly seconds after it wrote (well within two checkpoint
            // intervals): its stop recorded a last full-text checkpoint, so this start had nothing
            // to re-index (the catalogue's 252 resources and these patients took 7 s without it).
            Integer behind = second.getBean(JdbcTemplate.class).queryForObject("select count(*) from srm_change c"
                    + " cross join srm_fulltext_checkpoint f where not pg_visible_in_snapshot(c.txid, f.snapshot)", Integer.class);
            assertThat(behind).as("changes the full-text checkpoint of the clean stop does not cover").isZero();
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base(second) + "/Patient/" + id)).header("Authorization", bearer()).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).contains("Maïga").contains("\"versionId\":\"1\"");
            Integer loads = second.getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                    .queryForObject("select count(*) from srm_site_catalog_load", Integer.class);
            assertThat(loads).as("the unchanged sites catalogue is not applied twice").isEqualTo(1);

            // Page links are bound to their searcher in memory: a restart expires them, for everyone.
            HttpResponse<String> replayed = http.send(HttpRequest.newBuilder(URI.create(base(second) + nextPage))
                    .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(410);
            assertThat(replayed.body()).contains("OperationOutcome").contains("does not exist and may have expired")
                    .doesNotContain(family);
            HttpResponse<String> searchedAgain = http.send(HttpRequest.newBuilder(URI.create(base(second) + "/Patient?family=" + family))
                    .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, searchedAgain.body()).getEntry())
                    .as("a new search finds them all").hasSize(2);
        }
    }

    @Test
    void whileTheDatabaseIsAwayReadinessFallsAndRequestsGet503AtOnceThenTheServerStartsItAgainAndStopsFastWithoutIt() throws Exception {
        Path data = TestDirectories.create("srm-outage-");
        String id = UUID.randomUUID().toString();
        // Long enough for the checks of the outage below before the server starts PostgreSQL again.
        try (ConfigurableApplicationContext server = start(data, "--srm.database.embedded.restart-after=20s")) {
            String health = base(server).replace("/fhir", "/actuator/health");
            Patient patient = ClinicalRecords.patient("Panne", "Awa", "cscom-konobougou");
            patient.setId(id);
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/Patient/" + id))
                    .header("Content-Type", "application/fhir+json").header("Authorization", bearer())
                    .PUT(HttpRequest.BodyPublishers.ofString(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(patient))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(get(health + "/readiness").statusCode()).isEqualTo(200);

            long stopped = stopPostgres(data);
            double downAfter = awaitReadiness(health, 503, stopped, 30);
            System.out.printf("[outage] readiness 503 %.1f s after the database stopped%n", downAfter);
            assertThat(downAfter).as("seconds until readiness says DOWN (the pool's own check took 30)").isLessThan(10);
            assertThat(get(health + "/liveness").statusCode())
                    .as("a database outage is no reason to restart the server").isEqualTo(200);

            for (HttpRequest.Builder request : java.util.List.of(
                    HttpRequest.newBuilder(URI.create(base(server) + "/metadata")).GET(),
                    HttpRequest.newBuilder(URI.create(base(server) + "/Patient/" + id)).GET(),
                    HttpRequest.newBuilder(URI.create(base(server) + "/Patient?family=Panne")).GET(),
                    HttpRequest.newBuilder(URI.create(base(server))).header("Content-Type", "application/fhir+json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[]}")))) {
                long t0 = System.nanoTime();
                HttpResponse<String> away = http.send(request.header("Authorization", bearer()).build(), HttpResponse.BodyHandlers.ofString());
                double seconds = (System.nanoTime() - t0) / 1e9;
                assertThat(away.statusCode()).as(away.body()).isEqualTo(503);
                assertThat(seconds).as("answered at once, not after the pool's timeout").isLessThan(5);
                assertThat(away.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(away.headers().firstValue("X-Content-Type-Options")).as("security headers on a 503").hasValue("nosniff");
                assertThat(away.headers().firstValue("Content-Security-Policy")).hasValue(SecurityHeaders.API_POLICY);
                assertThat(away.body()).contains("\"resourceType\":\"OperationOutcome\"", "\"code\":\"transient\"",
                                "The database is unavailable for a moment; nothing of this request was written")
                        .doesNotContainIgnoringCase("sql").doesNotContainIgnoringCase("jdbc")
                        .doesNotContainIgnoringCase("hikari").doesNotContain("srm_").doesNotContain("Exception");
            }
            // Background work (HAPI's jobs, the outbox drainer) asks the same data source: refused at once, not after 30 s.
            long asked = System.nanoTime();
            assertThatThrownBy(() -> server.getBean(javax.sql.DataSource.class).getConnection().close())
                    .isInstanceOf(java.sql.SQLTransientConnectionException.class)
                    .hasMessageContaining("The database is away");
            assertThat((System.nanoTime() - asked) / 1e9).as("refused at once, not after the pool's timeout").isLessThan(5);

            // The server starts its PostgreSQL again (after restart-after) and serves the data.
            double upAfter = awaitReadiness(health, 200, stopped, 120);
            System.out.printf("[outage] ready again %.1f s after the database stopped (restart-after 20 s)%n", upAfter);
            HttpResponse<String> back = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/Patient/" + id))
                    .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(back.statusCode()).as(back.body()).isEqualTo(200);
            assertThat(back.body()).contains("Panne");

            // Away again, and the server is stopped meanwhile.
            awaitReadiness(health, 503, stopPostgres(data), 30);
            long closing = System.nanoTime();
            server.close();
            double closeSeconds = (System.nanoTime() - closing) / 1e9;
            System.out.printf("[outage] server stopped in %.1f s with the database away%n", closeSeconds);
            assertThat(closeSeconds).as("a stop with the database away takes seconds, not the pool's timeouts").isLessThan(20);
        }
    }

    @Test
    void theFullTextIndexCatchesUpWithWhatACrashLostAndIsRebuiltWhenItsDirectoryIsGone() throws Exception {
        Path data = TestDirectories.create("srm-fulltext-");
        String kept = "Kanwkept" + UUID.randomUUID().toString().replaceAll("[0-9-]", "").substring(0, 6);
        String lost = "Kanwlost" + UUID.randomUUID().toString().replaceAll("[0-9-]", "").substring(0, 6);
        // No checkpoint of its own during the test: the test sets it, as a crash would leave it.
        String[] slow = {"--srm.fulltext.checkpoint-interval=1h"};
        String keptId;
        String lostId;
        // The first server's PostgreSQL stays down once stopped below, until the server is closed.
        try (ConfigurableApplicationContext first = start(data, "--srm.fulltext.checkpoint-interval=1h",
                "--srm.database.embedded.restart-after=10m")) {
            JdbcTemplate jdbc = first.getBean(JdbcTemplate.class);
            keptId = put(first, ClinicalRecords.patient(kept, "Awa", "cscom-konobougou"));
            // The last checkpoint before the crash saw the first patient committed, not the second.
            jdbc.update("update srm_fulltext_checkpoint set snapshot = pg_current_snapshot()");
            lostId = put(first, ClinicalRecords.patient(lost, "Awa", "cscom-konobougou"));
            // The crash lost the second patient's index change (Lucene had not committed it).
            EntityManagerFactory factory = first.getBean(EntityManagerFactory.class);
            EntityManager entityManager = factory.createEntityManager();
            entityManager.getTransaction().begin();
            Long resId = jdbc.queryForObject("select res_id from hfj_resource where res_type = 'Patient' and fhir_id = ?", Long.class, lostId);
            Search.session(entityManager).indexingPlan().delete(entityManager.find(ResourceTable.class, JpaPid.fromId(resId)));
            entityManager.getTransaction().commit();
            entityManager.close();
            Search.mapping(factory).scope(ResourceTable.class).workspace().flush();
            assertThat(contentSearch(first, lost)).as("lost from the index").isEmpty();
            // As in a crash, the server stops without the last checkpoint a clean stop records: its
            // database is gone first.
            awaitReadiness(base(first).replace("/fhir", "/actuator/health"), 503, stopPostgres(data), 30);
        }

        try (ConfigurableApplicationContext second = start(data, slow)) {
            assertThat(contentSearch(second, kept)).containsExactly(keptId);
            assertThat(contentSearch(second, lost)).as("re-indexed before the server reported ready").containsExactly(lostId);
        }

        org.springframework.util.FileSystemUtils.deleteRecursively(data.resolve("lucene"));
        try (ConfigurableApplicationContext third = start(data, slow)) {
            assertThat(contentSearch(third, kept)).as("an index directory that is gone is rebuilt").containsExactly(keptId);
            assertThat(contentSearch(third, lost)).containsExactly(lostId);
        }
    }

    private String put(ConfigurableApplicationContext server, Patient patient) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/Patient/" + patient.getIdPart()))
                .header("Content-Type", "application/fhir+json").header("Authorization", bearer())
                .PUT(HttpRequest.BodyPublishers.ofString(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(patient))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return patient.getIdPart();
    }

    private java.util.List<String> contentSearch(ConfigurableApplicationContext server, String word) throws Exception {
        HttpResponse<String> found = http.send(HttpRequest.newBuilder(URI.create(base(server) + "/Patient?_content=" + word))
                .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(found.statusCode()).as(found.body()).isEqualTo(200);
        return FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, found.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    /** PostgreSQL's fast shutdown, as an operator's {@code pg_ctl stop -m fast} does it; returns when. */
    private static long stopPostgres(Path data) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(data.resolve("postgres/postmaster.pid")).get(0).trim());
        new ProcessBuilder("kill", "-INT", Long.toString(postmaster)).inheritIO().start().waitFor();
        return System.nanoTime();
    }

    /** Seconds from {@code since} until readiness answers {@code status}; fails after {@code limit} s. */
    private double awaitReadiness(String health, int status, long since, int limit) throws Exception {
        HttpResponse<String> ready = get(health + "/readiness");
        while (ready.statusCode() != status && System.nanoTime() - since < limit * 1_000_000_000L) {
            Thread.sleep(100);
            ready = get(health + "/readiness");
        }
        assertThat(ready.statusCode()).as("readiness within %d s: %s", limit, ready.body()).isEqualTo(status);
        return (System.nanoTime() - since) / 1e9;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ConfigurableApplicationContext start(Path data, String... more) {
        return StandaloneServer.start(data, more);
    }

    private static String base(ConfigurableApplicationContext context) {
        return StandaloneServer.fhirBase(context);
    }
}
