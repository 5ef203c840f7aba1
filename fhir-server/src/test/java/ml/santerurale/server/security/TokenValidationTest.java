package ml.santerurale.server.security;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.JWTClaimsSet;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.junit.jupiter.api.Test;

/** Only a well-signed, current access token of a trusted realm, for this server, gets in. */
class TokenValidationTest extends ServerIntegrationTest {

    private final TestTokens tokens = TestTokens.get();

    private JWTClaimsSet.Builder valid() {
        return tokens.claims("soignant.test", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    }

    private HttpResponse<String> readWith(String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fhirBase() + "/Organization/cscom-konobougou"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return send(request.GET());
    }

    private void assertRefused(HttpResponse<String> response, String diagnostics) {
        assertOutcome(fhirContext, response, 401, "login", diagnostics);
        assertThat(response.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                challenge -> assertThat(challenge).startsWith("Bearer realm=\"sante-mali\""));
    }

    @Test
    void acceptsAValidToken() {
        assertThat(readWith("Bearer " + tokens.sign(valid().build())).statusCode()).isEqualTo(200);
    }

    @Test
    void acceptsEs256AndPs256SignaturesByTheRealmsKeys() {
        HttpResponse<String> es256 = readWith("Bearer " + tokens.signEs256(valid().build()));
        assertThat(es256.statusCode()).as(es256.body()).isEqualTo(200);
        HttpResponse<String> ps256 = readWith("Bearer " + tokens.signPs256(valid().build()));
        assertThat(ps256.statusCode()).as(ps256.body()).isEqualTo(200);
        assertThat(parse(org.hl7.fhir.r4.model.Organization.class, es256.body()).getIdPart()).isEqualTo("cscom-konobougou");
        assertRefused(readWith("Bearer " + tokens.signEs256WithUnpublishedKey(valid().build())), "refused");
    }

    @Test
    void servesTheCapabilityStatementWithoutAToken() {
        assertThat(send(HttpRequest.newBuilder(URI.create(fhirBase() + "/metadata")).GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesARequestWithoutAToken() {
        assertRefused(readWith(null), "needs a bearer access token");
    }

    @Test
    void refusesOtherAuthorizationSchemes() {
        assertRefused(readWith("Basic YWRtaW46YWRtaW4="), "Only bearer access tokens");
    }

    @Test
    void refusesAnUnsignedToken() {
        assertRefused(readWith("Bearer " + tokens.unsigned(valid().build())), "refused");
    }

    @Test
    void refusesHs256SignedWithThePublicKey() {
        assertRefused(readWith("Bearer " + tokens.hmacWithPublicKey(valid().build())), "refused");
    }

    @Test
    void refusesATamperedPayload() {
        JWTClaimsSet original = valid().build();
        JWTClaimsSet forged = new JWTClaimsSet.Builder(original).claim("site_ids", List.of("CSCOM-DJELI")).build();
        assertRefused(readWith("Bearer " + tokens.tampered(original, forged)), "refused");
    }

    @Test
    void refusesAnExpiredToken() {
        JWTClaimsSet expired = valid().issueTime(Date.from(Instant.now().minusSeconds(1000)))
                .expirationTime(Date.from(Instant.now().minusSeconds(61))).build();
        assertRefused(readWith("Bearer " + tokens.sign(expired)), "Expired JWT");
    }

    @Test
    void toleratesSmallClockSkewOnly() {
        JWTClaimsSet justExpired = valid().expirationTime(Date.from(Instant.now().minusSeconds(10))).build();
        assertThat(readWith("Bearer " + tokens.sign(justExpired)).statusCode()).isEqualTo(200);
        JWTClaimsSet notYet = valid().notBeforeTime(Date.from(Instant.now().plusSeconds(120))).build();
        assertRefused(readWith("Bearer " + tokens.sign(notYet)), "refused");
    }

    @Test
    void refusesAnotherIssuer() {
        assertRefused(readWith("Bearer " + tokens.sign(valid().issuer("http://evil.example/realms/sante-mali").build())),
                "issuer this server does not trust");
    }

    @Test
    void refusesAnotherAudience() {
        assertRefused(readWith("Bearer " + tokens.sign(valid().audience("account").build())), "refused");
    }

    @Test
    void refusesRefreshAndIdTokens() {
        assertRefused(readWith("Bearer " + tokens.sign(valid().claim("typ", "Refresh").build())), "refused");
        assertRefused(readWith("Bearer " + tokens.sign(valid().claim("typ", "ID").build())), "refused");
    }

    @Test
    void refusesGarbage() {
        assertRefused(readWith("Bearer not.a.jwt"), "not a well-formed JWT");
    }

    @Test
    void keepsAcceptingKnownKeysWhenTheRealmIsDownButFailsClosedOnNewOnes() {
        TestTokens realm = TestTokens.outage();
        JWTClaimsSet claims = realm.claims("soignant.outage", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU")).build();
        assertThat(readWith("Bearer " + realm.sign(claims)).statusCode()).as("keys fetched and cached").isEqualTo(200);
        realm.stopKeyServer();
        assertThat(readWith("Bearer " + realm.sign(claims)).statusCode()).as("cached key still works").isEqualTo(200);
        assertRefused(readWith("Bearer " + realm.signWithUnpublishedKey(claims)), "");
    }

    @Test
    void fetchesTheKeysAgainWhenAnUnknownKeySignsAfterRotation() throws Exception {
        String rotated = tokens.signWithUnpublishedKey(valid().build());
        assertRefused(readWith("Bearer " + rotated), "refused");
        tokens.publishSecondKey();
        // The JWKS is fetched again at most once per srm.security.jwks-min-refresh-interval (30 s).
        long deadline = System.currentTimeMillis() + 45_000;
        int status;
        do {
            Thread.sleep(1000);
            status = readWith("Bearer " + rotated).statusCode();
        } while (status != 200 && System.currentTimeMillis() < deadline);
        assertThat(status).isEqualTo(200);
    }
}
