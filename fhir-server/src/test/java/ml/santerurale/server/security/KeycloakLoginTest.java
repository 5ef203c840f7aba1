package ml.santerurale.server.security;

import static ml.santerurale.server.support.KeycloakBrowser.call;
import static ml.santerurale.server.support.KeycloakBrowser.claims;
import static ml.santerurale.server.support.KeycloakBrowser.form;
import static ml.santerurale.server.support.KeycloakBrowser.loopbackRedirectUri;
import static ml.santerurale.server.support.KeycloakBrowser.query;
import static ml.santerurale.server.support.KeycloakBrowser.randomBase64Url;
import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.santerurale.server.support.KeycloakBrowser;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The login path end to end against the real Keycloak (realm {@code sante-mali}, demo users):
 * authorization code + PKCE S256 through Keycloak's login form, as the PWA does it, then the
 * tokens Keycloak issued used on the FHIR server. No browser: java.net.http with a cookie jar,
 * redirects not followed, the code read from the {@code Location} of the login form's answer
 * (the redirect URI is a loopback port where nothing listens), exactly like
 * {@code scripts/keycloak-smoke.sh}.
 */
class KeycloakLoginTest extends ServerIntegrationTest {

    private final TestKeycloak keycloak = TestKeycloak.get();

    private record Tokens(String accessToken, String refreshToken, String idToken) {}

    @BeforeEach
    void keycloakIsUp() {
        keycloak.awaitReady(Duration.ofMinutes(4));
    }

    @Test
    void soignantLogsInWithPkceAndReadsTheFhirServer() throws Exception {
        Tokens tokens = login("soignant.konobougou");

        JWTClaimsSet access = claims(tokens.accessToken());
        assertThat(access.getIssuer()).isEqualTo(keycloak.issuer());
        assertThat(access.getAudience()).contains("fhir-server");
        assertThat(access.getStringClaim("azp")).isEqualTo("pwa");
        assertThat(access.getStringListClaim("site_ids")).containsExactly("CSCOM-KONOBOUGOU");

        assertThat(fhirGet(tokens.accessToken(), "/Organization/cscom-konobougou").statusCode()).isEqualTo(200);
        assertThat(fhirGet(tokens.accessToken(), "/Patient?_count=1").statusCode()).isEqualTo(200);
    }

    @Test
    void refreshedAndOfflineTokensKeepWorking() throws Exception {
        Tokens tokens = login("soignant.konobougou");
        // scope offline_access: the refresh token is an offline token (outlives the SSO session).
        assertThat(claims(tokens.refreshToken()).getStringClaim("typ")).isEqualTo("Offline");

        HttpResponse<String> refreshed = refresh(tokens.refreshToken());
        assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(200);
        Map<String, Object> body = JSONObjectUtils.parse(refreshed.body());
        String newAccessToken = (String) body.get("access_token");
        assertThat(newAccessToken).isNotEqualTo(tokens.accessToken());
        assertThat(fhirGet(newAccessToken, "/Organization/cscom-konobougou").statusCode()).isEqualTo(200);

        // The offline token handed back keeps working too (the phone stores it between syncs).
        String newRefreshToken = (String) body.get("refresh_token");
        assertThat(claims(newRefreshToken).getStringClaim("typ")).isEqualTo("Offline");
        HttpResponse<String> again = refresh(newRefreshToken);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        String thirdAccessToken = (String) JSONObjectUtils.parse(again.body()).get("access_token");
        assertThat(fhirGet(thirdAccessToken, "/Patient?_count=1").statusCode()).isEqualTo(200);
    }

    @Test
    void disabledUserIsRefusedAtTheNextRefresh() throws Exception {
        Tokens tokens = login("soignant.djeli");
        assertThat(fhirGet(tokens.accessToken(), "/Organization/cscom-djeli").statusCode()).isEqualTo(200);

        keycloak.disableUser("soignant.djeli");
        try {
            HttpResponse<String> refreshed = refresh(tokens.refreshToken());
            assertThat(refreshed.statusCode()).as(refreshed.body()).isEqualTo(400);
            assertThat(JSONObjectUtils.parse(refreshed.body()).get("error")).isEqualTo("invalid_grant");

            // Documented behaviour, not a wish: the FHIR server verifies access tokens offline
            // (signature, issuer, audience, expiry) and does not ask Keycloak about each one, so an
            // access token issued before the user was disabled stays accepted until it expires
            // (15 min at most, the realm's accessTokenLifespan). Disabling takes effect at the next
            // refresh, as above.
            assertThat(fhirGet(tokens.accessToken(), "/Organization/cscom-djeli").statusCode()).isEqualTo(200);
        } finally {
            keycloak.setUserEnabled("soignant.djeli", true);
        }
    }

