package ml.santerurale.server.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production reverse proxy (ops/nginx/nginx.conf), parsed: TLS 1.3 only, HSTS on every HTTPS
 * answer, {@code /actuator} and Keycloak's admin not published, the forwarded headers the
 * server trusts set (overwritten) on every proxied path, gzip for FHIR JSON, and a body limit that
 * lets the server answer oversized requests itself. No nginx is needed.
 */
class ProxyConfigTest {

    private static final long ONE_HUNDRED_EIGHTY_DAYS = 15_552_000;

    private static NginxConfig http;
    private static NginxConfig tls;
    private static NginxConfig plain;
    private static String applicationYml;

    @BeforeAll
    static void load() throws IOException {
        Path root = Path.of("").toAbsolutePath();
        if (!Files.isDirectory(root.resolve("ops"))) {
            root = root.getParent(); // surefire runs in fhir-server/
        }
        Path file = root.resolve("ops/nginx/nginx.conf");
        assertThat(file).isRegularFile();
        http = NginxConfig.parse(Files.readString(file)).first("http").orElseThrow();
        List<NginxConfig> servers = http.all("server");
        tls = servers.stream().filter(server -> server.all("listen").stream().anyMatch(l -> l.args().contains("ssl")))
                .findFirst().orElseThrow(() -> new AssertionError("no server listens with ssl in " + file));
        plain = servers.stream().filter(server -> server != tls).findFirst().orElseThrow();
        applicationYml = Files.readString(root.resolve("fhir-server/src/main/resources/application.yml"));
    }

    @Test
    void tlsIsVersion13Only() {
        List<NginxConfig> protocols = new ArrayList<>(http.all("ssl_protocols"));
        protocols.addAll(tls.everywhere("ssl_protocols"));
        assertThat(protocols).as("ssl_protocols").isNotEmpty();
        for (NginxConfig directive : protocols) {
            assertThat(directive.args()).as("ssl_protocols").containsExactly("TLSv1.3");
        }
        assertThat(tls.all("listen")).allSatisfy(listen -> {
            assertThat(listen.args()).contains("ssl");
            assertThat(listen.arg(0)).endsWith("443");
        });
        assertThat(tls.first("ssl_certificate_key").orElseThrow().arg(0)).as("the key is a mounted file")
                .startsWith("/etc/nginx/tls/");
    }

    @Test
    void plainHttpOnlyRedirectsToHttps() {
        assertThat(plain.everywhere("proxy_pass")).as("proxied paths on plain HTTP").isEmpty();
        NginxConfig redirect = plain.first("return").orElseThrow();
        assertThat(redirect.args()).containsExactly("301", "https://$host$request_uri");
    }

    @Test
    void everyHttpsAnswerCarriesOneHsts() {
        assertThat(hsts(tls.all("add_header"))).as("HSTS of the HTTPS server").isTrue();
        assertThat(tls.all("proxy_hide_header").stream().map(d -> d.arg(0)))
                .as("the server's own HSTS dropped, so there is one").contains("Strict-Transport-Security");
        for (NginxConfig location : tls.all("location")) {
            // nginx: a location with add_header of its own inherits none of the server's.
            if (!location.all("add_header").isEmpty()) {
                assertThat(hsts(location.all("add_header"))).as("HSTS in location %s", location.args()).isTrue();
            }
        }
    }

    private static boolean hsts(List<NginxConfig> headers) {
        for (NginxConfig header : headers) {
            if (header.arg(0).equalsIgnoreCase("Strict-Transport-Security")) {
                Matcher maxAge = Pattern.compile("max-age=(\\d+)").matcher(header.arg(1));
                assertThat(maxAge.find()).as("max-age in %s", header.args()).isTrue();
                assertThat(Long.parseLong(maxAge.group(1))).as("HSTS max-age").isGreaterThanOrEqualTo(ONE_HUNDRED_EIGHTY_DAYS);
                assertThat(header.args()).as("'always', so error answers carry it too").contains("always");
                return true;
            }
        }
        return false;
    }

