package ml.santerurale.server.smart;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /fhir/.well-known/smart-configuration}: SMART App Launch 2 discovery, no token
 * needed, JSON. The authorization server is the Keycloak realm: its issuer and OpenID Connect
 * endpoints are derived from the configured issuer, so they always name the realm tokens are
 * checked against.
 *
 * <p>Does not guarantee that Keycloak is up or that a client is registered for a given scope:
 * it describes, it does not probe.
 */
final class SmartConfigurationEndpoint extends HttpServlet {

    private final byte[] document;

    SmartConfigurationEndpoint(URI issuer, SmartProperties properties, ObjectMapper json) throws IOException {
        String base = issuer.toString().replaceAll("/$", "");
        String oidc = base + "/protocol/openid-connect";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("issuer", base);
        body.put("jwks_uri", oidc + "/certs");
        body.put("authorization_endpoint", oidc + "/auth");
        body.put("token_endpoint", oidc + "/token");
        body.put("introspection_endpoint", oidc + "/token/introspect");
        body.put("revocation_endpoint", oidc + "/revoke");
        body.put("grant_types_supported", List.of("authorization_code", "client_credentials"));
        body.put("response_types_supported", List.of("code"));
        body.put("code_challenge_methods_supported", List.of("S256"));
        body.put("token_endpoint_auth_methods_supported", List.of("private_key_jwt", "client_secret_basic", "none"));
        body.put("token_endpoint_auth_signing_alg_values_supported", List.of("RS384", "ES384"));
        body.put("scopes_supported", properties.scopesSupported());
        body.put("capabilities", properties.capabilities());
        this.document = json.writeValueAsBytes(body);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(200);
        response.setContentType("application/json");
        if (!response.containsHeader("Access-Control-Allow-Origin")) {
            response.setHeader("Access-Control-Allow-Origin", "*"); // SmartAppCors named a registered app's origin
        }
        response.setHeader("Cache-Control", "public, max-age=3600");
        response.setContentLength(document.length);
        response.getOutputStream().write(document);
    }
}
