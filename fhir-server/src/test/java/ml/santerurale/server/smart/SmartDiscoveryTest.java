package ml.santerurale.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;

/** SMART App Launch 2 discovery: the well-known document and the CapabilityStatement's security. */
class SmartDiscoveryTest extends ServerIntegrationTest {

    private JsonNode smartConfiguration() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(fhirBase() + "/.well-known/smart-configuration")).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        return new ObjectMapper().readTree(response.body());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void theSmartConfigurationNeedsNoTokenAndNamesTheRealmsEndpoints() throws Exception {
        JsonNode config = smartConfiguration();
        String issuer = TestKeycloak.get().issuer();
        String oidc = issuer + "/protocol/openid-connect";
        assertThat(config.get("issuer").asText()).isEqualTo(issuer);
        assertThat(config.get("jwks_uri").asText()).isEqualTo(oidc + "/certs");
        assertThat(config.get("authorization_endpoint").asText()).isEqualTo(oidc + "/auth");
        assertThat(config.get("token_endpoint").asText()).isEqualTo(oidc + "/token");
        assertThat(config.get("introspection_endpoint").asText()).isEqualTo(oidc + "/token/introspect");
        assertThat(config.get("revocation_endpoint").asText()).isEqualTo(oidc + "/revoke");
        assertThat(texts(config.get("grant_types_supported"))).contains("authorization_code", "client_credentials");
        assertThat(texts(config.get("code_challenge_methods_supported"))).containsExactly("S256");
        assertThat(texts(config.get("token_endpoint_auth_methods_supported"))).contains("private_key_jwt");
        assertThat(texts(config.get("scopes_supported"))).contains("openid", "fhirUser", "launch/patient", "offline_access",
                "patient/*.rs", "user/*.cruds", "system/*.rs", "patient/*.read", "user/Patient.write");
        assertThat(texts(config.get("capabilities"))).contains("launch-standalone", "client-public",
                "client-confidential-asymmetric", "context-standalone-patient", "permission-patient", "permission-user",
                "permission-v1", "permission-v2", "permission-offline", "sso-openid-connect");
    }

    @Test
    void theScopesAdvertisedAreExactlyTheRealmsSmartClientScopes() throws Exception {
        java.nio.file.Path realmDir = java.nio.file.Path.of(System.getProperty("user.dir")).getParent().resolve("keycloak-realm");
        ObjectMapper mapper = new ObjectMapper();
        JsonNode realm = mapper.readTree(java.nio.file.Files.readString(realmDir.resolve("sante-mali-realm.json")));
        JsonNode builtIn = mapper.readTree(java.nio.file.Files.readString(realmDir.resolve("keycloak-26-builtin-client-scopes.json")));
        List<String> builtInNames = new ArrayList<>();
        builtIn.forEach(s -> builtInNames.add(s.get("name").asText()));
        List<String> realmSmartScopes = new ArrayList<>();
        realm.get("clientScopes").forEach(s -> {
            if (!builtInNames.contains(s.get("name").asText())) {
                realmSmartScopes.add(s.get("name").asText());
            }
        });
        List<String> advertised = new ArrayList<>(texts(smartConfiguration().get("scopes_supported")));
        // openid is Keycloak's own (no client scope), offline_access a built-in one.
        advertised.removeAll(List.of("openid", "offline_access"));
        assertThat(realmSmartScopes).containsExactlyInAnyOrderElementsOf(advertised);
        assertThat(builtInNames).contains("offline_access", "basic", "roles", "profile");
    }

    @Test
    void theSmartConfigurationIsReadableFromAnyBrowserApp() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(fhirBase() + "/.well-known/smart-configuration"))
                .header("Origin", "http://app.example").GET());
        assertThat(response.headers().allValues("Access-Control-Allow-Origin")).containsExactly("*");
        HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(fhirBase() + "/.well-known/smart-configuration"))
                .header("Origin", "http://localhost:4000").GET());
        assertThat(registered.headers().allValues("Access-Control-Allow-Origin")).containsExactly("http://localhost:4000");
    }

    @Test
    void aRegisteredAppsPreflightIsAnsweredBeforeAuthenticationAndOthersGetNoCorsHeaders() {
        HttpResponse<String> preflight = send(HttpRequest.newBuilder(URI.create(fhirBase() + "/Patient?_count=1"))
                .header("Origin", "http://localhost:4000").header("Access-Control-Request-Method", "GET")
                .header("Access-Control-Request-Headers", "authorization")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:4000");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");

        HttpResponse<String> stranger = send(request("/Patient?_count=1").header("Origin", "http://evil.example").GET());
        assertThat(stranger.statusCode()).isEqualTo(200);
        assertThat(stranger.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void theCapabilityStatementAdvertisesSmartOnFhir() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(fhirBase() + "/metadata"))
                .header("Accept", "application/fhir+json").GET());
        CapabilityStatement statement = parse(CapabilityStatement.class, response.body());
        CapabilityStatement.CapabilityStatementRestSecurityComponent security = statement.getRestFirstRep().getSecurity();
        assertThat(security.getService()).anySatisfy(service -> assertThat(service.getCoding()).anySatisfy(coding -> {
            assertThat(coding.getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
            assertThat(coding.getCode()).isEqualTo("SMART-on-FHIR");
        }));
        Extension uris = security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        String oidc = TestKeycloak.get().oidcEndpoints();
        assertThat(uris.getExtensionByUrl("authorize").getValue().primitiveValue()).isEqualTo(oidc + "/auth");
        assertThat(uris.getExtensionByUrl("token").getValue().primitiveValue()).isEqualTo(oidc + "/token");
        assertThat(uris.getExtensionByUrl("revoke").getValue().primitiveValue()).isEqualTo(oidc + "/revoke");
        assertThat(uris.getExtensionByUrl("introspect").getValue().primitiveValue()).isEqualTo(oidc + "/token/introspect");
    }
}
