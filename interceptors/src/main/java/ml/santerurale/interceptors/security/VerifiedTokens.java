package ml.santerurale.interceptors.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The callers of access tokens verified a moment ago, so that a device sending the same token on
 * every request is not checked again (JWT parsing, signature, claims) each time. Keyed by the
 * SHA-256 of the token (the token itself is never kept); an entry is used only before the earlier
 * of the token's {@code exp} and {@code maxAge} after its verification, so a cached verification
 * never outlives the token. Only successful verifications are remembered: a refused token is
 * checked again on each request. At most {@code maxEntries} are kept; when full, lapsed entries
 * are dropped, and if none lapsed the whole cache is emptied (tokens are then simply verified
 * again).
 *
 * <p>Does not guarantee more than the verification it saves: a token whose signing key leaves the
 * realm's JWKS stays accepted until its entry lapses (at most {@code maxAge}, which the JWKS key
 * cache bounds anyway), and, as before, a session revoked in Keycloak is not seen before the
 * token's {@code exp} (this server does not introspect tokens). The clock skew tolerated on
 * {@code exp} by the verifier is not extended to cached entries: past {@code exp} the token is
 * verified again.
 */
final class VerifiedTokens {

    /** A verified token's caller and the instant after which its verification may not be reused. */
    record Verified(Caller caller, Instant expiresAt) {
    }

    private record Key(byte[] digest, int hash) {

        static Key of(String token) {
            byte[] digest = sha256(token);
            return new Key(digest, Arrays.hashCode(digest));
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && MessageDigest.isEqual(digest, key.digest);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final Map<Key, Verified> entries = new ConcurrentHashMap<>();
    private final Duration maxAge;
    private final int maxEntries;
    private final Clock clock;

    VerifiedTokens(Duration maxAge, int maxEntries, Clock clock) {
        if (maxAge.isNegative() || maxEntries < 0) {
            throw new IllegalArgumentException("A verified-token cache needs a non-negative age and size");
        }
        this.maxAge = maxAge;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    /** The caller of this token if it was verified and its entry has not lapsed; null otherwise. */
    Caller lookUp(String token) {
        if (maxEntries == 0 || !printableAscii(token)) {
            return null;
        }
        Key key = Key.of(token);
        Verified verified = entries.get(key);
        if (verified == null) {
            return null;
        }
        if (!clock.instant().isBefore(verified.expiresAt())) {
            entries.remove(key, verified);
            return null;
        }
        return verified.caller();
    }

    /** Remembers a token just verified, until the earlier of its {@code exp} and {@code maxAge} from now. */
    void remember(String token, Caller caller, Instant tokenExpiry) {
        Instant now = clock.instant();
        Instant until = now.plus(maxAge);
        if (tokenExpiry.isBefore(until)) {
            until = tokenExpiry;
        }
        if (maxEntries == 0 || !now.isBefore(until) || !printableAscii(token)) {
            return;
        }
        if (entries.size() >= maxEntries) {
            entries.values().removeIf(v -> !now.isBefore(v.expiresAt()));
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
        }
        entries.put(Key.of(token), new Verified(caller, until));
    }

    int size() {
        return entries.size();
    }

    /** A JWT is printable ASCII; anything else is never cached, so the digest's input is the token exactly. */
    private static boolean printableAscii(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
