package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.util.ResourceCountCache;
import ca.uhn.fhir.rest.server.RestfulServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.Permission;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementRestResourceComponent;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The CapabilityStatement tells a client exactly what it may try: the served types, each with
 * the interactions some role of the access policy allows (the expectation below is derived from
 * the policy loaded by the server, so the two cannot drift apart), the system interactions that
 * work, and how to get a token.
 */
class CapabilityStatementTest extends ServerIntegrationTest {

    /** HAPI's extension for a type's count of stored resources. */
    private static final String RESOURCE_COUNT = "http://hl7api.sourceforge.net/hapi-fhir/res/extdefs.html#resourceCount";

    @Autowired
    AccessPolicy policy;

    @Autowired
    ResourceCountCache resourceCounts;

    @Autowired
    RestfulServer restfulServer;

    private static final Set<String> ROLES = Set.of("soignant", "major", "medecin", "admin");

    @Test
    void eachServedTypeListsExactlyTheInteractionsSomeRoleMayUse() {
        CapabilityStatement statement = metadata();
        CapabilityStatement.CapabilityStatementRestComponent rest = statement.getRestFirstRep();

        assertThat(rest.getResource().stream().map(CapabilityStatementRestResourceComponent::getType).collect(Collectors.toSet()))
                .isEqualTo(ServedResourceTypes.ALL);
        for (CapabilityStatementRestResourceComponent resource : rest.getResource()) {
            Set<String> listed = resource.getInteraction().stream().map(i -> i.getCode().toCode()).collect(Collectors.toCollection(TreeSet::new));
            assertThat(listed).as(resource.getType()).isEqualTo(expectedInteractions(resource.getType()));
            Set<String> operations = resource.getOperation().stream().map(o -> o.getName())
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(operations).as("the operations open to clients on %s", resource.getType())
                    .isEqualTo(expectedOperations(resource.getType()));
        }
    }

    @Test
    void auditEventsAreListedAsReadOnly() {
        CapabilityStatementRestResourceComponent auditEvent = metadata().getRestFirstRep().getResource().stream()
                .filter(r -> r.getType().equals("AuditEvent")).findFirst().orElseThrow();
        assertThat(auditEvent.getInteraction().stream().map(i -> i.getCode().toCode()))
                .containsExactlyInAnyOrder("read", "vread", "search-type")
                .doesNotContain("create", "update", "patch", "delete");
    }

    @Test
    void systemInteractionsIncludeBatchAndTransaction() {
        CapabilityStatement.CapabilityStatementRestComponent rest = metadata().getRestFirstRep();
        assertThat(rest.getInteraction().stream().map(i -> i.getCode().toCode()))
                .contains("transaction", "batch", "history-system");
        assertThat(rest.getOperation().stream().map(o -> o.getName())).as("system operations").containsExactlyInAnyOrder("dhis2-export", "dhis2-export-journal");
    }

    @Test
    void securityNamesOAuthWithTheRealmsEndpoints() {
        CapabilityStatement.CapabilityStatementRestSecurityComponent security = metadata().getRestFirstRep().getSecurity();
        assertThat(security.getService()).anySatisfy(service -> assertThat(service.getCoding()).anySatisfy(coding -> {
            assertThat(coding.getSystem()).isEqualTo("http://terminology.hl7.org/CodeSystem/restful-security-service");
            assertThat(coding.getCode()).isEqualTo("OAuth");
        }));
        Extension uris = security.getExtensionByUrl("http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
        assertThat(uris).isNotNull();
        String endpoints = TestKeycloak.get().oidcEndpoints();
        assertThat(uris.getExtensionByUrl("authorize").getValue().primitiveValue()).isEqualTo(endpoints + "/auth");
        assertThat(uris.getExtensionByUrl("token").getValue().primitiveValue()).isEqualTo(endpoints + "/token");
        assertThat(security.getDescription()).contains(TestKeycloak.get().issuer());
    }

    private Set<String> expectedInteractions(String type) {
        Set<Permission> allowed = EnumSet.noneOf(Permission.class);
        for (Permission permission : Permission.values()) {
            if (policy.allows(ROLES, type, permission)) {
                allowed.add(permission);
            }
        }
        Set<String> expected = new TreeSet<>();
        for (TypeRestfulInteraction interaction : TypeRestfulInteraction.values()) {
            if (interaction == TypeRestfulInteraction.NULL) {
                continue;
            }
            Permission needed = Permission.forInteraction(interaction);
            if (needed != null && allowed.contains(needed)) {
                expected.add(interaction.toCode());
            }
        }
        return expected;
    }

    /**
     * {@code $validate} wherever some role may create or update (it writes nothing), and the
     * terminology operations on the guide's CodeSystems and ValueSets; nothing else.
     */
    private Set<String> expectedOperations(String type) {
        Set<String> expected = new TreeSet<>();
        if (policy.allows(ROLES, type, Permission.CREATE) || policy.allows(ROLES, type, Permission.UPDATE)) {
            expected.add("validate");
        }
        if (type.equals("CodeSystem")) {
            expected.add("validate-code");
        }
        if (type.equals("ValueSet")) {
            expected.addAll(Set.of("expand", "validate-code"));
        }
        if (type.equals("Measure")) {
            expected.add("evaluate-measure");
        }
        return expected;
    }

    @Test
    void noCountOfStoredResourcesIsPublishedNorMade() {
        // What HAPI's scheduled job did at start and every 10 minutes (with HAPI's cache: an empty map here).
        resourceCounts.update();

        assertThat(resourceCounts.get()).as("nothing was counted").isNull();
        assertThat(metadata().getRestFirstRep().getResource()).allSatisfy(resource ->
                assertThat(resource.getExtensionsByUrl(RESOURCE_COUNT)).as(resource.getType()).isEmpty());
        // HAPI 8.8's count is empty with partitions on, so the answer above would have no count even
        // with counts included: the provider itself must be told not to include them.
        assertThat(((JpaCapabilityStatementProvider) restfulServer.getServerConformanceProvider()).isIncludeResourceCounts())
                .as("counts included in the CapabilityStatement").isFalse();
    }

    private CapabilityStatement metadata() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(java.net.URI.create(fhirBase() + "/metadata"))
                .header("Accept", "application/fhir+json").GET());
        assertThat(response.statusCode()).isEqualTo(200);
        return parse(CapabilityStatement.class, response.body());
    }
}
