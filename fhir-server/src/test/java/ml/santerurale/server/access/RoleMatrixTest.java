package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import ml.santerurale.server.fhir.ServedResourceTypes;
import ml.santerurale.server.support.Conforming;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The role × interaction × resource-type matrix, generated and run against the server. The
 * expected matrix is written out here from the table, independently of the policy file,
 * so a wrong policy file fails this test.
 */
class RoleMatrixTest extends ServerIntegrationTest {

    private static final Set<String> CLINICAL = Set.of("Patient", "Encounter", "Observation", "Condition",
            "MedicationRequest", "Procedure", "ServiceRequest", "DocumentReference", "Binary", "Consent", "Provenance");
    private static final Set<String> REFERENCE = Set.of("Organization", "Location", "Practitioner", "PractitionerRole");
    private static final Set<String> CONFORMANCE = Set.of("StructureDefinition", "CodeSystem", "ValueSet");

    /** The table: role -> kind -> allowed interactions. */
    private static final Map<String, Map<String, Set<String>>> EXPECTED = Map.of(
            "soignant", Map.of("clinical", Set.of("read", "search", "history", "create", "update"),
                    "reference", Set.of("read", "search", "history"),
                    "conformance", Set.of("read", "search")),
            "major", Map.of("clinical", Set.of("read", "search", "history", "create", "update", "delete"),
                    "reference", Set.of("read", "search", "history"),
                    "audit", Set.of("read", "search"),
                    "conformance", Set.of("read", "search")),
            "medecin", Map.of("clinical", Set.of("read", "search", "history", "create", "update", "delete"),
                    "reference", Set.of("read", "search", "history"),
                    "conformance", Set.of("read", "search")),
            "admin", Map.of("reference", Set.of("read", "search", "history", "create", "update", "delete"),
                    "audit", Set.of("read", "search"),
                    "conformance", Set.of("read", "search")));

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String role : EXPECTED.keySet()) {
            for (String type : ServedResourceTypes.ALL) {
                String kind = CLINICAL.contains(type) ? "clinical" : REFERENCE.contains(type) ? "reference"
                        : CONFORMANCE.contains(type) ? "conformance" : "audit";
                for (String interaction : List.of("read", "search", "history", "create", "update", "delete")) {
                    boolean allowed = EXPECTED.get(role).getOrDefault(kind, Set.of()).contains(interaction);
                    cases.add(Arguments.of(role, type, interaction, allowed));
                }
            }
        }
        return cases.stream();
    }

    @org.junit.jupiter.api.Test
    void markingEnteredInErrorNeedsTheDeletePermission() {
        String id = UUID.randomUUID().toString();
        Encounter conforming = Conforming.encounter(sharedPatient(), "Organization/cscom-konobougou");
        conforming.setId(id);
        conforming.setStatus(null);
        String encounter = json(conforming).replace("{\"resourceType\":\"Encounter\",", "{\"resourceType\":\"Encounter\",\"status\":\"%s\",");
        String soignant = TestTokens.get().user("soignant.eie", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        String major = TestTokens.get().user("major.eie", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
        assertThat(as(soignant, () -> putJson("/Encounter/" + id, encounter.formatted("finished"))).statusCode()).isEqualTo(201);
        HttpResponse<String> refused = as(soignant, () -> putJson("/Encounter/" + id, encounter.formatted("entered-in-error")));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("may not delete Encounter");
        assertThat(as(major, () -> putJson("/Encounter/" + id, encounter.formatted("entered-in-error"))).statusCode()).isEqualTo(200);
    }

    @org.junit.jupiter.api.Test
    void theMatrixHoldsForEveryEntryOfATransaction() {
        String soignant = TestTokens.get().user("soignant.matrix.tx", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        String admin = TestTokens.get().admin();
        String patient = "{\"resourceType\":\"Patient\",\"id\":\"%s\"}";
        String id = UUID.randomUUID().toString();
        String deleteByCare = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"resource\":" + patient.formatted(id) + ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/" + id + "\"}},"
                + "{\"request\":{\"method\":\"DELETE\",\"url\":\"Encounter/" + UUID.randomUUID() + "\"}}]}";
        assertForbidden(as(soignant, () -> postJson("", deleteByCare)), "Bundle.entry[1]: your role (soignant) may not delete Encounter");
        assertThat(as(soignant, () -> get("/Patient/" + id)).statusCode()).as("nothing of the Bundle written").isEqualTo(404);

        String patientByAdmin = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"resource\":" + patient.formatted(id) + ",\"request\":{\"method\":\"PUT\",\"url\":\"Patient/" + id + "\"}}]}";
        assertForbidden(as(admin, () -> postJson("", patientByAdmin)), "Bundle.entry[0]: your role (admin) may not update Patient");

        String auditByMajor = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
                + "{\"resource\":{\"resourceType\":\"AuditEvent\",\"id\":\"" + id + "\"},"
                + "\"request\":{\"method\":\"PUT\",\"url\":\"AuditEvent/" + id + "\"}}]}";
        String major = TestTokens.get().user("major.matrix.tx", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
        assertForbidden(as(major, () -> postJson("", auditByMajor)), "Bundle.entry[0]: your role (major) may not update AuditEvent");
    }

    @org.junit.jupiter.api.Test
    void operationsThatAreNotEnabledAreRefused() {
        String medecin = TestTokens.get().medecin("CSCOM-KONOBOUGOU");
        assertForbidden(as(medecin, () -> get("/Patient/" + UUID.randomUUID() + "/$everything")),
                "The operation $everything is not available here");
        // Operations the server does not register at all are unknown to it.
        ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome(fhirContext,
                as(medecin, () -> postJson("/$reindex", "{\"resourceType\":\"Parameters\"}")), 400, "not-supported",
                "does not know how to handle POST operation[$reindex]");
    }

    private void assertForbidden(HttpResponse<String> response, String diagnostics) {
        ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome(fhirContext, response, 403, "forbidden", diagnostics);
    }

    @ParameterizedTest(name = "{0} {2} {1}: allowed={3}")
    @MethodSource("matrix")
    void appliesTheRoleMatrix(String role, String type, String interaction, boolean allowed) {
        String token = TestTokens.get().user(role + ".matrix", Set.of(role),
                role.equals("admin") ? Set.of() : Set.of("CSCOM-KONOBOUGOU"));
        String id = UUID.randomUUID().toString();
        String body = allowed && (interaction.equals("create") || interaction.equals("update"))
                ? conformingBody(type, id)
                : "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\""
                        + (type.equals("Binary") ? ",\"contentType\":\"text/plain\"" : "") + "}";
        HttpResponse<String> response = as(token, () -> switch (interaction) {
            case "read" -> get("/" + type + "/" + id);
            case "search" -> get("/" + type + "?_count=1");
            case "history" -> get("/" + type + "/_history?_count=1");
            case "create" -> postJson("/" + type, body.replace(",\"id\":\"" + id + "\"", ""));
            case "update" -> putJson("/" + type + "/" + id, body);
            case "delete" -> send(request("/" + type + "/" + id).DELETE());
            default -> throw new IllegalArgumentException(interaction);
        });
        if (allowed) {
            int expected = switch (interaction) {
                case "read" -> 404;
                case "search", "history", "delete" -> 200;
                default -> 201;
            };
            assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        } else if (CONFORMANCE.contains(type) && response.statusCode() == 400) {
            // The guide is served without any write or history interaction: HAPI knows none to run.
            assertThat(response.body()).contains("does not know how to handle");
        } else {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
            assertThat(response.body()).contains("\"code\":\"forbidden\"").contains("may not " + interaction);
        }
    }

    private static volatile String sharedPatient;
    private static volatile String sharedEncounter;

    /** A patient and a consultation at Konobougou that conforming test records refer to. */
    private String sharedPatient() {
        if (sharedPatient == null) {
            synchronized (RoleMatrixTest.class) {
                if (sharedPatient == null) {
                    String medecin = TestTokens.get().medecin("CSCOM-KONOBOUGOU");
                    Patient patient = Conforming.patient("Matrice", "Awa");
                    patient.setId(UUID.randomUUID().toString());
                    assertThat(as(medecin, () -> putJson("/Patient/" + patient.getIdPart(), json(patient))).statusCode()).isEqualTo(201);
                    Encounter encounter = Conforming.encounter("Patient/" + patient.getIdPart(), "Organization/cscom-konobougou");
                    encounter.setId(UUID.randomUUID().toString());
                    assertThat(as(medecin, () -> putJson("/Encounter/" + encounter.getIdPart(), json(encounter))).statusCode()).isEqualTo(201);
                    sharedEncounter = "Encounter/" + encounter.getIdPart();
                    sharedPatient = "Patient/" + patient.getIdPart();
                }
            }
        }
        return sharedPatient;
    }

    /** A record of this type that the implementation guide accepts. */
    private String conformingBody(String type, String id) {
        String patient = sharedPatient();
        org.hl7.fhir.r4.model.Resource resource = switch (type) {
            case "Patient" -> Conforming.patient("Matrice", "Fanta");
            case "Encounter" -> Conforming.encounter(patient, "Organization/cscom-konobougou");
            case "Observation" -> Conforming.temperature(patient, 37.2);
            case "Condition" -> Conforming.condition(patient, sharedEncounter, "A09", "Diarrhée");
            case "MedicationRequest" -> Conforming.artemetherLumefantrine(patient, sharedEncounter);
            case "Procedure" -> Conforming.rapidMalariaTest(patient, sharedEncounter);
            case "ServiceRequest" -> Conforming.referral(patient, "Organization/cscom-konobougou",
                    org.hl7.fhir.r4.model.ServiceRequest.ServiceRequestStatus.DRAFT);
            case "DocumentReference" -> Conforming.pdf(patient);
            case "Provenance" -> Conforming.syncProvenance(patient, "matrix", "tablette-matrice", UUID.randomUUID().toString());
            case "Organization" -> Conforming.site("CSCOM-MATRIX-" + id, "CSCOM de test");
            case "Location" -> Conforming.siteLocation("CSCOM-MATRIX-" + id, "Salle de test", "Organization/cscom-konobougou");
            default -> null;
        };
        if (resource == null) {
            return "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\""
                    + (type.equals("Binary") ? ",\"contentType\":\"text/plain\"" : "") + "}";
        }
        resource.setId(id);
        return json(resource);
    }
}
