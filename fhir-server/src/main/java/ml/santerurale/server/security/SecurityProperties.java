package ml.santerurale.server.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Which tokens the FHIR endpoint trusts ({@code srm.security.*}). Production names one issuer,
 * the Keycloak realm ({@code SRM_OIDC_ISSUER}). Wrong values stop the server at start.
 *
 * @param realm the realm named in {@code WWW-Authenticate} challenges
 * @param audience the {@code aud} every access token must carry
 * @param clockSkew tolerance on {@code exp}/{@code nbf}, at most 60 s
 * @param jwksCacheTtl how long fetched keys are used before the JWKS is fetched again
 * @param jwksMinRefreshInterval the least time between two JWKS fetches (unknown {@code kid})
 * @param issuers trusted issuers, each with its JWKS (default: the issuer's Keycloak certs URL)
 * @param verifiedTokenCacheTtl how long a successful token verification is reused for the same
 *     token (never past its {@code exp}; at most {@code jwksCacheTtl}, which already bounds how
 *     long a withdrawn key is trusted); zero verifies every request
 * @param verifiedTokenCacheSize how many verified tokens are remembered at most
 */
@Validated
@ConfigurationProperties("srm.security")
public record SecurityProperties(
        @NotBlank String realm,
        @NotBlank String audience,
        @NotNull Duration clockSkew,
        @NotNull Duration jwksCacheTtl,
        @NotNull Duration jwksMinRefreshInterval,
        @NotEmpty List<@Valid Issuer> issuers,
        @NotNull Duration verifiedTokenCacheTtl,
        @PositiveOrZero int verifiedTokenCacheSize) {

    @AssertTrue(message = "srm.security.clock-skew must be between 0 and 60 seconds")
    boolean isClockSkewBounded() {
        return clockSkew == null || (!clockSkew.isNegative() && clockSkew.compareTo(Duration.ofSeconds(60)) <= 0);
    }

    @AssertTrue(message = "srm.security.verified-token-cache-ttl must be between 0 and srm.security.jwks-cache-ttl")
    boolean isVerifiedTokenCacheBounded() {
        return verifiedTokenCacheTtl == null || jwksCacheTtl == null
                || (!verifiedTokenCacheTtl.isNegative() && verifiedTokenCacheTtl.compareTo(jwksCacheTtl) <= 0);
    }

    public record Issuer(@NotNull URI issuer, URI jwksUri) {

        URI jwksUriOrDefault() {
            return jwksUri != null && !jwksUri.toString().isBlank()
                    ? jwksUri
                    : URI.create(issuer.toString().replaceAll("/$", "") + "/protocol/openid-connect/certs");
        }
    }
}
