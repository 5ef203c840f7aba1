package ml.santerurale.interceptors.security;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.net.URL;
import java.text.ParseException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Verifies Keycloak access tokens: an asymmetric signature (RSA, RSA-PSS or EC; never {@code none}
 * nor HMAC) by a key from the realm's JWKS, the issuer, the audience, {@code typ: Bearer}, and
 * {@code exp}/{@code nbf} with a bounded clock skew.
 *
 * <p>Keys are cached; a token signed with an unknown {@code kid} makes one rate-limited refresh of
 * the JWKS (key rotation). When the JWKS cannot be fetched, keys already cached keep working and
 * a token needing a new key is refused: it fails closed, never open.
 */
public final class AccessTokenVerifier implements TokenVerifier {

    static final Set<JWSAlgorithm> ACCEPTED_ALGORITHMS = Set.of(
            JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512,
            JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);

    private final DefaultJWTProcessor<SecurityContext> processor;
    private final String issuer;

    public AccessTokenVerifier(String issuer, String audience, JWKSource<SecurityContext> keys, Duration maxClockSkew) {
        if (maxClockSkew.isNegative() || maxClockSkew.compareTo(Duration.ofSeconds(60)) > 0) {
            throw new IllegalArgumentException("The clock skew allowed on tokens must be between 0 and 60 s, got " + maxClockSkew);
        }
        this.issuer = issuer;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ACCEPTED_ALGORITHMS, keys));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(
                audience,
                new JWTClaimsSet.Builder().issuer(issuer).claim("typ", "Bearer").build(),
                Set.of("sub", "exp", "iat"));
        claims.setMaxClockSkew((int) maxClockSkew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * The key source for a realm's JWKS URL: cached for {@code cacheTtl}, refreshed at most once per
     * {@code minRefreshInterval} (an unknown kid triggers a refresh), and tolerant of outages for
     * keys already known.
     */
    public static JWKSource<SecurityContext> remoteKeys(URL jwksUrl, Duration cacheTtl, Duration minRefreshInterval) {
        return JWKSourceBuilder.<SecurityContext>create(jwksUrl)
                .cache(cacheTtl.toMillis(), Duration.ofSeconds(15).toMillis())
                .rateLimited(minRefreshInterval.toMillis())
                .refreshAheadCache(false)
                .outageTolerantForever()
                .retrying(false)
                .build();
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
            throw new InvalidTokenException("The keys of " + issuer + " cannot be fetched to verify this token", e);
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
