package ml.santerurale.interceptors.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A verified token is not verified again on the next request, but a cached verification never
 * outlives the token's {@code exp} nor the cache's age, never serves another token, and a refused
 * token is never remembered.
 */
class VerifiedTokenCacheTest {

    private static final String ISSUER = "http://127.0.0.1/realms/cache-test";
    private static final RSAKey KEY = generate("k1");
    private static final RSAKey OTHER_KEY = generate("k1");

    /** A clock the test moves. */
    private static final class MovableClock extends Clock {
        private Instant now = Instant.now();

        @Override
        public Instant instant() {
            return now;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    private final AtomicInteger keyLookups = new AtomicInteger();
    private final MovableClock clock = new MovableClock();

    private TrustedIssuers issuers(Duration maxAge, Duration skew) {
        JWKSource<SecurityContext> published = new ImmutableJWKSet<>(new JWKSet(KEY.toPublicJWK()));
        JWKSource<SecurityContext> counting = (selector, context) -> {
            keyLookups.incrementAndGet();
            return published.get(selector, context);
        };
        return new TrustedIssuers(Map.of(ISSUER, new AccessTokenVerifier(ISSUER, "fhir-server", counting, skew)),
                maxAge, 100, clock);
    }

    private static String token(RSAKey key, Instant expiry, String site) throws Exception {
        return SignedTokens.token(ISSUER, key, expiry, site);
    }

    private static RSAKey generate(String kid) {
        return SignedTokens.generate(kid);
    }

    @Test
    void aTokenVerifiedAMomentAgoIsNotVerifiedAgain() throws Exception {
        TrustedIssuers issuers = issuers(Duration.ofSeconds(60), Duration.ofSeconds(30));
        String token = token(KEY, Instant.now().plusSeconds(300), "CSCOM-KONOBOUGOU");

        Caller first = issuers.verify(token);
        Caller second = issuers.verify(token);

        assertThat(second).isEqualTo(first);
        assertThat(second.siteIds()).containsExactly("CSCOM-KONOBOUGOU");
        assertThat(keyLookups).as("one signature check for two requests").hasValue(1);
    }

    @Test
    void anExpiredTokenIsRefusedEvenThoughItsVerificationWasCached() throws Exception {
        TrustedIssuers issuers = issuers(Duration.ofSeconds(60), Duration.ZERO);
        Instant expiry = Instant.now().plusSeconds(2);
        String token = token(KEY, expiry, "CSCOM-KONOBOUGOU");
        assertThat(issuers.verify(token).username()).isEqualTo("soignant.cache");

        while (!Instant.now().isAfter(expiry.plusMillis(200))) {
            Thread.sleep(100);
        }
        clock.now = Instant.now();

        assertThatThrownBy(() -> issuers.verify(token)).isInstanceOf(InvalidTokenException.class)
                .hasMessageContaining("Expired");
        assertThat(keyLookups).as("verified again once the cached entry lapsed at exp").hasValue(2);
    }

    @Test
    void aCachedVerificationNeverOutlivesTheTokensExpiry() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ofSeconds(60), 10, clock);
        Caller caller = new Caller("u-1", "soignant.cache", "pwa", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        cache.remember("a.b.c", caller, clock.instant().plusSeconds(5));

        clock.advance(Duration.ofMillis(4_999));
        assertThat(cache.lookUp("a.b.c")).isEqualTo(caller);
        clock.advance(Duration.ofMillis(1));
        assertThat(cache.lookUp("a.b.c")).as("at exp the entry is gone").isNull();
    }

    @Test
    void aCachedVerificationLapsesAfterItsMaximumAgeWhateverTheExpiry() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ofSeconds(60), 10, clock);
        Caller caller = new Caller("u-1", "soignant.cache", "pwa", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        cache.remember("a.b.c", caller, clock.instant().plus(Duration.ofHours(10)));

        clock.advance(Duration.ofSeconds(60));
        assertThat(cache.lookUp("a.b.c")).isNull();
    }

    @Test
    void anAlreadyExpiredTokenAcceptedWithinTheClockSkewIsNeverCached() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ofSeconds(60), 10, clock);
        Caller caller = new Caller("u-1", "soignant.cache", "pwa", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        cache.remember("a.b.c", caller, clock.instant().minusSeconds(10));

        assertThat(cache.lookUp("a.b.c")).isNull();
        assertThat(cache.size()).isZero();
    }

    @Test
    void anotherTokenIsNeverAnsweredFromTheCache() throws Exception {
        TrustedIssuers issuers = issuers(Duration.ofSeconds(60), Duration.ofSeconds(30));
        String genuine = token(KEY, Instant.now().plusSeconds(300), "CSCOM-KONOBOUGOU");
        issuers.verify(genuine);

        String[] parts = genuine.split("\\.");
        String forgedPayload = com.nimbusds.jose.util.Base64URL.encode(new String(
                com.nimbusds.jose.util.Base64URL.from(parts[1]).decode(), java.nio.charset.StandardCharsets.UTF_8)
                .replace("CSCOM-KONOBOUGOU", "CSCOM-DJELI")).toString();
        String tampered = parts[0] + "." + forgedPayload + "." + parts[2];
        String signedByAnotherKey = token(OTHER_KEY, Instant.now().plusSeconds(300), "CSCOM-KONOBOUGOU");

        assertThatThrownBy(() -> issuers.verify(tampered)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> issuers.verify(signedByAnotherKey)).isInstanceOf(InvalidTokenException.class);
        assertThatThrownBy(() -> issuers.verify(signedByAnotherKey)).as("a refusal is not remembered either")
                .isInstanceOf(InvalidTokenException.class);
        assertThat(keyLookups).hasValue(4);
    }

    @Test
    void aZeroAgeVerifiesEveryRequest() throws Exception {
        TrustedIssuers issuers = issuers(Duration.ZERO, Duration.ofSeconds(30));
        String token = token(KEY, Instant.now().plusSeconds(300), "CSCOM-KONOBOUGOU");
        issuers.verify(token);
        issuers.verify(token);
        assertThat(keyLookups).hasValue(2);
    }
}