    @Test
    void actuatorAndKeycloaksAdminAreNotPublished() {
        for (String path : List.of("/actuator", "/actuator/", "/actuator/prometheus", "/actuator/health/readiness",
                "/actuatorx", "/auth/admin/master/console/", "/auth/metrics", "/auth/health/ready", "/auth")) {
            NginxConfig location = tls.locationFor(path).orElseThrow(() -> new AssertionError("no location for " + path));
            assertThat(location.all("proxy_pass")).as("%s is answered by location %s", path, location.args()).isEmpty();
            assertThat(location.first("return").orElseThrow().arg(0)).as("%s", path).isIn("403", "404");
        }
        // "/fhir/..;/actuator" is "/actuator" to Tomcat (path parameters): refused before any location.
        NginxConfig guard = tls.all("if").stream().filter(d -> String.join(" ", d.args()).contains("$uri"))
                .findFirst().orElseThrow(() -> new AssertionError("no guard against ';' in paths"));
        assertThat(guard.args()).contains(";");
        assertThat(guard.first("return").orElseThrow().arg(0)).isIn("400", "403", "404");
    }

    @Test
    void theApiTheAppAndTheLoginArePublished() {
        Map<String, String> upstreams = Map.of("/fhir/metadata", "http://fhir", "/fhir/.well-known/smart-configuration",
                "http://fhir", "/", "http://fhir", "/assets/index.js", "http://fhir",
                "/auth/realms/sante-mali/protocol/openid-connect/auth", "http://keycloak",
                "/auth/resources/abc/login/keycloak.v2/css/login.css", "http://keycloak");
        upstreams.forEach((path, upstream) -> assertThat(tls.locationFor(path).orElseThrow().first("proxy_pass")
                .orElseThrow(() -> new AssertionError(path + " is not proxied")).arg(0)).as(path).isEqualTo(upstream));
        NginxConfig fhir = http.all("upstream").stream().filter(u -> u.arg(0).equals("fhir")).findFirst().orElseThrow();
        assertThat(fhir.first("server").orElseThrow().arg(0)).as("the compose service and server.port").isEqualTo("fhir:8080");
    }

    @Test
    void everyProxiedPathOverwritesTheForwardedHeaders() {
        for (NginxConfig location : tls.all("location")) {
            if (location.all("proxy_pass").isEmpty()) {
                continue;
            }
            List<NginxConfig> own = location.all("proxy_set_header");
            Map<String, String> headers = (own.isEmpty() ? tls.all("proxy_set_header") : own).stream()
                    .collect(Collectors.toMap(d -> d.arg(0).toLowerCase(), d -> d.args().size() > 1 ? d.arg(1) : ""));
            String where = "location " + location.args();
            assertThat(headers.get("x-forwarded-for")).as("%s: the client's address, not appended to its own claim", where)
                    .isEqualTo("$remote_addr");
            assertThat(headers.get("x-forwarded-proto")).as("%s: HTTPS (the server then sends HSTS)", where)
                    .isIn("https", "$scheme");
            assertThat(headers.get("x-forwarded-host")).as(where).isEqualTo("$host");
            assertThat(headers.get("host")).as(where).isEqualTo("$host");
            assertThat(headers.get("forwarded")).as("%s: a client's own Forwarded header is dropped", where).isEmpty();
        }
    }

    @Test
    void fhirJsonIsCompressed() {
        assertThat(http.first("gzip").orElseThrow().args()).containsExactly("on");
        assertThat(http.first("gzip_types").orElseThrow().args()).contains("application/fhir+json", "application/json");
        assertThat(http.first("gzip_proxied").orElseThrow().args()).contains("any");
    }

