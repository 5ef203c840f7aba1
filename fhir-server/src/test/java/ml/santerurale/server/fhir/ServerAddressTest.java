package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockServletContext;

/**
 * Links and {@code Location} behind a reverse proxy: the proxy's {@code X-Forwarded-Host} and
 * {@code X-Forwarded-Proto} are honoured only when the operator says they can be trusted
 * ({@code SRM_TRUST_FORWARDED_HEADERS=true}); a configured public address always wins.
 */
class ServerAddressTest {

    private final MockServletContext context = new MockServletContext();

    @Test
    void forwardedHeadersAreIgnoredByDefault() {
        assertThat(base(properties(null, false))).isEqualTo("http://10.0.0.5:8080/fhir");
    }

    @Test
    void forwardedHeadersAreHonouredWhenTrusted() {
        assertThat(base(properties(null, true))).isEqualTo("https://sante.example.ml/fhir");
    }

    @Test
    void aConfiguredAddressWinsOverForwardedHeaders() {
        assertThat(base(properties("https://fhir.sante-rurale.ml/fhir", true))).isEqualTo("https://fhir.sante-rurale.ml/fhir");
    }

    private String base(FhirProperties properties) {
        MockHttpServletRequest request = new MockHttpServletRequest(context, "GET", "/fhir/Patient");
        request.setScheme("http");
        request.setServerName("10.0.0.5");
        request.setServerPort(8080);
        request.setServletPath("/fhir");
        request.addHeader("X-Forwarded-Host", "sante.example.ml");
        request.addHeader("X-Forwarded-Proto", "https");
        return FhirRestConfig.addressStrategy(properties).determineServerBase(context, request).replaceAll("/$", "");
    }

    private static FhirProperties properties(String serverAddress, boolean trustForwardedHeaders) {
        return new FhirProperties(serverAddress, 20, 500, 10_000_000, Path.of("lucene"), trustForwardedHeaders, 100,
                java.time.Duration.ofMinutes(30), 20_000);
    }
}
