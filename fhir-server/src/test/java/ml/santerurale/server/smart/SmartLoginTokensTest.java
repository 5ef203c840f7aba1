package ml.santerurale.server.smart;

import static ml.santerurale.server.support.KeycloakBrowser.claims;
import static ml.santerurale.server.support.KeycloakBrowser.form;
import static ml.santerurale.server.support.KeycloakBrowser.query;
import static ml.santerurale.server.support.KeycloakBrowser.randomBase64Url;
import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.KeycloakBrowser;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SMART app's tokens as the real Keycloak issues them (client {@code smart-demo-app}, the
 * {@code smart browser} flow with the patient picker of {@code keycloak-smart/}), driven without a
 * browser: the token response and the id token name the user's FHIR resource ({@code fhirUser},
 * linked by the demo users' attribute to the demo Practitioners the server loads) and the launch
 * patient, and refreshed tokens, online or offline, keep the patient the server enforces.
 */
class SmartLoginTokensTest extends ServerIntegrationTest {

    private static final String CLIENT = "smart-demo-app";
    private static final String REDIRECT_URI = "http://localhost:4000/callback";
    private static final String SOIGNANT = "soignant.konobougou";
    private static final String SOIGNANTS_PRACTITIONER = "Practitioner/demo-soignant-konobougou";

    private final TestKeycloak keycloak = TestKeycloak.get();
    private Patient awa;
    private Patient binta;

    @BeforeEach
    void twoPatientsOfHerSite() {
        keycloak.awaitReady(Duration.ofMinutes(10));
        awa = ClinicalRecords.patient("Jetons", "Awa", "cscom-konobougou");
        binta = ClinicalRecords.patient("Jetons", "Binta", "cscom-konobougou");
        for (Patient p : List.of(awa, binta)) {
            assertThat(putJson("/Patient/" + p.getIdPart(), json(p)).statusCode()).isEqualTo(201);
        }
    }

    /** A standalone launch: login, then the patient picker, where the soignant picks Awa; the token response. */
    private Map<String, Object> launch(String scope) throws Exception {
        KeycloakBrowser browser = new KeycloakBrowser();
        KeycloakBrowser.Pkce pkce = KeycloakBrowser.Pkce.s256();
        Map<String, String> authorize = new LinkedHashMap<>();
        authorize.put("client_id", CLIENT);
        authorize.put("response_type", "code");
        authorize.put("redirect_uri", REDIRECT_URI);
        authorize.put("scope", scope);
        authorize.put("state", randomBase64Url(12));
        authorize.put("aud", fhirBase());
        authorize.put("code_challenge", pkce.challenge());
        authorize.put("code_challenge_method", "S256");
        HttpResponse<String> picker = browser.logIn(keycloak.oidcEndpoints() + "/auth?" + form(authorize), SOIGNANT);
        assertThat(picker.statusCode()).as("the patient picker: %s", picker.body()).isEqualTo(200);
        HttpResponse<String> picked = browser.post(KeycloakBrowser.formAction(picker.body(), "smart-patient-search"),
                Map.of("patient", awa.getIdPart()));
        String location = picked.headers().firstValue("Location").orElse("");
        assertThat(picked.statusCode()).as("after the pick: %s", picked.body()).isEqualTo(302);
        assertThat(location).startsWith(REDIRECT_URI + "?");

        Map<String, String> exchange = new LinkedHashMap<>();
        exchange.put("grant_type", "authorization_code");
        exchange.put("client_id", CLIENT);
        exchange.put("redirect_uri", REDIRECT_URI);
        exchange.put("code", query(URI.create(location).getRawQuery()).get("code"));
        exchange.put("code_verifier", pkce.verifier());
        return tokenEndpoint(exchange);
    }

    private Map<String, Object> refresh(Object refreshToken) throws Exception {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("grant_type", "refresh_token");
        fields.put("client_id", CLIENT);
        fields.put("refresh_token", refreshToken.toString());
        return tokenEndpoint(fields);
    }

    private Map<String, Object> tokenEndpoint(Map<String, String> fields) throws Exception {
        HttpResponse<String> response = new KeycloakBrowser().post(keycloak.oidcEndpoints() + "/token", fields);
        assertThat(response.statusCode()).as("token endpoint (%s): %s", fields.get("grant_type"), response.body()).isEqualTo(200);
        return JSONObjectUtils.parse(response.body());
    }

