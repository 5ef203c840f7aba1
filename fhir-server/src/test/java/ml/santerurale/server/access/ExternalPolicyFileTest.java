package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.Permission;
import ml.santerurale.interceptors.access.PolicyException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;

/**
 * Operations replace the policy file without a rebuild ({@code srm.access.policy-file}, e.g.
 * {@code SRM_ACCESS_POLICY_FILE=file:/etc/sante/access-policy.yml}): the server's start reads
 * that file, and a wrong one stops the start with its message instead of allowing anything.
 */
class ExternalPolicyFileTest {

    /** The policy bean exactly as the server builds it, bound from the same properties. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(AccessProperties.class)
    static class PolicyFromProperties {
        @Bean
        AccessPolicy accessPolicy(AccessProperties properties) {
            return new AccessConfig().accessPolicy(properties);
        }
    }

    private final ApplicationContextRunner server = new ApplicationContextRunner()
            .withUserConfiguration(PolicyFromProperties.class)
            .withPropertyValues("srm.access.known-roles=soignant,major,medecin,admin");

    private static String shipped() throws Exception {
        return new String(new ClassPathResource("policy/access-policy.yml").getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void startsWithTheFileOperationsPointedTo(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access-policy.yml");
        // A district's choice: care workers may also delete clinical records.
        Files.writeString(file, shipped().replace("clinical: [read, search, history, create, update]",
                "clinical: [read, search, history, create, update, delete]"));

        server.withPropertyValues("srm.access.policy-file=file:" + file).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(AccessPolicy.class).allows(Set.of("soignant"), "Encounter", Permission.DELETE)).isTrue();
        });
    }

    @Test
    void aWrongFileStopsTheStartWithItsMessage(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access-policy.yml");
        Files.writeString(file, shipped().replace("  soignant:", "  soigant:"));

        server.withPropertyValues("srm.access.policy-file=file:" + file).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().isInstanceOf(PolicyException.class)
                    .hasMessageContaining("unknown role 'soigant'");
        });
    }

    @Test
    void aMissingFileStopsTheStart(@TempDir Path dir) {
        server.withPropertyValues("srm.access.policy-file=file:" + dir.resolve("absent.yml")).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("absent.yml");
        });
    }
}
