package ml.santerurale.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import ml.santerurale.server.support.RealmExport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * The realm export production imports (keycloak-realm/sante-mali-realm.json), read as data: the
 * settings a login test cannot show without locking accounts or waiting for expiry. Its behaviour
 * with a running Keycloak is {@link KeycloakLoginTest}'s.
 */
class RealmExportTest {

    private final RealmExport export = RealmExport.production();
    private final JsonNode realm = export.json();

    @Test
    void productionImportsNoUsersAndTheFourRoles() {
        assertThat(realm.get("realm").asText()).isEqualTo("sante-mali");
        assertThat(realm.has("users")).as("demo users live in dev/ only").isFalse();
        List<String> roles = new ArrayList<>();
        realm.get("roles").get("realm").forEach(r -> roles.add(r.get("name").asText()));
        assertThat(roles).containsExactlyInAnyOrder("soignant", "major", "medecin", "admin");
    }

    @Test
    void tokensAreShortAndLoginsResistGuessing() {
        assertThat(realm.get("accessTokenLifespan").asInt()).as("15-minute access tokens").isEqualTo(900);
        assertThat(realm.get("bruteForceProtected").asBoolean()).isTrue();
        assertThat(realm.get("failureFactor").asInt()).isBetween(3, 10);
        assertThat(realm.get("passwordPolicy").asText()).contains("length(10)").contains("notUsername");
        assertThat(realm.get("offlineSessionIdleTimeout").asInt()).as("a phone offline for a week can still sync")
                .isGreaterThanOrEqualTo(7 * 24 * 3600);
    }

    @Test
    void siteIdIsAMultiValuedProfileAttributeMappedToTheSiteIdsClaim() throws IOException {
        JsonNode profile = new ObjectMapper().readTree(realm.get("components").get("org.keycloak.userprofile.UserProfileProvider")
                .get(0).get("config").get("kc.user.profile.config").get(0).asText());
        JsonNode siteId = StreamSupport.stream(profile.get("attributes").spliterator(), false)
                .filter(a -> "site_id".equals(a.get("name").asText())).findFirst().orElseThrow();
        assertThat(siteId.get("multivalued").asBoolean()).isTrue();
        for (String clientId : List.of("pwa", "smart-app-template")) {
            JsonNode mapper = StreamSupport.stream(export.client(clientId).get("protocolMappers").spliterator(), false)
                    .filter(m -> "site_ids".equals(m.path("config").path("claim.name").asText())).findFirst().orElseThrow();
            assertThat(mapper.get("config").get("user.attribute").asText()).isEqualTo("site_id");
            assertThat(mapper.get("config").get("multivalued").asText()).isEqualTo("true");
            assertThat(mapper.get("config").get("access.token.claim").asText()).isEqualTo("true");
        }
    }

    @Test
    void everyClientPutsTheFhirServerInItsAccessTokens() {
        for (String clientId : List.of("pwa", "dhis2-export", "smart-app-template")) {
            assertThat(export.client(clientId).get("protocolMappers")).as(clientId)
                    .anySatisfy(m -> assertThat(m.path("config").path("included.custom.audience").asText()).isEqualTo("fhir-server"));
        }
    }

    @Test
    void clientsHaveTheirFlowsAndNoOthers() {
        JsonNode pwa = export.client("pwa");
        assertThat(pwa.get("publicClient").asBoolean()).isTrue();
        assertThat(pwa.get("standardFlowEnabled").asBoolean()).isTrue();
        assertThat(pwa.get("directAccessGrantsEnabled").asBoolean()).as("no password grant").isFalse();
        assertThat(pwa.get("attributes").get("pkce.code.challenge.method").asText()).isEqualTo("S256");
        assertThat(RealmExport.texts(pwa.get("optionalClientScopes"))).contains("offline_access");

        JsonNode dhis2 = export.client("dhis2-export");
        assertThat(dhis2.get("publicClient").asBoolean()).isFalse();
        assertThat(dhis2.get("serviceAccountsEnabled").asBoolean()).isTrue();
        assertThat(dhis2.get("standardFlowEnabled").asBoolean()).isFalse();
        assertThat(dhis2.get("secret").asText()).as("from the environment at import").startsWith("${SRM_DHIS2_CLIENT_SECRET");

        JsonNode smart = export.client("smart-app-template");
        assertThat(smart.get("attributes").get("pkce.code.challenge.method").asText()).isEqualTo("S256");
        assertThat(smart.get("directAccessGrantsEnabled").asBoolean()).isFalse();
    }
}
