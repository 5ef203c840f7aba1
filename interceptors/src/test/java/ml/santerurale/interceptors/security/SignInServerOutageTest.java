package ml.santerurale.interceptors.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A sign-in server that hangs (accepts the connection, answers nothing): keys already fetched
 * keep verifying tokens, a token needing a key no one could fetch is refused within the fetch
 * timeouts with a message saying the sign-in server cannot be reached, and once the server
 * answers again its new keys are fetched.
 */
class SignInServerOutageTest {

    private static final String ISSUER = "http://127.0.0.1/realms/outage-test";
    private static final RSAKey KEY = SignedTokens.generate("k-known");
    private static final RSAKey ROTATED = SignedTokens.generate("k-rotated");

    private final AtomicReference<JWKSet> published = new AtomicReference<>(new JWKSet(KEY.toPublicJWK()));
    private volatile CountDownLatch hang = new CountDownLatch(0);
    private final HttpServer realm = startRealm();

    @AfterEach
    void stopRealm() {
        hang.countDown();
        realm.stop(0);
    }

    @Test
    void knownKeysKeepWorkingWhileTheSignInServerHangsAndNewOnesFailFastSayingWhy() throws Exception {
        AccessTokenVerifier verifier = new AccessTokenVerifier(ISSUER, "fhir-server", new RealmKeys(
                URI.create("http://127.0.0.1:" + realm.getAddress().getPort() + "/certs").toURL(),
                Duration.ofMinutes(10), Duration.ofMillis(50)), Duration.ofSeconds(30));
        assertThat(verifier.verify(token(KEY)).siteIds()).containsExactly("CSCOM-KONOBOUGOU");
        assertThatThrownBy(() -> verifier.verify(token(ROTATED))).as("the server answers: an unknown key is just refused")
                .isInstanceOf(InvalidTokenException.class).message().doesNotStartWith(AccessTokenVerifier.SIGN_IN_SERVER_UNREACHABLE);

        hang = new CountDownLatch(1);
        long t0 = System.nanoTime();
        assertThat(verifier.verify(token(KEY)).username()).as("a key fetched before the outage").isEqualTo("soignant.cache");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(500));

        Thread.sleep(100); // past the refresh interval: the unknown key makes the verifier fetch again
        long t1 = System.nanoTime();
        assertThatThrownBy(() -> verifier.verify(token(ROTATED)))
                .isInstanceOf(InvalidTokenException.class)
                .hasMessageStartingWith(AccessTokenVerifier.SIGN_IN_SERVER_UNREACHABLE);
        Duration refusedAfter = Duration.ofNanos(System.nanoTime() - t1);
        assertThat(refusedAfter).as("bounded by the fetch timeouts")
                .isLessThan(Duration.ofMillis(RealmKeys.CONNECT_TIMEOUT_MS + RealmKeys.READ_TIMEOUT_MS + 1000));
        assertThat(verifier.verify(token(KEY)).username()).as("still, during the outage").isEqualTo("soignant.cache");

        published.set(new JWKSet(List.of(KEY.toPublicJWK(), ROTATED.toPublicJWK())));
        hang.countDown();
        Thread.sleep(100);
        assertThat(verifier.verify(token(ROTATED)).username()).as("the server is back: its new key is fetched")
                .isEqualTo("soignant.cache");
        System.out.printf("[SignInServerOutageTest] unknown key refused after %d ms while the sign-in server hung%n",
                refusedAfter.toMillis());
    }

    private static String token(RSAKey key) throws Exception {
        return SignedTokens.token(ISSUER, key, Instant.now().plusSeconds(300), "CSCOM-KONOBOUGOU");
    }

    private HttpServer startRealm() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
            server.createContext("/certs", exchange -> {
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = published.get().toString().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return server;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