    @Test
    void districtDoctorCoversBothSitesWithFifteenMinuteTokens() throws Exception {
        Tokens tokens = login("medecin.district");

        JWTClaimsSet access = claims(tokens.accessToken());
        assertThat(access.getStringListClaim("site_ids")).containsExactlyInAnyOrder("CSCOM-KONOBOUGOU", "CSCOM-DJELI");
        @SuppressWarnings("unchecked")
        List<String> roles = (List<String>) access.getJSONObjectClaim("realm_access").get("roles");
        assertThat(roles).contains("medecin").doesNotContain("admin", "soignant", "major");
        assertThat(Duration.between(access.getIssueTime().toInstant(), access.getExpirationTime().toInstant()))
                .as("access token lifetime").isEqualTo(Duration.ofMinutes(15));
        assertThat(fhirGet(tokens.accessToken(), "/Organization/cscom-djeli").statusCode()).isEqualTo(200);
    }

    @Test
    void pwaLoginWithoutPkceIsRefused() {
        Map<String, String> authorize = authorizeRequest(loopbackRedirectUri(), "openid", randomBase64Url(12));
        HttpResponse<String> answer = call(http, HttpRequest.newBuilder(
                URI.create(keycloak.oidcEndpoints() + "/auth?" + form(authorize))).GET());

        assertThat(answer.statusCode()).as("no login form without a code challenge: %s", answer.body()).isEqualTo(302);
        Map<String, String> error = query(URI.create(answer.headers().firstValue("Location").orElseThrow()).getRawQuery());
        assertThat(error.get("error")).isEqualTo("invalid_request");
        assertThat(error.get("error_description")).contains("code_challenge_method");
    }

    @Test
    void dhis2ExportServiceAccountReadsNoPatientData() throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "client_credentials");
        fields.put("client_id", "dhis2-export");
        // The development default of ${SRM_DHIS2_CLIENT_SECRET} in the realm file.
        fields.put("client_secret", "dev-only-dhis2-export-secret");
        HttpResponse<String> token = tokenEndpoint(fields);
        assertThat(token.statusCode()).as(token.body()).isEqualTo(200);
        String accessToken = (String) JSONObjectUtils.parse(token.body()).get("access_token");
        assertThat(claims(accessToken).getAudience()).contains("fhir-server");

        assertOutcome(fhirContext, fhirGet(accessToken, "/Patient?_count=1"), 403, "forbidden", "");
        fields.put("client_secret", "wrong-secret");
        assertThat(tokenEndpoint(fields).statusCode()).isEqualTo(401);
    }

    @Test
    void keycloakTokenWithoutTheFhirAudienceIsRefused() throws Exception {
        // Every client of the realm puts fhir-server in its access tokens; the ID token is the
        // Keycloak-signed token of the trusted issuer that lacks it (aud: pwa, typ: ID).
        Tokens tokens = login("soignant.konobougou");
        JWTClaimsSet idToken = claims(tokens.idToken());
        assertThat(idToken.getIssuer()).isEqualTo(keycloak.issuer());
        assertThat(idToken.getAudience()).doesNotContain("fhir-server");

        assertOutcome(fhirContext, fhirGet(tokens.idToken(), "/Organization/cscom-konobougou"), 401, "login",
                "aud claim rejected");
        // Nor is the refresh token (HS512, Keycloak's own secret; typ Offline) a bearer token here.
        assertOutcome(fhirContext, fhirGet(tokens.refreshToken(), "/Organization/cscom-konobougou"), 401, "login",
                "refused");
    }

    // --- the PWA's login, without a browser ------------------------------------------------

    /** Authorization code + PKCE S256 through Keycloak's login form; returns the token response. */
    private Tokens login(String username) {
        Map<String, Object> body = new KeycloakBrowser().pwaLogin(keycloak, username);
        return new Tokens((String) body.get("access_token"), (String) body.get("refresh_token"),
                (String) body.get("id_token"));
    }

    private static Map<String, String> authorizeRequest(String redirectUri, String scope, String state) {
        return KeycloakBrowser.pwaAuthorizeRequest(redirectUri, scope, state);
    }

    private HttpResponse<String> refresh(String refreshToken) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "refresh_token");
        fields.put("client_id", "pwa");
        fields.put("refresh_token", refreshToken);
        return tokenEndpoint(fields);
    }

    private HttpResponse<String> tokenEndpoint(Map<String, String> fields) {
        return call(http, HttpRequest.newBuilder(URI.create(keycloak.oidcEndpoints() + "/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(fields))));
    }

    private HttpResponse<String> fhirGet(String accessToken, String pathUnderFhir) {
        return as(accessToken, () -> get(pathUnderFhir));
    }
}
