package ml.santerurale.interceptors.security;

import com.nimbusds.jwt.JWTParser;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Routes a token to the verifier of the issuer it names. The unverified {@code iss} only selects
 * which keys to check the signature with; an issuer not configured is refused outright.
 * Production configures exactly one issuer (the Keycloak realm).
 *
 * <p>A token verified a moment ago is not verified again while its entry in {@link VerifiedTokens}
 * lasts (at most {@code verifiedTokenMaxAge}, never past the token's {@code exp}); see there what
 * that cache does not guarantee. Refused tokens are never cached.
 */
public final class TrustedIssuers implements TokenVerifier {

    private final Map<String, AccessTokenVerifier> byIssuer;
    private final VerifiedTokens verified;

    /** Every token verified on every request (no cache). */
    public TrustedIssuers(Map<String, AccessTokenVerifier> byIssuer) {
        this(byIssuer, Duration.ZERO, 0, Clock.systemUTC());
    }

    /**
     * @param verifiedTokenMaxAge how long a successful verification may be reused (never past the
     *     token's {@code exp}); zero verifies every request
     * @param verifiedTokenMaxEntries how many verified tokens are remembered at most
     */
    public TrustedIssuers(Map<String, AccessTokenVerifier> byIssuer, Duration verifiedTokenMaxAge,
            int verifiedTokenMaxEntries, Clock clock) {
        if (byIssuer.isEmpty()) {
            throw new IllegalArgumentException("At least one trusted token issuer is required");
        }
        this.byIssuer = Map.copyOf(byIssuer);
        this.verified = new VerifiedTokens(verifiedTokenMaxAge, verifiedTokenMaxEntries, clock);
    }

    @Override
    public Caller verify(String token) throws InvalidTokenException {
        Caller cached = verified.lookUp(token);
        if (cached != null) {
            return cached;
        }
        String issuer;
        try {
            issuer = JWTParser.parse(token).getJWTClaimsSet().getIssuer();
        } catch (ParseException e) {
            throw new InvalidTokenException("The access token is not a well-formed JWT");
        }
        AccessTokenVerifier verifier = issuer == null ? null : byIssuer.get(issuer);
        if (verifier == null) {
            throw new InvalidTokenException("The access token was issued by an issuer this server does not trust");
        }
        VerifiedTokens.Verified result = verifier.verifyWithExpiry(token);
        verified.remember(token, result.caller(), result.expiresAt());
        return result.caller();
    }
}
