package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import ml.santerurale.server.FhirServerApplication;
import ml.santerurale.server.support.TestTokens;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Data survive a restart: the embedded PostgreSQL keeps its directory, HAPI's migrations and the
 * sites catalogue find their work done. Runs its own two servers, one after the other, on their
 * own data directory (the shared test server is not stopped).
 */
class RestartTest {

    private static final String BEARER = "Bearer " + TestTokens.get().medecin("CSCOM-KONOBOUGOU");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void keepsPatientsAcrossARestart() throws Exception {
        Path data = Files.createTempDirectory("srm-restart-");
        String id = UUID.randomUUID().toString();
        String patient = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"Maïga\",\"given\":[\"Ousmane\"]}],"
                + "\"gender\":\"male\",\"birthDate\":\"1978\"}";

        try (ConfigurableApplicationContext first = start(data)) {
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base(first) + "/Patient/" + id))
                    .header("Content-Type", "application/fhir+json").header("Authorization", BEARER).PUT(HttpRequest.BodyPublishers.ofString(patient)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).isEqualTo(201);
        }

        try (ConfigurableApplicationContext second = start(data)) {
            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base(second) + "/Patient/" + id)).header("Authorization", BEARER).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);
            assertThat(read.body()).contains("Maïga").contains("\"versionId\":\"1\"");
            Integer loads = second.getBean(org.springframework.jdbc.core.JdbcTemplate.class)
                    .queryForObject("select count(*) from srm_site_catalog_load", Integer.class);
            assertThat(loads).as("the unchanged sites catalogue is not applied twice").isEqualTo(1);
        }
    }

    private static ConfigurableApplicationContext start(Path data) {
        return new SpringApplicationBuilder(FhirServerApplication.class).run(
                "--server.port=0",
                "--srm.database.embedded.port=0",
                "--srm.database.embedded.data-directory=" + data.resolve("postgres"),
                "--srm.fhir.lucene-directory=" + data.resolve("lucene"),
                "--management.prometheus.metrics.export.enabled=false",
                "--srm.security.issuers[0].issuer=" + TestTokens.ISSUER,
                "--srm.security.issuers[0].jwks-uri=" + TestTokens.get().jwksUri());
    }

    private static String base(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return "http://localhost:" + port + "/fhir";
    }
}
