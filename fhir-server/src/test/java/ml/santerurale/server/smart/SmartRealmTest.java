package ml.santerurale.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import ml.santerurale.server.support.RealmExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The realm's SMART clients and login flow, read as data (their behaviour with a running Keycloak
 * is {@link BackendServicesTest}'s and {@link SmartLaunchTest}'s): what production imports holds
 * no key of the sample backend, and the development key pair is one pair.
 */
class SmartRealmTest {

    private static final Path REALM_DIR = RealmExport.REALM_DIR;
    private final RealmExport export = RealmExport.production();
    private final JsonNode realm = export.json();

    @Test
    void theDemoAppIsPublicWithPkceAndOneRedirectUri() {
        JsonNode app = export.client("smart-demo-app");
        assertThat(app.get("enabled").asBoolean()).isTrue();
        assertThat(app.get("publicClient").asBoolean()).isTrue();
        assertThat(app.get("directAccessGrantsEnabled").asBoolean()).isFalse();
        assertThat(app.get("attributes").get("pkce.code.challenge.method").asText()).isEqualTo("S256");
        assertThat(RealmExport.texts(app.get("redirectUris"))).containsExactly("http://localhost:4000/callback");
        assertThat(RealmExport.texts(app.get("optionalClientScopes"))).contains("launch/patient", "fhirUser", "offline_access",
                "patient/*.rs", "user/*.cruds", "patient/*.read").noneMatch(s -> s.startsWith("system/"));
    }

    @Test
    void theDemoAppLogsInThroughThePatientPicker() {
        String flowId = export.client("smart-demo-app").get("authenticationFlowBindingOverrides").get("browser").asText();
        JsonNode flow = StreamSupport.stream(realm.get("authenticationFlows").spliterator(), false)
                .filter(f -> flowId.equals(f.path("id").asText())).findFirst().orElseThrow();
        assertThat(flow.get("authenticationExecutions")).anySatisfy(e -> {
            assertThat(e.path("authenticator").asText()).isEqualTo("smart-patient-select");
            assertThat(e.path("requirement").asText()).isEqualTo("REQUIRED");
        });
        List<String> aliases = new ArrayList<>();
        realm.get("authenticationFlows").forEach(f -> aliases.add(f.get("alias").asText()));
        assertThat(aliases).as("Keycloak's own flows are kept").contains("browser", "direct grant", "clients", "reset credentials");
        assertThat(realm.get("browserFlow").asText()).isEqualTo("browser");
    }

    @ParameterizedTest
    @CsvSource({"smart-demo-backend, RS384, SRM_SMART_DEMO_BACKEND_JWKS",
            "smart-demo-backend-es384, ES384, SRM_SMART_DEMO_BACKEND_ES384_JWKS"})
    void theDemoBackendsAuthenticateWithASignedAssertionAndHaveNoKeyInProduction(String clientId, String algorithm, String variable) {
        JsonNode backend = export.client(clientId);
        assertThat(backend.get("clientAuthenticatorType").asText()).as("keycloak-smart's private_key_jwt, 401 on failure")
                .isEqualTo("client-jwt-smart");
        assertThat(backend.get("serviceAccountsEnabled").asBoolean()).isTrue();
        assertThat(backend.get("standardFlowEnabled").asBoolean()).isFalse();
        assertThat(backend.has("secret")).isFalse();
        assertThat(backend.get("attributes").get("token.endpoint.auth.signing.alg").asText()).isEqualTo(algorithm);
        assertThat(backend.get("attributes").get("jwks.string").asText()).isEqualTo("${" + variable + ":}");
        assertThat(RealmExport.texts(backend.get("optionalClientScopes"))).isNotEmpty().allMatch(s -> s.startsWith("system/"));
    }

    @Test
    void theClientAuthenticationFlowIsKeycloaksPlusClientJwtSmart() {
        String alias = realm.get("clientAuthenticationFlow").asText();
        JsonNode flow = StreamSupport.stream(realm.get("authenticationFlows").spliterator(), false)
                .filter(f -> alias.equals(f.path("alias").asText())).findFirst().orElseThrow();
        assertThat(flow.get("providerId").asText()).isEqualTo("client-flow");
        List<String> authenticators = new ArrayList<>();
        flow.get("authenticationExecutions").forEach(e -> {
            assertThat(e.get("requirement").asText()).isEqualTo("ALTERNATIVE");
            authenticators.add(e.get("authenticator").asText());
        });
        assertThat(authenticators).as("Keycloak honours a client's authenticator type only when the flow runs it")
                .containsExactly("client-secret", "client-jwt", "client-secret-jwt", "client-x509", "client-jwt-smart");
        assertThat(export.client("dhis2-export").get("clientAuthenticatorType").asText()).isEqualTo("client-secret");
    }

