package ml.santerurale.server.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ml.santerurale.server.FhirServerApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A server of its own, beside the shared test server: its own data directory (embedded PostgreSQL,
 * Lucene index, backups), free ports, trusting the test token issuer. For tests that need settings the
 * shared server must not have, or a restart.
 */
public final class StandaloneServer {

    private StandaloneServer() {}

    public static ConfigurableApplicationContext start(Path data, String... more) {
        List<String> arguments = arguments(data, 0, 0);
        arguments.add("--management.prometheus.metrics.export.enabled=false");
        arguments.addAll(List.of(more));
        return new SpringApplicationBuilder(FhirServerApplication.class).run(arguments.toArray(String[]::new));
    }

    /**
     * The arguments of a private server on {@code data}: its HTTP and embedded PostgreSQL ports
     * (0: free ones), its own directories, the test token issuer. Each setting once: Spring joins
     * the values of an argument given twice.
     */
    public static List<String> arguments(Path data, int httpPort, int databasePort) {
        return new ArrayList<>(List.of(
                "--server.port=" + httpPort,
                "--srm.database.embedded.port=" + databasePort,
                "--srm.database.embedded.data-directory=" + data.resolve("postgres"),
                "--srm.fhir.lucene-directory=" + data.resolve("lucene"),
                "--srm.backup.directory=" + data.resolve("backup"),
                // the JIT warm-up of the validator (seconds of a core) is for long-lived servers
                "--srm.validation.warm-up-validations=0",
                "--srm.security.issuers[0].issuer=" + TestTokens.ISSUER,
                "--srm.security.issuers[0].jwks-uri=" + TestTokens.get().jwksUri()));
    }

    /** The server's FHIR base URL. */
    public static String fhirBase(ConfigurableApplicationContext context) {
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        return "http://localhost:" + port + "/fhir";
    }
}
