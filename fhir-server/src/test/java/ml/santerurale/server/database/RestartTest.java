package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import ca.uhn.fhir.context.FhirContext;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import ml.santerurale.server.FhirServerApplication;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Data survive a restart: the embedded PostgreSQL keeps its directory, HAPI's migrations and the
 * sites catalogue find their work done; page links do not. Readiness follows the database. Runs its own two servers, one after the other, on their
 * own data directory (the shared test server is not stopped).
 */
class RestartTest {

    private static final String BEARER = "Bearer " + TestTokens.get().medecin("CSCOM-KONOBOUGOU");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void keepsPatientsAcrossARestart() throws Exception {
        Path data = Files.createTempDirectory("srm-restart-");
        String id = UUID.randomUUID().toString();
        String family = "Redemarrage" + UUID.randomUUID().toString().substring(0, 8).replaceAll("[0-9-]", "x");
        String nextPage;
        String patient = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"Maïga\",\"given\":[\"Ousmane\"]}],"
                + "\"gender\":\"male\",\"birthDate\":\"1978\"}";

        try (ConfigurableApplicationContext first = start(data)) {
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient/" + id))
                    .header("Content-Type", "application/fhir+json").header("Authorization", BEARER).PUT(HttpRequest.BodyPublishers.ofString(patient)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
            for (int i = 0; i < 2; i++) {
                Patient homonym = ClinicalRecords.patient(family, "Awa", "cscom-konobougou");
                HttpResponse<String> more = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient/" + homonym.getIdPart()))
                        .header("Content-Type", "application/fhir+json").header("Authorization", BEARER)
                        .PUT(HttpRequest.BodyPublishers.ofString(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(homonym))).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(more.statusCode()).as(more.body()).isEqualTo(201);
            }
            HttpResponse<String> firstPage = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient?family=" + family + "&_count=1"))
                    .header("Authorization", BEARER).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(firstPage.statusCode()).as(firstPage.body()).isEqualTo(200);
            nextPage = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, firstPage.body())
                    .getLink("next").getUrl().substring(base(first).length());
        }

        try (ConfigurableApplicationContext second = start(data)) {
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base(second) + "/Patient/" + id)).header("Authorization", BEARER).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).contains("Maïga").contains("\"versionId\":\"1\"");
            Integer loads = second.getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                    .queryForObject("select count(*) from srm_site_catalog_load", Integer.class);
            assertThat(loads).as("the unchanged sites catalogue is not applied twice").isEqualTo(1);

            // Page links are bound to their searcher in memory: a restart expires them, for everyone.
            HttpResponse<String> replayed = http.send(HttpRequest.newBuilder(URI.create(base(second) + nextPage))
                    .header("Authorization", BEARER).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(replayed.statusCode()).as(replayed.body()).isEqualTo(410);
            assertThat(replayed.body()).contains("OperationOutcome").contains("does not exist and may have expired")
                    .doesNotContain(family);
            HttpResponse<String> searchedAgain = http.send(HttpRequest.newBuilder(URI.create(base(second) + "/Patient?family=" + family))
                    .header("Authorization", BEARER).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, searchedAgain.body()).getEntry())
                    .as("a new search finds them all").hasSize(2);
        }
    }

    @Test
    void readinessGoesDownWithTheDatabaseWhileLivenessStaysUp() throws Exception {
        // Hikari waits this long for a connection before the health check gives up (30 s by default).
        try (ConfigurableApplicationContext server = start(Files.createTempDirectory("srm-readiness-"),
                "--spring.datasource.hikari.connection-timeout=2000")) {
            String health = base(server).replace("/fhir", "/actuator/health");
            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(health + "/readiness")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);

            server.getBean(EmbeddedPostgres.class).close();

            HttpResponse<String> notReady = http.send(HttpRequest.newBuilder(URI.create(health + "/readiness")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(notReady.statusCode()).as(notReady.body()).isEqualTo(503);
            assertThat(notReady.body()).contains("\"status\":\"DOWN\"");
            HttpResponse<String> alive = http.send(HttpRequest.newBuilder(URI.create(health + "/liveness")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(alive.statusCode()).as("a database outage is no reason to restart the server: %s", alive.body()).isEqualTo(200);
        }
    }

    private static ConfigurableApplicationContext start(Path data, String... more) {
        java.util.List<String> arguments = new java.util.ArrayList<>(java.util.List.of(
                "--server.port=0",
                "--srm.database.embedded.port=0",
                "--srm.database.embedded.data-directory=" + data.resolve("postgres"),
                "--srm.fhir.lucene-directory=" + data.resolve("lucene"),
                "--management.prometheus.metrics.export.enabled=false",
                "--srm.security.issuers[0].issuer=" + TestTokens.ISSUER,
                "--srm.security.issuers[0].jwks-uri=" + TestTokens.get().jwksUri()));
        arguments.addAll(java.util.List.of(more));
        return new SpringApplicationBuilder(FhirServerApplication.class).run(arguments.toArray(String[]::new));
    }

    private static String base(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return "http://localhost:" + port + "/fhir";
    }
}
