package ml.santerurale.server.app;

import jakarta.validation.constraints.NotBlank;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The care workers' app served at {@code /} ({@code srm.app.*}). The browser signs in at the
 * first trusted issuer of {@code srm.security.issuers} (the Keycloak realm).
 *
 * @param clientId the realm's public client the app uses (authorization code + PKCE)
 */
@Validated
@ConfigurationProperties("srm.app")
public record AppProperties(@NotBlank String clientId) {
}
