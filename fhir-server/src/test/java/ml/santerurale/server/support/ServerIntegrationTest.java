package ml.santerurale.server.support;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import ml.santerurale.server.FhirServerApplication;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Base of the integration tests: the real server on a random port, with its own embedded
 * PostgreSQL 16 in a fresh directory. Every subclass shares one Spring context (and so one
 * database, with metrics exported as in production), so tests create their own data with unique ids and never assume an empty database.
 */
@AutoConfigureObservability
@SpringBootTest(classes = FhirServerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServerIntegrationTest {

    private static final Path DATA_DIRECTORY = createDataDirectory();

    /** A directory whose files the server serves in place of the built app's files of the same path. */
    protected static final Path APP_OVERRIDE = DATA_DIRECTORY.resolve("app-override");

    @DynamicPropertySource
    static void isolatedDatabase(DynamicPropertyRegistry registry) {
        registry.add("srm.database.embedded.data-directory", () -> DATA_DIRECTORY.resolve("postgres").toString());
        registry.add("srm.database.embedded.port", () -> "0");
        registry.add("srm.fhir.lucene-directory", () -> DATA_DIRECTORY.resolve("lucene").toString());
        // WAL archiving and base backups on, as in production, into this run's own directory.
        registry.add("srm.backup.directory", () -> DATA_DIRECTORY.resolve("backup").toString());
        registry.add("srm.fhir.max-request-bytes", () -> "2000000");
        // Inline searches up to 100 matches (1,000 in production), so that tests cross the bound cheaply.
        registry.add("srm.fhir.inline-search-max", () -> "100");
        // Files here shadow the built app's (the end-to-end test serves a next build's service worker).
        registry.add("spring.web.resources.static-locations",
                () -> APP_OVERRIDE.toUri() + ",classpath:/META-INF/resources/");
        // The demo users' Practitioner records (their fhirUser), as run.sh loads them in development.
        registry.add("srm.demo.bundle", () -> Path.of(System.getProperty("user.dir")).getParent()
                .resolve("keycloak-realm/dev/demo-practitioners.json").toUri().toString());
        registry.add("srm.security.issuers[0].issuer", TestKeycloak.get()::issuer);
        registry.add("srm.security.issuers[1].issuer", () -> TestTokens.ISSUER);
        registry.add("srm.security.issuers[1].jwks-uri", () -> TestTokens.get().jwksUri());
        registry.add("srm.security.issuers[2].issuer", () -> TestTokens.OUTAGE_ISSUER);
        registry.add("srm.security.issuers[2].jwks-uri", () -> TestTokens.outage().jwksUri());
        // DHIS2 is the one system faked (reporting/): quick polls, short timeouts and back-off.
        registry.add("srm.dhis2.base-url", () -> FakeDhis2.get().baseUrl());
        registry.add("srm.dhis2.auth", () -> FakeDhis2.AUTHORIZATION);
        registry.add("srm.dhis2.poll-interval", () -> "200ms");
        registry.add("srm.dhis2.connect-timeout", () -> "1s");
        registry.add("srm.dhis2.response-timeout", () -> "2s");
        registry.add("srm.dhis2.first-retry-delay", () -> "300ms");
        registry.add("srm.dhis2.max-retry-delay", () -> "1s");
        registry.add("srm.dhis2.max-attempts", () -> "4");
        // Tests export periods of 2025; the late-data check runs when a test calls it (and hourly).
        registry.add("srm.dhis2.look-back", () -> "P5Y");
        // Rate limits far above what any test sends, except for the keys of RateLimits below.
        for (String tier : List.of("address", "user", "device")) {
            registry.add("srm.rate-limit." + tier + ".burst", () -> "1000000");
            registry.add("srm.rate-limit." + tier + ".per-minute", () -> "1000000");
        }
        RateLimits.KEYS.forEach((key, value) -> registry.add("srm.rate-limit." + key, () -> value));
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected FhirContext fhirContext;

    protected final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    protected String baseUrl() {
        return "http://localhost:" + port;
    }

    protected String fhirBase() {
        return baseUrl() + "/fhir";
    }

    /**
     * The token the helpers below send: by default a médecin at CSCOM Konobougou. Tests of
     * the access policy send their own.
     */
    protected String token() {
        String override = tokenOverride.get();
        return override != null ? override : TestTokens.get().medecin("CSCOM-KONOBOUGOU");
    }

    private final ThreadLocal<String> tokenOverride = new ThreadLocal<>();

    /** Runs {@code action} with the helpers sending {@code token} instead of the default one. */
    protected <T> T as(String token, java.util.function.Supplier<T> action) {
        tokenOverride.set(token);
        try {
            return action.get();
        } finally {
            tokenOverride.remove();
        }
    }

    protected IGenericClient client() {
        fhirContext.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
        // Generous: a whole-catalogue transaction validates some 250 resources, slow on a loaded 2-core machine.
        fhirContext.getRestfulClientFactory().setSocketTimeout(240_000);
        IGenericClient client = fhirContext.newRestfulGenericClient(fhirBase());
        client.registerInterceptor(new BearerTokenAuthInterceptor(token()));
        return client;
    }

    protected HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected HttpRequest.Builder request(String pathUnderFhir) {
        return HttpRequest.newBuilder(URI.create(fhirBase() + pathUnderFhir.replace("|", "%7C")))
                .header("Authorization", "Bearer " + token());
    }

    protected HttpResponse<String> putJson(String pathUnderFhir, String json) {
        return send(request(pathUnderFhir).header("Content-Type", "application/fhir+json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected HttpResponse<String> postJson(String pathUnderFhir, String json) {
        return send(request(pathUnderFhir).header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    protected HttpResponse<String> get(String pathUnderFhir) {
        return send(request(pathUnderFhir).header("Accept", "application/fhir+json").GET());
    }

    protected <T extends IBaseResource> T parse(Class<T> type, String body) {
        return fhirContext.newJsonParser().parseResource(type, body);
    }

    protected String json(IBaseResource resource) {
        return fhirContext.newJsonParser().encodeResourceToString(resource);
    }

    private static Path createDataDirectory() {
        try {
            Path directory = TestDirectories.create("srm-it-");
            Files.createDirectories(directory.resolve("app-override"));
            return directory;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
