package ml.santerurale.server.headers;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.core.env.Environment;

/**
 * Every answer carries nosniff, no referrer and a Content-Security-Policy (the app's on its
 * files, a deny-all one elsewhere), successes and refusals alike; HSTS only on HTTPS, which
 * behind the proxy means {@code X-Forwarded-Proto: https} from the trusted proxy address
 * (loopback in tests, as by default).
 */
class SecurityHeadersTest extends ServerIntegrationTest {

    @Autowired
    private Environment environment;

    private HttpResponse<String> plain(String path, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET();
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    private static void assertApiHeaders(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("X-Content-Type-Options")).as("nosniff on %d", status).hasValue("nosniff");
        assertThat(response.headers().firstValue("Referrer-Policy")).as("Referrer-Policy on %d", status).hasValue("no-referrer");
        assertThat(response.headers().firstValue("Content-Security-Policy")).as("CSP on %d", status)
                .hasValue(SecurityHeaders.API_POLICY);
    }

    @Test
    void fhirSuccessesAndRefusalsCarryTheHeaders() {
        assertApiHeaders(plain("/fhir/metadata"), 200);
        assertApiHeaders(plain("/fhir/Patient"), 401);
        assertApiHeaders(get("/Patient/" + UUID.randomUUID()), 404);

        Patient noBirthDate = Conforming.patient("Diarra", "Fanta");
        noBirthDate.setId(UUID.randomUUID().toString());
        noBirthDate.setBirthDateElement(null);
        HttpResponse<String> refused = putJson("/Patient/" + noBirthDate.getIdPart(), json(noBirthDate));
        assertApiHeaders(refused, 422);
        assertThat(refused.body()).contains("OperationOutcome");
    }

    @Test
    void discoveryProbesAndErrorPagesCarryTheHeaders() {
        assertApiHeaders(plain("/fhir/.well-known/smart-configuration"), 200);
        assertApiHeaders(plain("/actuator/health/liveness"), 200);
        // A missing page of the app: its answer is an OperationOutcome under the app's policy.
        HttpResponse<String> missing = plain("/no-such-page");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(missing.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(missing.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'", "frame-ancestors 'none'");
    }

    @Test
    void theAppKeepsItsOwnPolicy() {
        HttpResponse<String> shell = plain("/");
        assertThat(shell.statusCode()).isEqualTo(200);
        assertThat(shell.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("script-src 'self'", "connect-src 'self' " + origin(TestKeycloak.get().issuer()))
                .isNotEqualTo(SecurityHeaders.API_POLICY);
        assertThat(shell.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(shell.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    }

    @Test
    void hstsOnlyWhenTheTrustedProxySaysHttps() {
        assertThat(plain("/fhir/metadata").headers().firstValue("Strict-Transport-Security"))
                .as("plain HTTP: no HSTS").isEmpty();
        assertThat(plain("/fhir/metadata", "X-Forwarded-Proto", "http").headers().firstValue("Strict-Transport-Security"))
                .isEmpty();
        for (String path : new String[] {"/fhir/metadata", "/fhir/Patient", "/", "/no-such-page"}) {
            HttpResponse<String> viaProxy = plain(path, "X-Forwarded-Proto", "https");
            assertThat(viaProxy.headers().firstValue("Strict-Transport-Security")).as("HSTS on %s (%d)", path,
                    viaProxy.statusCode()).hasValue("max-age=31536000");
        }
    }

    @Test
    void forwardedHeadersAreBelievedFromLoopbackOnlyByDefault() {
        String trusted = environment.getProperty("server.tomcat.remoteip.internal-proxies");
        assertThat(environment.getProperty("server.forward-headers-strategy")).isEqualToIgnoringCase("native");
        assertThat("127.0.0.1").matches(trusted);
        assertThat("0:0:0:0:0:0:0:1").matches(trusted);
        for (String other : new String[] {"10.0.0.5", "192.168.1.20", "172.28.0.10", "127.0.0.10", "1127.0.0.1"}) {
            assertThat(other).as("an address that is not the default proxy").doesNotMatch(trusted);
        }
    }

    @Test
    void linksFollowTheTrustedProxysScheme() {
        HttpResponse<String> bundle = send(request("/Patient?_count=1&family=" + UUID.randomUUID())
                .header("Accept", "application/fhir+json").header("X-Forwarded-Proto", "https").GET());
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body()).as("self link of a search seen through the proxy").contains("\"url\":\"https://");
    }

    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }
}