    @Test
    void theEs384DevelopmentKeyPairIsOnePairOnP384AndLivesInDevOnly() throws Exception {
        ECKey privateKey = ECKey.parse(Files.readString(REALM_DIR.resolve("dev/smart-demo-backend-es384-private-key.jwk.json")));
        JWKSet published = JWKSet.parse(Files.readString(REALM_DIR.resolve("dev/smart-demo-backend-es384-jwks.json")));
        assertThat(privateKey.isPrivate()).isTrue();
        assertThat(privateKey.getCurve()).isEqualTo(Curve.P_384);
        assertThat(published.getKeys()).hasSize(1);
        assertThat(published.getKeys().get(0).isPrivate()).isFalse();
        assertThat(published.getKeys().get(0).toECKey().getX()).isEqualTo(privateKey.getX());
        assertThat(Files.readString(REALM_DIR.resolve("sante-mali-realm.json"))).doesNotContain(privateKey.getX().toString());
    }

    @Test
    void theDevelopmentKeyPairIsOnePairAndLivesInDevOnly() throws Exception {
        RSAKey privateKey = RSAKey.parse(Files.readString(REALM_DIR.resolve("dev/smart-demo-backend-private-key.jwk.json")));
        JWKSet published = JWKSet.parse(Files.readString(REALM_DIR.resolve("dev/smart-demo-backend-jwks.json")));
        assertThat(privateKey.isPrivate()).isTrue();
        assertThat(published.getKeys()).hasSize(1);
        assertThat(published.getKeys().get(0).isPrivate()).as("the JWKS holds the public half only").isFalse();
        assertThat(published.getKeys().get(0).toRSAKey().getModulus()).isEqualTo(privateKey.getModulus());
        assertThat(Files.readString(REALM_DIR.resolve("sante-mali-realm.json"))).doesNotContain(privateKey.getModulus().toString());
    }

    @Test
    void theFhirUserScopeMapsTheSessionNoteIntoTheIdTokenTheAccessTokenAndTheTokenResponse() throws Exception {
        JsonNode scope = StreamSupport.stream(realm.get("clientScopes").spliterator(), false)
                .filter(s -> "fhirUser".equals(s.path("name").asText())).findFirst().orElseThrow();
        JsonNode mapper = scope.get("protocolMappers").get(0);
        assertThat(mapper.get("protocolMapper").asText()).isEqualTo("oidc-usersessionmodel-note-mapper");
        JsonNode config = mapper.get("config");
        assertThat(config.get("user.session.note").asText()).isEqualTo("fhirUser");
        assertThat(config.get("claim.name").asText()).isEqualTo("fhirUser");
        for (String where : List.of("id.token.claim", "access.token.claim", "access.tokenResponse.claim")) {
            assertThat(config.get(where).asText()).as(where).isEqualTo("true");
        }
        String profile = realm.get("components").get("org.keycloak.userprofile.UserProfileProvider").get(0)
                .get("config").get("kc.user.profile.config").get(0).asText();
        JsonNode attribute = StreamSupport.stream(new com.fasterxml.jackson.databind.ObjectMapper().readTree(profile)
                .get("attributes").spliterator(), false).filter(a -> "fhirUser".equals(a.get("name").asText())).findFirst().orElseThrow();
        assertThat(RealmExport.texts(attribute.get("permissions").get("edit"))).containsExactly("admin");
        assertThat(Files.readString(REALM_DIR.resolve("sante-mali-realm.json"))).as("no user linked in production")
                .doesNotContain("Practitioner/demo-");
    }

    @Test
    void everyDemoUsersFhirUserIsADemoPractitionerTheServerLoads() {
        JsonNode practitioners = RealmExport.read(REALM_DIR.resolve("dev/demo-practitioners.json"));
        List<String> loaded = new ArrayList<>();
        practitioners.get("entry").forEach(e -> {
            assertThat(e.get("request").get("method").asText()).isEqualTo("PUT");
            loaded.add(e.get("request").get("url").asText());
        });
        List<String> linked = new ArrayList<>();
        RealmExport.read(REALM_DIR.resolve("dev/sante-mali-users-0.json")).get("users").forEach(u -> {
            if (!u.has("serviceAccountClientId")) {
                linked.add(u.get("attributes").get("fhirUser").get(0).asText());
            }
        });
        assertThat(linked).hasSize(5).containsExactlyInAnyOrderElementsOf(loaded);
    }
}
