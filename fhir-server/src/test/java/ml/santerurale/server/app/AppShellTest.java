package ml.santerurale.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.santerurale.server.headers.SecurityHeaders;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.junit.jupiter.api.Test;

/** The app built by the pwa module is served at "/" beside the FHIR API and the probes. */
class AppShellTest extends ServerIntegrationTest {

    private HttpResponse<String> getPath(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET());
    }

    @Test
    void rootServesTheAppShellWithItsPolicyAndNoInlineScript() {
        HttpResponse<String> index = getPath("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(index.body()).contains("<div id=\"root\"></div>", "/manifest.webmanifest", "/registerSW.js");
        Matcher scripts = Pattern.compile("<script([^>]*)>").matcher(index.body());
        int count = 0;
        while (scripts.find()) {
            count++;
            assertThat(scripts.group(1)).as("every script is a file").contains("src=\"/");
        }
        assertThat(count).isGreaterThanOrEqualTo(2);

        String csp = index.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("script-src 'self'", "default-src 'self'", "object-src 'none'",
                "connect-src 'self' " + origin(TestKeycloak.get().issuer()));
        assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval", "*");
        assertThat(index.headers().firstValue("Cache-Control")).hasValue("no-cache");

        // The hashed bundle the shell names is there and cacheable for good.
        Matcher bundle = Pattern.compile("src=\"(/assets/[^\"]+\\.js)\"").matcher(index.body());
        assertThat(bundle.find()).isTrue();
        HttpResponse<String> js = getPath(bundle.group(1));
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");

        // On 2G the bundle travels gzip-compressed.
        HttpResponse<byte[]> gzipped = sendBytes(HttpRequest.newBuilder(URI.create(baseUrl() + bundle.group(1)))
                .header("Accept-Encoding", "gzip").GET());
        assertThat(gzipped.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(gzipped.body().length).isLessThan(js.body().length() / 2);
    }

    private HttpResponse<byte[]> sendBytes(HttpRequest.Builder request) {
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void serviceWorkerAndManifestAreServed() {
        HttpResponse<String> sw = getPath("/sw.js");
        assertThat(sw.statusCode()).isEqualTo(200);
        assertThat(sw.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("javascript"));
        assertThat(sw.body()).contains("precacheAndRoute", "index.html");
        assertThat(sw.headers().firstValue("Cache-Control")).hasValue("no-cache");

        HttpResponse<String> manifest = getPath("/manifest.webmanifest");
        assertThat(manifest.statusCode()).isEqualTo(200);
        assertThat(manifest.body()).contains("\"start_url\":\"/\"");
    }

    @Test
    void appConfigNamesTheRealmAndTheClient() {
        HttpResponse<String> config = getPath("/app-config.json");
        assertThat(config.statusCode()).isEqualTo(200);
        assertThat(config.body()).contains("\"clientId\":\"pwa\"", "\"fhirBase\":\"/fhir\"",
                "\"issuer\":\"" + TestKeycloak.get().issuer().replaceAll("/$", "") + "\"");
    }

    @Test
    void fhirAndProbesKeepTheDenyAllPolicy() {
        HttpResponse<String> metadata = getPath("/fhir/metadata");
        assertThat(metadata.statusCode()).isEqualTo(200);
        assertThat(metadata.body()).contains("CapabilityStatement");
        assertThat(metadata.headers().firstValue("Content-Security-Policy")).hasValue(SecurityHeaders.API_POLICY);

        HttpResponse<String> unauthenticated = getPath("/fhir/Patient");
        assertThat(unauthenticated.statusCode()).isEqualTo(401);

        HttpResponse<String> liveness = getPath("/actuator/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.headers().firstValue("Content-Security-Policy")).hasValue(SecurityHeaders.API_POLICY);
    }

    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }
}
