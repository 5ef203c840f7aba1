package ml.santerurale.server.security;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
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
 */
@Validated
@ConfigurationProperties("srm.security")
public record SecurityProperties(
        @NotBlank String realm,
        @NotBlank String audience,
        @NotNull Duration clockSkew,
        @NotNull Duration jwksCacheTtl,
        @NotNull Duration jwksMinRefreshInterval,
        @NotEmpty List<@Valid Issuer> issuers) {

    @AssertTrue(message = "srm.security.clock-skew must be between 0 and 60 seconds")
    boolean isClockSkewBounded() {
        return clockSkew == null || (!clockSkew.isNegative() && clockSkew.compareTo(Duration.ofSeconds(60)) <= 0);
    }

    public record Issuer(@NotNull URI issuer, URI jwksUri) {

        URI jwksUriOrDefault() {
            return jwksUri != null && !jwksUri.toString().isBlank()
                    ? jwksUri
                    : URI.create(issuer.toString().replaceAll("/$", "") + "/protocol/openid-connect/certs");
        }
    }
}
