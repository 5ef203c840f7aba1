package ml.santerurale.interceptors.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Verifies Keycloak access tokens: an asymmetric signature (RSA, RSA-PSS or EC; never {@code none}
 * nor HMAC) by a key from the realm's JWKS, the issuer, the audience, {@code typ: Bearer}, and
 * {@code exp}/{@code nbf} with a bounded clock skew.
 *
 * <p>Keys are cached; a token signed with an unknown {@code kid} makes one rate-limited refresh of
 * the JWKS (key rotation). When the JWKS cannot be fetched, keys already cached keep working and
 * a token needing a new key is refused (401, saying that the sign-in server cannot be reached, when
 * the last fetch failed): it fails closed, never open.
 */
public final class AccessTokenVerifier implements TokenVerifier {

    static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    /** How a refusal for want of the realm's keys begins (clients may show it as it is). */
    public static final String SIGN_IN_SERVER_UNREACHABLE = "The sign-in server cannot be reached";

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String issuer;
    /** Whether the last fetch of the keys failed (only {@link RealmKeys} know; fixed key sets never do). */
    private final BooleanSupplier keysUnreachable;

    public AccessTokenVerifier(String issuer, String audience, JWKSource<SecurityContext> keys, Duration maxClockSkew) {
        if (maxClockSkew.isNegative() || maxClockSkew.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("The clock skew allowed on tokens must be between 0 and 60 s, got " + maxClockSkew);
        }
        this.issuer = issuer;
        this.keysUnreachable = keys instanceof RealmKeys realm ? realm::unreachable : () -> false;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        JWSVerificationKeySelector<SecurityContext> selector = new JWSVerificationKeySelector<>(ACCEPTED_ALGORITHMS, keys);
        processor.setJWSKeySelector((header, context) -> {
            List<? extends Key> found = selector.selectJWSKeys(header, context);
            if (found.isEmpty() && ACCEPTED_ALGORITHMS.contains(header.getAlgorithm()) && keysUnreachable.getAsBoolean()) {
                // Not an unknown key: a key that could not be fetched (the sign-in server did not answer).
                throw new KeySourceException("the sign-in server did not answer the last fetch of its keys");
            }
            return found;
        });
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audience,
                new JWTClaimsSet.Builder().issuer(issuer).claim("typ", "Bearer").build(),
                Set.of("sub", "exp", "iat"));
        claims.setMaxClockSkew((int) maxClockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /** The keys of a realm's JWKS URL, cached and outage-tolerant: see {@link RealmKeys}. */
    public static RealmKeys remoteKeys(URL jwksUrl, Duration cacheTtl, Duration minRefreshInterval) {
        return new RealmKeys(jwksUrl, cacheTtl, minRefreshInterval);
    }

    @Override
    public Caller verify(String token) throws InvalidTokenException {
        return verifyWithExpiry(token).caller();
    }

    /** The caller of a verified token and the token's {@code exp} (a required claim). */
    VerifiedTokens.Verified verifyWithExpiry(String token) throws InvalidTokenException {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException e) {
            throw new InvalidTokenException("The access token is not a well-formed JWT");
        } catch (KeySourceException e) {
            if (e instanceof RateLimitReachedException && !keysUnreachable.getAsBoolean()) {
                throw new InvalidTokenException("The access token was refused: it is signed with a key that " + issuer
                        + " did not publish when its keys were last fetched, moments ago", e);
            }
            throw new InvalidTokenException(SIGN_IN_SERVER_UNREACHABLE + " (" + issuer + ") to fetch the key this token"
                    + " is signed with. Tokens signed with keys already known keep working; try again once it answers", e);
        } catch (BadJOSEException e) {
            throw new InvalidTokenException("The access token was refused: " + e.getMessage());
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new InvalidTokenException("The access token signature cannot be verified: " + e.getMessage());
        }
        try {
            String subject = claims.getSubject();
            String username = claims.getStringClaim("preferred_username");
            String clientId = claims.getStringClaim("azp");
            String scope = claims.getStringClaim("scope");
            Caller caller = new Caller(subject, username == null ? subject : username, clientId,
                    realmRoles(claims.getJSONObjectClaim("realm_access")), strings(claims.getClaim("site_ids")),
                    scope == null || scope.isBlank() ? Set.of() : new HashSet<>(java.util.Arrays.asList(scope.trim().split("\\s+"))),
                    claims.getStringClaim("patient"), claims.getStringClaim("fhirUser"));
            return new VerifiedTokens.Verified(caller, claims.getExpirationTime().toInstant());
        } catch (ParseException e) {
            throw new InvalidTokenException("The access token has malformed claims: " + e.getMessage());
        }
    }

    private static Set<String> realmRoles(Map<String, Object> realmAccess) {
        return realmAccess == null ? Set.of() : strings(realmAccess.get("roles"));
    }

    private static Set<String> strings(Object value) {
        if (value instanceof String single) {
            return Set.of(single);
        }
        if (value instanceof Collection<?> many) {
            Set<String> out = new HashSet<>();
            many.forEach(v -> out.add(String.valueOf(v)));
            return out;
        }
        return Set.of();
    }
}
