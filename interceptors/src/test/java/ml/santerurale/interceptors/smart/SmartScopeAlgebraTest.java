package ml.santerurale.interceptors.smart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import ml.santerurale.interceptors.access.AccessPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scope algebra as a generated matrix: every scope form (v1, v2, wildcards, granular) crossed
 * with every role, type and interaction. The expected answer is computed here from the SMART
 * App Launch rules written out independently (v1 read = rs, write = cud, * = cruds), and the
 * server's answer must be exactly the intersection of that and the role matrix.
 */
class SmartScopeAlgebraTest {

    private static final Set<String> FHIR_TYPES = Set.copyOf(FhirContext.forR4Cached().getResourceTypes());
    private static final Set<String> CLINICAL = Set.of("Patient", "Encounter", "Observation", "Condition",
            "MedicationRequest", "Procedure", "ServiceRequest", "DocumentReference", "Binary", "Consent", "Provenance");
    private static final Set<String> REFERENCE = Set.of("Organization", "Location", "Practitioner", "PractitionerRole");
    private static final Set<String> SERVED;

    static {
        Set<String> served = new java.util.TreeSet<>(CLINICAL);
        served.addAll(REFERENCE);
        served.addAll(Set.of("AuditEvent", "StructureDefinition", "CodeSystem", "ValueSet"));
        SERVED = Set.copyOf(served);
    }

    /** The role matrix of the policy file, as the table says it. */
    private static final AccessPolicy POLICY = AccessPolicy.of(
            Map.of("clinical", List.copyOf(CLINICAL), "reference", List.copyOf(REFERENCE), "audit", List.of("AuditEvent"),
                    "conformance", List.of("StructureDefinition", "CodeSystem", "ValueSet")),
            Map.of("soignant", Map.of("clinical", List.of("read", "search", "history", "create", "update"),
                            "reference", List.of("read", "search", "history"), "conformance", List.of("read", "search")),
                    "major", Map.of("clinical", List.of("read", "search", "history", "create", "update", "delete"),
                            "reference", List.of("read", "search", "history"), "audit", List.of("read", "search"),
                            "conformance", List.of("read", "search")),
                    "medecin", Map.of("clinical", List.of("read", "search", "history", "create", "update", "delete"),
                            "reference", List.of("read", "search", "history"), "conformance", List.of("read", "search")),
                    "admin", Map.of("reference", List.of("read", "search", "history", "create", "update", "delete"),
                            "audit", List.of("read", "search"), "conformance", List.of("read", "search"))),
            Map.of("major", "own-sites", "admin", "all"),
            List.of("soignant", "major", "medecin", "admin"), SERVED);

    private static final List<RestOperationTypeEnum> OPERATIONS = List.of(RestOperationTypeEnum.READ,
            RestOperationTypeEnum.VREAD, RestOperationTypeEnum.HISTORY_INSTANCE, RestOperationTypeEnum.SEARCH_TYPE,
            RestOperationTypeEnum.HISTORY_TYPE, RestOperationTypeEnum.CREATE, RestOperationTypeEnum.UPDATE,
            RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE);

    private static final List<String> TYPES = List.of("Patient", "Observation", "Condition", "AuditEvent",
            "Organization", "ValueSet");

    /** Every scope form the matrix crosses: v2 letter sets (all 31), v1 forms, wildcards, granular. */
    static List<String> scopeForms() {
        List<String> scopes = new ArrayList<>();
        List<String> letters = new ArrayList<>();
        for (int mask = 1; mask < 32; mask++) {
            StringBuilder s = new StringBuilder();
            for (int bit = 0; bit < 5; bit++) {
                if ((mask & (1 << bit)) != 0) {
                    s.append("cruds".charAt(bit));
                }
            }
            letters.add(s.toString());
        }
        for (String context : List.of("user", "system")) {
            for (String type : List.of("*", "Patient", "Observation")) {
                letters.forEach(l -> scopes.add(context + "/" + type + "." + l));
                List.of("read", "write", "*").forEach(v1 -> scopes.add(context + "/" + type + "." + v1));
            }
        }
        scopes.add("user/Observation.rs?category=laboratory");
        scopes.add("user/Condition.cruds?category=problem-list-item");
        scopes.add("system/AuditEvent.rs");
        return scopes;
    }

    /** The SMART rules, independently: which letters a permission part stands for. */
    private static String lettersOf(String permissions) {
        return switch (permissions) {
            case "read" -> "rs";
            case "write" -> "cud";
            case "*" -> "cruds";
            default -> permissions;
        };
    }

    private static char letterOf(RestOperationTypeEnum operation) {
        return switch (operation) {
            case READ, VREAD, HISTORY_INSTANCE -> 'r';
            case SEARCH_TYPE, HISTORY_TYPE -> 's';
            case CREATE -> 'c';
            case UPDATE, PATCH -> 'u';
            case DELETE -> 'd';
            default -> throw new IllegalArgumentException(operation.name());
        };
    }

