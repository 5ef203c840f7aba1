package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.UUID;
import ml.santerurale.server.FhirServerApplication;
import ml.santerurale.server.support.TestDirectories;
import ml.santerurale.server.support.TestTokens;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * README's external mode: {@code srm.database.mode=external} with {@code spring.datasource.*}
 * pointing at an empty database owned by its user. The server creates HAPI's schema and ours in
 * that database, starts no PostgreSQL of its own, and stores what it is sent there. The external
 * PostgreSQL here is one this test starts (PostgreSQL 16, from the same binaries), reached over
 * TCP like any other.
 */
class ExternalDatabaseTest {

    private static final String BEARER = "Bearer " + TestTokens.get().medecin("CSCOM-KONOBOUGOU");

    @Test
    void theServerKeepsItsRecordsInTheDatabaseItIsGivenAndStartsNoneOfItsOwn() throws Exception {
        Path data = TestDirectories.create("srm-external-");
        try (EmbeddedPostgres external = EmbeddedPostgres.builder()
                .setDataDirectory(data.resolve("external")).setCleanDataDirectory(true).start()) {
            try (Connection admin = external.getPostgresDatabase().getConnection(); Statement sql = admin.createStatement()) {
                sql.execute("create user sante with password 'sante-external'");
                sql.execute("create database sante owner sante");
            }
            String id = UUID.randomUUID().toString();
            try (ConfigurableApplicationContext server = new SpringApplicationBuilder(FhirServerApplication.class).run(
                    "--server.port=0",
                    "--srm.database.mode=external",
                    "--spring.datasource.url=jdbc:postgresql://localhost:" + external.getPort() + "/sante",
                    "--spring.datasource.username=sante",
                    "--spring.datasource.password=sante-external",
                    "--srm.fhir.lucene-directory=" + data.resolve("lucene"),
                    "--management.prometheus.metrics.export.enabled=false",
                    "--srm.security.issuers[0].issuer=" + TestTokens.ISSUER,
                    "--srm.security.issuers[0].jwks-uri=" + TestTokens.get().jwksUri())) {
                assertThat(server.getBeanNamesForType(EmbeddedDatabase.class)).as("no PostgreSQL of its own").isEmpty();
                int port = ((WebServerApplicationContext) server).getWebServer().getPort();
                String patient = "{\"resourceType\":\"Patient\",\"id\":\"" + id + "\",\"name\":[{\"family\":\"Externe\",\"given\":[\"Awa\"]}],"
                        + "\"gender\":\"female\",\"birthDate\":\"1990\"}";
                HttpResponse<String> created = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/fhir/Patient/" + id))
                                .header("Content-Type", "application/fhir+json").header("Authorization", BEARER)
                                .PUT(HttpRequest.BodyPublishers.ofString(patient)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            }
            try (Connection owner = external.getDatabase("sante", "sante").getConnection();
                    Statement sql = owner.createStatement();
                    ResultSet stored = sql.executeQuery("select count(*) from hfj_resource where res_type = 'Patient' and fhir_id = '" + id + "'")) {
                stored.next();
                assertThat(stored.getInt(1)).as("the patient is in the external database").isEqualTo(1);
            }
            try (Connection owner = external.getDatabase("sante", "sante").getConnection();
                    Statement sql = owner.createStatement();
                    ResultSet ours = sql.executeQuery("select count(*) from srm_schema_history where success")) {
                ours.next();
                assertThat(ours.getInt(1)).as("our Flyway migrations ran there").isGreaterThan(0);
            }
        }
    }
}