    @Test
    void bodyLimitLetsTheServerRefuseOversizedBundlesItself() {
        Matcher serverLimit = Pattern.compile("max-request-bytes: \\$\\{SRM_FHIR_MAX_REQUEST_BYTES:(\\d+)}").matcher(applicationYml);
        assertThat(serverLimit.find()).as("srm.fhir.max-request-bytes in application.yml").isTrue();
        long server = Long.parseLong(serverLimit.group(1));
        long proxy = bytes(http.first("client_max_body_size").orElseThrow().arg(0));
        assertThat(proxy).as("client_max_body_size vs the server's %d bytes", server)
                .isGreaterThanOrEqualTo(server).isLessThanOrEqualTo(4 * server);
    }

    @Test
    void anUnavailableServerIsAnsweredWithAnOperationOutcome() {
        NginxConfig fhir = tls.locationFor("/fhir/Patient").orElseThrow();
        NginxConfig errorPage = fhir.first("error_page").orElseThrow();
        assertThat(errorPage.args()).contains("502", "503", "504");
        String named = errorPage.args().get(errorPage.args().size() - 1);
        NginxConfig fallback = tls.all("location").stream().filter(l -> l.arg(0).equals(named)).findFirst().orElseThrow();
        assertThat(fallback.first("default_type").orElseThrow().arg(0)).isEqualTo("application/fhir+json");
        NginxConfig answer = fallback.first("return").orElseThrow();
        assertThat(answer.arg(0)).isEqualTo("503");
        assertThat(answer.arg(1)).contains("\"resourceType\":\"OperationOutcome\"", "\"code\":\"transient\"");
        assertThat(fallback.all("add_header").stream().map(h -> h.arg(0))).contains("Retry-After");
    }

    @Test
    void anOversizedBodyIsAnsweredWithAnOperationOutcome() {
        NginxConfig fhir = tls.locationFor("/fhir").orElseThrow();
        NginxConfig errorPage = fhir.all("error_page").stream().filter(e -> e.args().contains("413")).findFirst()
                .orElseThrow(() -> new AssertionError("no error_page 413 in location /fhir"));
        String named = errorPage.args().get(errorPage.args().size() - 1);
        NginxConfig fallback = tls.all("location").stream().filter(l -> l.arg(0).equals(named)).findFirst().orElseThrow();
        assertThat(fallback.first("default_type").orElseThrow().arg(0)).isEqualTo("application/fhir+json");
        NginxConfig answer = fallback.first("return").orElseThrow();
        assertThat(answer.arg(0)).isEqualTo("413");
        assertThat(answer.arg(1)).contains("\"resourceType\":\"OperationOutcome\"");
    }

    @Test
    void theParserUnderstandsWhatItChecks() {
        NginxConfig parsed = NginxConfig.parse("""
                http { server { if ($uri ~ ";") { return 404; } location ^~ /a { return 403; }
                location ~ \\.php$ { return 410; } location /a/b { proxy_pass http://x; } location = /a/b { return 200; } } }
                """).first("http").orElseThrow().first("server").orElseThrow();
        assertThat(parsed.first("if").orElseThrow().args()).containsExactly("($uri", "~", ";", ")");
        assertThat(parsed.locationFor("/a/b").orElseThrow().first("return").orElseThrow().arg(0)).isEqualTo("200");
        assertThat(parsed.locationFor("/a/b/c").orElseThrow().first("proxy_pass")).isPresent();
        assertThat(parsed.locationFor("/a/x.php").orElseThrow().first("return").orElseThrow().arg(0)).isEqualTo("403");
        assertThat(parsed.locationFor("/x.php").orElseThrow().first("return").orElseThrow().arg(0)).isEqualTo("410");
        assertThat(parsed.locationFor("/elsewhere")).isEmpty();
    }

    private static long bytes(String size) {
        Matcher matcher = Pattern.compile("(\\d+)([kKmMgG]?)").matcher(size);
        assertThat(matcher.matches()).as("size %s", size).isTrue();
        long value = Long.parseLong(matcher.group(1));
        return switch (matcher.group(2).toLowerCase()) {
            case "k" -> value * 1024;
            case "m" -> value * 1024 * 1024;
            case "g" -> value * 1024 * 1024 * 1024;
            default -> value;
        };
    }
}
