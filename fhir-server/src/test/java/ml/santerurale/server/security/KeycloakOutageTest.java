package ml.santerurale.server.security;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.interceptors.security.AccessTokenVerifier;
import ml.santerurale.server.support.KeycloakBrowser;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestKeycloak;
import ml.santerurale.server.support.TestTokens;
import ml.santerurale.server.sync.Consultations;
import org.junit.jupiter.api.Test;

/**
 * The Keycloak-down drill against the real Keycloak: Keycloak hangs (its processes stopped with
 * SIGSTOP: connections are accepted, nothing is answered), then comes back. Tokens issued before
 * the outage keep serving reads and sync pushes from the keys the server cached; a token needing a
 * key the server never fetched is refused fast, 401 with an OperationOutcome saying that the
 * sign-in server cannot be reached (not a hang, not a 500); after Keycloak is back, a new login
 * works at once. Prints the figures.
 */
class KeycloakOutageTest extends ServerIntegrationTest {

    /** srm.security.jwks-min-refresh-interval (30 s) and a margin: past it, the server asks Keycloak again. */
    private static final Duration PAST_REFRESH_INTERVAL = Duration.ofSeconds(32);

    private final TestKeycloak keycloak = TestKeycloak.get();

    @Test
    void tokensIssuedBeforeTheOutageKeepServingAndNewKeysAreRefusedFastUntilKeycloakIsBack() throws Exception {
        keycloak.awaitReady(Duration.ofMinutes(4));
        String used = accessToken("soignant.konobougou");
        String neverShown = accessToken("soignant.konobougou");
        assertThat(read(used).statusCode()).as("the server has the realm's keys from here on").isEqualTo(200);
        long keysFetched = System.nanoTime();
        // Signed by a key Keycloak never published, with Keycloak as issuer: verifying it needs a JWKS fetch.
        TestTokens keys = TestTokens.get();
        String unknownKey = keys.signWithUnpublishedKey(keys.claims("soignant.konobougou", Set.of("soignant"),
                Set.of("CSCOM-KONOBOUGOU")).issuer(keycloak.issuer()).build());
        SyncDevice phone = new SyncDevice("phone-outage-" + UUID.randomUUID(), fhirBase(), () -> used, fhirContext,
                Clock.systemUTC());

        long refusedAfterMillis;
        int readsDuringOutage = 0;
        long resumed;
        try (TestKeycloak.Frozen hung = keycloak.freeze()) {
            HttpClient impatient = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            assertThatThrownBy(() -> impatient.send(HttpRequest.newBuilder(URI.create(keycloak.issuer()
                    + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString()))
                    .as("Keycloak hangs: a login cannot even start").isInstanceOf(HttpTimeoutException.class);

            assertThat(read(neverShown).statusCode()).as("a token the server never saw, signed with a cached key")
                    .isEqualTo(200);
            phone.record(Consultations.visit(Consultations.patient("Keïta", "Mariam"), "Organization/cscom-konobougou"));
            assertThat(phone.push().accepted).as("a sync push during the outage").hasSize(1);
            while (System.nanoTime() - keysFetched < PAST_REFRESH_INTERVAL.toNanos()) {
                assertThat(read(used).statusCode()).isEqualTo(200);
                readsDuringOutage++;
                Thread.sleep(2000);
            }

            long t0 = System.nanoTime();
            HttpResponse<String> refused = read(unknownKey);
            refusedAfterMillis = (System.nanoTime() - t0) / 1_000_000;
            assertOutcome(fhirContext, refused, 401, "login", AccessTokenVerifier.SIGN_IN_SERVER_UNREACHABLE);
            assertThat(refused.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                    challenge -> assertThat(challenge).contains("error=\"invalid_token\""));
            assertThat(refusedAfterMillis).as("refused within the JWKS fetch timeouts, not after a hang")
                    .isLessThan(5000);
            assertThat(read(used).statusCode()).as("still serving after the failed fetch").isEqualTo(200);
            resumed = System.nanoTime();
        }

        String afterwards = accessToken("soignant.konobougou");
        assertThat(read(afterwards).statusCode()).as("a login after Keycloak is back").isEqualTo(200);
        double recoverySeconds = (System.nanoTime() - resumed) / 1e9;
        System.out.printf("[KeycloakOutageTest] Keycloak hung for %.1f s: %d reads and 1 sync push served with tokens"
                + " issued before; unknown key refused 401 in %d ms; first login + read after SIGCONT in %.1f s%n",
                (resumed - keysFetched) / 1e9, readsDuringOutage + 3, refusedAfterMillis, recoverySeconds);
        assertThat(recoverySeconds).as("a new login works as soon as Keycloak answers").isLessThan(30);
    }

    private String accessToken(String username) {
        return (String) new KeycloakBrowser().pwaLogin(keycloak, username).get("access_token");
    }

    private HttpResponse<String> read(String accessToken) {
        return as(accessToken, () -> get("/Organization/cscom-konobougou"));
    }
}
