package ml.santerurale.server.access;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.core.io.Resource;
import org.springframework.validation.annotation.Validated;

/**
 * @param policyFile the role matrix ({@code policy/access-policy.yml} by default)
 * @param knownRoles the realm roles the policy may name; anything else is a typo that must stop
 *     the server rather than silently grant or deny
 */
@Validated
@ConfigurationProperties("srm.access")
public record AccessProperties(@NotNull Resource policyFile, @NotEmpty Set<String> knownRoles) {}