    /** The server keeps this access token to Awa: her record, not Binta's (as missing), and only her in a search. */
    private void keptToAwa(Object accessToken) {
        String token = accessToken.toString();
        assertThat(as(token, () -> get("/Patient/" + awa.getIdPart())).statusCode()).isEqualTo(200);
        assertThat(as(token, () -> get("/Patient/" + binta.getIdPart())).statusCode()).isEqualTo(404);
        HttpResponse<String> search = as(token, () -> get("/Patient?family=Jetons&_count=500"));
        assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, search.body()).getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
                .containsExactly(awa.getIdPart());
    }

    @Test
    void theTokenResponseAndTheIdTokenNameTheUsersPractitionerWhichTheTokenMayRead() throws Exception {
        Map<String, Object> response = launch("openid fhirUser launch/patient patient/*.rs");

        assertThat(response.get("patient")).isEqualTo(awa.getIdPart());
        assertThat(response.get("fhirUser")).isEqualTo(SOIGNANTS_PRACTITIONER);
        assertThat(claims(response.get("id_token").toString()).getStringClaim("fhirUser")).isEqualTo(SOIGNANTS_PRACTITIONER);
        JWTClaimsSet access = claims(response.get("access_token").toString());
        assertThat(access.getStringClaim("patient")).isEqualTo(awa.getIdPart());
        assertThat(access.getStringClaim("fhirUser")).isEqualTo(SOIGNANTS_PRACTITIONER);

        String token = response.get("access_token").toString();
        HttpResponse<String> me = as(token, () -> get("/" + SOIGNANTS_PRACTITIONER));
        assertThat(me.statusCode()).as(me.body()).isEqualTo(200);
        assertThat(parse(Practitioner.class, me.body()).getNameFirstRep().getFamily()).isEqualTo("Traoré");
        assertOutcome(fhirContext, as(token, () -> get("/Practitioner/demo-major-konobougou")), 403, "forbidden",
                "patient/ scopes cover only the launch patient's compartment, which holds no Practitioner record");
        keptToAwa(token);
    }

    @Test
    void withoutTheFhirUserScopeThereIsNoFhirUserAndNoReadOfIt() throws Exception {
        Map<String, Object> response = launch("openid launch/patient patient/*.rs");
        assertThat(response).doesNotContainKey("fhirUser");
        assertThat(claims(response.get("id_token").toString()).getClaim("fhirUser")).isNull();
        assertOutcome(fhirContext, as(response.get("access_token").toString(), () -> get("/" + SOIGNANTS_PRACTITIONER)),
                403, "forbidden", "holds no Practitioner record");
    }

    @Test
    void aRefreshedTokenKeepsTheLaunchPatientOnlineAndOffline() throws Exception {
        Map<String, Object> online = launch("openid launch/patient patient/*.rs");
        assertThat(claims(online.get("refresh_token").toString()).getStringClaim("typ")).isEqualTo("Refresh");
        Map<String, Object> refreshed = refresh(online.get("refresh_token"));
        assertThat(refreshed.get("patient")).isEqualTo(awa.getIdPart());
        assertThat(claims(refreshed.get("access_token").toString()).getStringClaim("patient")).isEqualTo(awa.getIdPart());
        assertThat(refreshed.get("access_token")).isNotEqualTo(online.get("access_token"));
        keptToAwa(refreshed.get("access_token"));

        Map<String, Object> offline = launch("openid launch/patient offline_access patient/*.rs");
        assertThat(claims(offline.get("refresh_token").toString()).getStringClaim("typ")).isEqualTo("Offline");
        Map<String, Object> first = refresh(offline.get("refresh_token"));
        Map<String, Object> second = refresh(first.get("refresh_token"));
        for (Map<String, Object> again : List.of(first, second)) {
            assertThat(again.get("patient")).isEqualTo(awa.getIdPart());
            assertThat(claims(again.get("access_token").toString()).getStringClaim("patient")).isEqualTo(awa.getIdPart());
            assertThat(again.get("scope").toString().split(" ")).contains("patient/*.rs", "launch/patient");
            keptToAwa(again.get("access_token"));
        }
    }
}
