package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.Permission;
import ml.santerurale.interceptors.access.PolicyException;
import ml.santerurale.server.fhir.ServedResourceTypes;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.ClassPathResource;

/** A wrong policy file stops the server with a message; it never falls back to allow. */
class AccessPolicyFileTest {

    private static final Set<String> ROLES = Set.of("soignant", "major", "medecin", "admin");

    private static AccessPolicy read(String yaml) {
        return AccessPolicyFile.read(new ByteArrayResource(yaml.getBytes(StandardCharsets.UTF_8), "test policy"),
                ROLES, ServedResourceTypes.ALL);
    }

    private static String shipped() throws Exception {
        return new String(new ClassPathResource("policy/access-policy.yml").getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void readsTheShippedPolicy() throws Exception {
        AccessPolicy policy = read(shipped());
        assertThat(policy.allows(Set.of("soignant"), "Patient", Permission.CREATE)).isTrue();
        assertThat(policy.allows(Set.of("soignant"), "Patient", Permission.DELETE)).isFalse();
        assertThat(policy.allows(Set.of("admin"), "Patient", Permission.READ)).isFalse();
        assertThat(policy.auditScope(Set.of("major"))).isEqualTo(AccessPolicy.AuditScope.OWN_SITES);
    }

    @Test
    void refusesAnUnknownRole() throws Exception {
        assertThatThrownBy(() -> read(shipped().replace("  soignant:", "  soigant:")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("unknown role 'soigant'");
    }

    @Test
    void refusesAnUnknownType() throws Exception {
        assertThatThrownBy(() -> read(shipped().replace("[Patient,", "[Patient, Questionnaire,")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("unknown resource type 'Questionnaire'");
    }

    @Test
    void refusesAServedTypeLeftOutOfEveryKind() throws Exception {
        assertThatThrownBy(() -> read(shipped().replace("  audit: [AuditEvent]\n", "")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("'AuditEvent' is under no kind");
    }

    @Test
    void refusesAnUnknownPermissionAndWritableAudit() throws Exception {
        assertThatThrownBy(() -> read(shipped().replace("clinical: [read, search, history, create, update]", "clinical: [read, erase]")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("unknown permission 'erase'");
        assertThatThrownBy(() -> read(shipped().replace("    audit: [read, search]\n\n", "    audit: [read, search, delete]\n\n")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("audit events are immutable");
    }

    @Test
    void refusesReportsWritableByAnyRole() throws Exception {
        assertThatThrownBy(() -> read(shipped().replace("    reporting: [read, search]\n  admin:", "    reporting: [read, search, create]\n  admin:")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("written by the DHIS2 export alone");
    }

    @Test
    void refusesWritableConformanceResources() throws Exception {
        assertThatThrownBy(() -> read(shipped().replace("    conformance: [read, search]\n    audit:", "    conformance: [read, search, update]\n    audit:")))
                .isInstanceOf(PolicyException.class).hasMessageContaining("served read-only");
    }

    @Test
    void refusesMalformedYaml() {
        assertThatThrownBy(() -> read("types: [unclosed"))
                .isInstanceOf(PolicyException.class).hasMessageContaining("not valid YAML");
    }
}