    private static boolean roleAllows(String role, String type, RestOperationTypeEnum operation) {
        String kind = CLINICAL.contains(type) ? "clinical" : REFERENCE.contains(type) ? "reference"
                : "AuditEvent".equals(type) ? "audit" : "conformance";
        Map<String, Set<String>> table = Map.of(
                "soignant", Set.of("clinical:rshcu", "reference:rsh", "conformance:rs"),
                "major", Set.of("clinical:rshcud", "reference:rsh", "audit:rs", "conformance:rs"),
                "medecin", Set.of("clinical:rshcud", "reference:rsh", "conformance:rs"),
                "admin", Set.of("reference:rshcud", "audit:rs", "conformance:rs"));
        char needed = switch (operation) {
            case READ, VREAD -> 'r';
            case SEARCH_TYPE -> 's';
            case HISTORY_INSTANCE, HISTORY_TYPE -> 'h';
            case CREATE -> 'c';
            case UPDATE, PATCH -> 'u';
            case DELETE -> 'd';
            default -> '?';
        };
        return table.get(role).stream().anyMatch(g -> g.startsWith(kind + ":") && g.substring(kind.length() + 1).indexOf(needed) >= 0);
    }

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String scope : scopeForms()) {
            for (String role : List.of("soignant", "major", "medecin", "admin")) {
                cases.add(Arguments.of(scope, role));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} x {1}")
    @MethodSource("matrix")
    void whatPassesIsExactlyTheIntersectionOfScopeAndRole(String scope, String role) {
        SmartScopes scopes = SmartScopes.of(Set.of(scope, "openid", "offline_access"), null, FHIR_TYPES, SERVED);
        String context = scope.substring(0, scope.indexOf('/'));
        String scopeType = scope.substring(scope.indexOf('/') + 1, scope.indexOf('.'));
        String permissions = scope.substring(scope.indexOf('.') + 1).replaceAll("\\?.*", "");
        boolean granular = scope.contains("?");
        for (String type : TYPES) {
            for (RestOperationTypeEnum operation : OPERATIONS) {
                boolean scopeCovers = ("*".equals(scopeType) || scopeType.equals(type))
                        && lettersOf(permissions).indexOf(letterOf(operation)) >= 0
                        // type history cannot be narrowed to a category: it needs an unrestricted scope
                        && !(granular && operation == RestOperationTypeEnum.HISTORY_TYPE);
                boolean expected = scopeCovers && roleAllows(role, type, operation);
                assertThat(scopes.allows(POLICY, Set.of(role), type, operation))
                        .as("%s (%s) %s %s", scope, context, operation, type).isEqualTo(expected);
            }
        }
    }

    @Test
    void aTokenWithoutResourceScopesIsNotNarrowed() {
        SmartScopes none = SmartScopes.of(Set.of("openid", "profile", "email", "offline_access", "launch/patient", "fhirUser"),
                null, FHIR_TYPES, SERVED);
        assertThat(none.isEmpty()).isTrue();
        for (String role : List.of("soignant", "major", "medecin", "admin")) {
            for (String type : TYPES) {
                for (RestOperationTypeEnum operation : OPERATIONS) {
                    assertThat(none.allows(POLICY, Set.of(role), type, operation)).isEqualTo(roleAllows(role, type, operation));
                }
            }
        }
    }

    @Test
    void readAndSearchScopesNeverPermitAWrite() {
        for (String scope : List.of("user/*.rs", "user/*.read", "system/Patient.rs", "patient/*.rs")) {
            SmartScopes scopes = SmartScopes.of(Set.of(scope), "p1", FHIR_TYPES, SERVED);
            for (RestOperationTypeEnum write : List.of(RestOperationTypeEnum.CREATE, RestOperationTypeEnum.UPDATE,
                    RestOperationTypeEnum.PATCH, RestOperationTypeEnum.DELETE)) {
                assertThat(scopes.allows(POLICY, Set.of("medecin"), "Patient", write)).as(scope + " " + write).isFalse();
            }
        }
    }

    @Test
    void patientScopesKeepToTheLaunchPatientsCompartmentAndCategoriesToTheirCategory() {
        SmartScopes scopes = SmartScopes.of(Set.of("patient/Observation.rs", "patient/Condition.rs?category=problem-list-item"),
                "p1", FHIR_TYPES, SERVED);
        SmartScopes.Grant observations = scopes.grant("Observation", SmartAction.SEARCH);
        assertThat(observations.compartmentOnly()).isTrue();
        assertThat(observations.categoriesOnly()).isNull();
        SmartScopes.Grant conditions = scopes.grant("Condition", SmartAction.READ);
        assertThat(conditions.categoriesOnly()).containsExactly(new SmartScope.Category(null, "problem-list-item"));
        assertThat(scopes.permits("Observation", RestOperationTypeEnum.HISTORY_TYPE)).as("cannot be narrowed").isFalse();
        assertThat(scopes.permits("Observation", RestOperationTypeEnum.SEARCH_SYSTEM)).isFalse();
        assertThat(scopes.grant("Patient", SmartAction.READ).any()).isFalse();
    }

    @Test
    void aWiderScopeBesideANarrowOneMakesTheGrantUnrestricted() {
        SmartScopes scopes = SmartScopes.of(Set.of("patient/Observation.rs", "user/Observation.rs"), "p1", FHIR_TYPES, SERVED);
        assertThat(scopes.grant("Observation", SmartAction.SEARCH).unrestricted()).isTrue();
        assertThat(scopes.grant("Observation", SmartAction.SEARCH).compartmentOnly()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"patient/Observation.sr", "user/Patient.rr", "user/Patient.x", "user/Patient.", "user/.rs",
            "user/Patient.read?category=x", "user/Observation.rs?code=1234-5", "user/Patient.rs?category=x",
            "user/Observation.rs?category=", "*.*", "Patient.read", "patient/Observation.rs?category=a&category=b"})
    void aMalformedOrUnenforceableScopeIsRefusedByName(String scope) {
        assertThatThrownBy(() -> SmartScopes.of(Set.of(scope), "p1", FHIR_TYPES, SERVED))
                .isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("'" + scope + "'");
    }

    @Test
    void unknownAndUnservedTypesAreRefusedWithTheirReason() {
        assertThatThrownBy(() -> SmartScopes.of(Set.of("user/Foo.rs"), null, FHIR_TYPES, SERVED))
                .hasMessageContaining("'user/Foo.rs'").hasMessageContaining("not a FHIR resource type");
        assertThatThrownBy(() -> SmartScopes.of(Set.of("user/Task.rs"), null, FHIR_TYPES, SERVED))
                .hasMessageContaining("'user/Task.rs'").hasMessageContaining("does not serve Task");
    }

    @Test
    void aPatientScopeWithoutALaunchPatientIsRefused() {
        assertThatThrownBy(() -> SmartScopes.of(Set.of("patient/*.rs"), null, FHIR_TYPES, SERVED))
                .hasMessageContaining("'patient/*.rs'").hasMessageContaining("no patient claim");
    }

    @Test
    void categoryTokensMayNameTheirSystem() {
        SmartScope scope = SmartScope.parse("patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs",
                FHIR_TYPES, SERVED);
        assertThat(scope.category().matches("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs")).isTrue();
        assertThat(scope.category().matches("urn:other", "vital-signs")).isFalse();
        assertThat(SmartScope.parse("patient/Observation.rs?category=vital-signs", FHIR_TYPES, SERVED).category()
                .matches("urn:any", "vital-signs")).isTrue();
    }

    private static boolean exactSearch(String tokenScopes, String type) {
        return SmartScopes.of(Set.of(tokenScopes.split(" ")), "p1", FHIR_TYPES, SERVED).grant(type, SmartAction.SEARCH).exact();
    }

    @Test
    void aSearchIsNarrowedExactlyWhenItsScopesAreOneSetOfParameters() {
        assertThat(exactSearch("patient/*.rs", "Observation")).isTrue();
        assertThat(exactSearch("patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs", "Observation"))
                .as("the patient's laboratory or vital signs: patient= and category=laboratory,vital-signs").isTrue();
        assertThat(exactSearch("patient/Observation.rs user/Observation.rs", "Observation")).as("unrestricted").isTrue();
        assertThat(exactSearch("patient/Observation.rs?category=laboratory user/Observation.rs?category=laboratory", "Observation"))
                .as("anyone's laboratory results: category=laboratory").isTrue();
        assertThat(exactSearch("patient/Observation.rs user/Observation.rs?category=laboratory", "Observation"))
                .as("the patient's records, or anyone's laboratory results").isFalse();
        assertThat(exactSearch("patient/Observation.rs?category=laboratory user/Observation.rs?category=vital-signs", "Observation"))
                .isFalse();
        assertThat(exactSearch("user/Patient.rs", "Observation")).as("nothing to count: refused anyway").isTrue();
    }

    @Test
    void theFhirUserScopeAndClaimNameTheOneResourceTheUserIs() {
        SmartScopes patientOnly = SmartScopes.of(Set.of("patient/*.rs", "fhirUser"), "p1", FHIR_TYPES, SERVED);
        assertThat(patientOnly.withFhirUser(Set.of("patient/*.rs", "fhirUser"), "Practitioner/demo-1").isFhirUser("Practitioner", "demo-1"))
                .isTrue();
        assertThat(patientOnly.withFhirUser(Set.of("patient/*.rs", "fhirUser"), "https://fhir.example.ml/fhir/Practitioner/demo-1")
                .isFhirUser("Practitioner", "demo-1")).isTrue();
        assertThat(patientOnly.withFhirUser(Set.of("patient/*.rs", "fhirUser"), "Practitioner/demo-1").isFhirUser("Practitioner", "demo-2"))
                .isFalse();
        assertThat(patientOnly.withFhirUser(Set.of("patient/*.rs"), "Practitioner/demo-1").isFhirUser("Practitioner", "demo-1"))
                .as("the claim without the scope").isFalse();
        assertThat(patientOnly.withFhirUser(Set.of("patient/*.rs", "fhirUser"), null).isFhirUser("Practitioner", "demo-1")).isFalse();
    }
}
