package ml.santerurale.server.smart;

import jakarta.validation.constraints.NotEmpty;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * SMART on FHIR discovery ({@code srm.smart.*}): what {@code /fhir/.well-known/smart-configuration}
 * advertises besides the realm's endpoints, which come from the first trusted issuer
 * ({@code srm.security.issuers[0]}).
 *
 * @param scopesSupported the scopes the realm offers SMART clients (keycloak-realm/), listed as is
 * @param capabilities the SMART capabilities this server and realm implement
 * @param allowedOrigins origins of browser-based SMART apps allowed to call {@code /fhir} (CORS)
 */
@Validated
@ConfigurationProperties("srm.smart")
public record SmartProperties(@NotEmpty List<String> scopesSupported, @NotEmpty List<String> capabilities,
        List<String> allowedOrigins) {

    public SmartProperties {
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
    }
}
