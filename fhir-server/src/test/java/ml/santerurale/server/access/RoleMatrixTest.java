package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import ml.santerurale.server.fhir.ServedResourceTypes;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The role × interaction × resource-type matrix, generated and run against the server. The
 * expected matrix is written out here from the table, independently of the policy file,
 * so a wrong policy file fails this test. A patch (JSON Patch or FHIRPath Patch) needs the
 * update permission. Allowed interactions run on real records of the caller's site.
 */
class RoleMatrixTest extends ServerIntegrationTest {

    private static final Set<String> CLINICAL = Set.of("Patient", "Encounter", "Observation", "Condition",
            "MedicationRequest", "Procedure", "ServiceRequest", "DocumentReference", "Binary", "Consent", "Provenance");
    private static final Set<String> REFERENCE = Set.of("Organization", "Location", "Practitioner", "PractitionerRole");
    private static final Set<String> CONFORMANCE = Set.of("StructureDefinition", "CodeSystem", "ValueSet");
    /** Aggregate reports: written by the server's DHIS2 export alone (reporting/). */
    private static final Set<String> REPORTING = Set.of("Measure", "MeasureReport");
    /** A resource of the guide per conformance type (they are fixed: served from the package, never written). */
    private static final Map<String, String> GUIDE_RESOURCE = Map.of(
            "StructureDefinition", "srm-patient", "CodeSystem", "mali-essential-medicines", "ValueSet", "cscom-conditions");

    /** The table: role -> kind -> allowed interactions. */
    private static final Map<String, Map<String, Set<String>>> EXPECTED = Map.of(
            "soignant", Map.of("clinical", Set.of("read", "search", "history", "create", "update"),
                    "reference", Set.of("read", "search", "history"),
                    "conformance", Set.of("read", "search")),
            "major", Map.of("clinical", Set.of("read", "search", "history", "create", "update", "delete"),
                    "reference", Set.of("read", "search", "history"),
                    "audit", Set.of("read", "search"),
                    "conformance", Set.of("read", "search"),
                    "reporting", Set.of("read", "search")),
            "medecin", Map.of("clinical", Set.of("read", "search", "history", "create", "update", "delete"),
                    "reference", Set.of("read", "search", "history"),
                    "conformance", Set.of("read", "search"),
                    "reporting", Set.of("read", "search")),
            "admin", Map.of("reference", Set.of("read", "search", "history", "create", "update", "delete"),
                    "audit", Set.of("read", "search"),
                    "conformance", Set.of("read", "search"),
                    "reporting", Set.of("read", "search")));

    static Stream<Arguments> matrix() {
        List<Arguments> cases = new ArrayList<>();
        for (String role : EXPECTED.keySet()) {
            for (String type : ServedResourceTypes.ALL) {
                String kind = CLINICAL.contains(type) ? "clinical" : REFERENCE.contains(type) ? "reference"
                        : CONFORMANCE.contains(type) ? "conformance" : REPORTING.contains(type) ? "reporting" : "audit";
                for (String interaction : List.of("read", "search", "history", "create", "update", "json-patch",
                        "fhirpath-patch", "delete")) {
                    boolean allowed = EXPECTED.get(role).getOrDefault(kind, Set.of()).contains(permissionOf(interaction));
                    cases.add(Arguments.of(role, type, interaction, allowed));
                }
            }
        }
        return cases.stream();
    }

    @org.junit.jupiter.api.Test
    void markingEnteredInErrorNeedsTheDeletePermission() {
        String soignant = TestTokens.get().user("soignant.eie", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
        String major = TestTokens.get().user("major.eie", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
        Patient patient = ml.santerurale.server.support.Conforming.patient("Erreur", "Saisie");
        String patientId = UUID.randomUUID().toString();
        patient.setId(patientId);
        assertThat(as(soignant, () -> putJson("/Patient/" + patientId, json(patient))).statusCode()).isEqualTo(201);
        String id = UUID.randomUUID().toString();
        Encounter encounter = ml.santerurale.server.support.Conforming.encounter("Patient/" + patientId, "Organization/" + SITE);
        encounter.setId(id);
        assertThat(as(soignant, () -> putJson("/Encounter/" + id, json(encounter))).statusCode()).isEqualTo(201);
        encounter.setStatus(Encounter.EncounterStatus.ENTEREDINERROR);
        HttpResponse<String> refused = as(soignant, () -> putJson("/Encounter/" + id, json(encounter)));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(refused.body()).contains("may not delete Encounter");
        HttpResponse<String> byMajor = as(major, () -> putJson("/Encounter/" + id, json(encounter)));
        assertThat(byMajor.statusCode()).as(byMajor.body()).isEqualTo(200);
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
        String token = tokenOf(role);
        if (allowed) {
            performAllowed(token, role, type, interaction);
            return;
        }
        String id = UUID.randomUUID().toString();
        String body = "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\""
                + (type.equals("Binary") ? ",\"contentType\":\"text/plain\"" : "") + "}";
        HttpResponse<String> response = as(token, () -> switch (interaction) {
            case "read" -> get("/" + type + "/" + id);
            case "search" -> get("/" + type + "?_count=1");
            case "history" -> get("/" + type + "/_history?_count=1");
            case "create" -> postJson("/" + type, body.replace(",\"id\":\"" + id + "\"", ""));
            case "update" -> putJson("/" + type + "/" + id, body);
            case "json-patch", "fhirpath-patch" -> patch(interaction, type, id, "fr");
            case "delete" -> send(request("/" + type + "/" + id).DELETE());
            default -> throw new IllegalArgumentException(interaction);
        });
        if (CONFORMANCE.contains(type) && response.statusCode() == 400) {
            // The guide is served without any write or history interaction: HAPI knows none to run.
            assertThat(response.body()).contains("does not know how to handle");
            return;
        }
        assertThat(response.statusCode()).as(response.body()).isEqualTo(403);
        assertThat(response.body()).contains("\"code\":\"forbidden\"").contains("may not " + permissionOf(interaction));
    }

    // ---------------------------------------------------------------- allowed cases, on real records

    private static final String SITE = "cscom-konobougou";

    /** Records made once per writer and type (see {@link #recordFor}), reused by the rows that leave them in place. */
    private static final Map<String, Resource> RECORDS = new HashMap<>();

    /**
     * A stored Measure, or a MeasureReport stored by an export run (Konobougou, January 2024:
     * the fake DHIS2 knows no org unit of this test, so the delivery ends as a warning).
     */
    private synchronized String reportOf(String type) {
        if (type.equals("Measure")) {
            return "rma-monthly";
        }
        String id = "rma-monthly-cscom-konobougou-202401";
        if (as(TestTokens.get().admin(), () -> get("/MeasureReport/" + id)).statusCode() != 200) {
            HttpResponse<String> export = as(TestTokens.get().admin(), () -> postJson("/$dhis2-export",
                    "{\"resourceType\":\"Parameters\",\"parameter\":[{\"name\":\"period\",\"valueString\":\"202401\"},"
                            + "{\"name\":\"site\",\"valueString\":\"cscom-konobougou\"}]}"));
            assertThat(export.statusCode()).as(export.body()).isEqualTo(200);
        }
        return id;
    }

    private static String tokenOf(String role) {
        return TestTokens.get().user(role + ".matrix", Set.of(role), role.equals("admin") ? Set.of() : Set.of("CSCOM-KONOBOUGOU"));
    }

    /**
     * An allowed interaction is run on a record of that type at the caller's site (or shared
     * reference data), so a role let through but then blocked, or blind to its own site, fails:
     * a read returns that record, a search finds it, a history holds it, a write makes a new
     * version that reads back, a delete leaves a 410.
     */
    private void performAllowed(String token, String role, String type, String interaction) {
        if (CONFORMANCE.contains(type)) {
            String id = GUIDE_RESOURCE.get(type);
            HttpResponse<String> answer = as(token, () -> interaction.equals("read") ? get("/" + type + "/" + id)
                    : get("/" + type + "?url=https://sante-rurale.ml/fhir/" + type + "/" + id));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(interaction.equals("read") ? List.of(resource(answer.body()).getIdElement().getIdPart()) : ids(answer))
                    .containsExactly(id);
            return;
        }
        if (REPORTING.contains(type)) {
            String id = reportOf(type);
            HttpResponse<String> answer = as(token, () -> interaction.equals("read") ? get("/" + type + "/" + id)
                    : get("/" + type + "?_id=" + id));
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(interaction.equals("read") ? List.of(resource(answer.body()).getIdElement().getIdPart()) : ids(answer))
                    .containsExactly(id);
            return;
        }
        switch (interaction) {
            case "read" -> {
                String id = recordFor(role, type).getIdElement().getIdPart();
                HttpResponse<String> read = as(token, () -> get("/" + type + "/" + id));
                assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                assertThat(resource(read.body()).getIdElement().getIdPart()).isEqualTo(id);
            }
            case "search" -> {
                String id = recordFor(role, type).getIdElement().getIdPart();
                assertThat(ids(as(token, () -> get("/" + type + "?_id=" + id)))).containsExactly(id);
            }
            case "history" -> {
                String id = recordFor(role, type).getIdElement().getIdPart();
                assertThat(ids(as(token, () -> get("/" + type + "/" + id + "/_history")))).isNotEmpty().containsOnly(id);
                HttpResponse<String> typeHistory = as(token, () -> get("/" + type + "/_history?_count=1"));
                assertThat(typeHistory.statusCode()).as(typeHistory.body()).isEqualTo(200);
            }
            case "create" -> {
                Resource fresh = fresh(role, type);
                fresh.setId((String) null);
                HttpResponse<String> created = as(token, () -> postJson("/" + type, json(fresh)));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                String id = created.headers().firstValue("Location").orElseThrow()
                        .replaceAll(".*/" + type + "/([^/]+)/_history/.*", "$1");
                HttpResponse<String> read = as(token, () -> get("/" + type + "/" + id));
                assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
                assertThat(resource(read.body()).getIdElement().getIdPart()).isEqualTo(id);
            }
            case "update", "json-patch", "fhirpath-patch" -> {
                String id = recordFor(role, type).getIdElement().getIdPart();
                HttpResponse<String> before = as(token, () -> get("/" + type + "/" + id));
                assertThat(before.statusCode()).as(before.body()).isEqualTo(200);
                Resource current = resource(before.body());
                int version = Integer.parseInt(current.getMeta().getVersionId());
                String language = "fr".equals(current.getLanguage()) ? "en" : "fr";
                HttpResponse<String> changed = as(token, () -> {
                    if (!interaction.equals("update")) {
                        return patch(interaction, type, id, language);
                    }
                    current.setLanguage(language);
                    return putJson("/" + type + "/" + id, json(current));
                });
                assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
                Resource stored = resource(as(token, () -> get("/" + type + "/" + id)).body());
                assertThat(stored.getLanguage()).isEqualTo(language);
                assertThat(stored.getMeta().getVersionId()).as("a new version").isEqualTo(String.valueOf(version + 1));
            }
            case "delete" -> {
                String id = create(writerOf(role, type), fresh(role, type)).getIdElement().getIdPart();
                HttpResponse<String> deleted = as(token, () -> send(request("/" + type + "/" + id).DELETE()));
                assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
                HttpResponse<String> gone = as(token, () -> get("/" + type + "/" + id));
                assertThat(gone.statusCode()).as(gone.body()).isEqualTo(410);
            }
            default -> throw new IllegalArgumentException(interaction);
        }
    }

    /** The permission of the policy an interaction of the matrix needs: a patch is an update. */
    private static String permissionOf(String interaction) {
        return interaction.endsWith("patch") ? "update" : interaction;
    }

    private HttpResponse<String> patch(String format, String type, String id, String language) {
        if (format.equals("json-patch")) {
            return send(request("/" + type + "/" + id).header("Content-Type", "application/json-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString(
                            "[{\"op\":\"add\",\"path\":\"/language\",\"value\":\"" + language + "\"}]")));
        }
        Parameters patch = new Parameters();
        Parameters.ParametersParameterComponent operation = patch.addParameter().setName("operation");
        operation.addPart().setName("type").setValue(new CodeType("replace"));
        operation.addPart().setName("path").setValue(new StringType(type + ".language"));
        operation.addPart().setName("value").setValue(new CodeType(language));
        return send(request("/" + type + "/" + id).header("Content-Type", "application/fhir+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json(patch))));
    }

    private Resource resource(String body) {
        return (Resource) fhirContext.newJsonParser().parseResource(body);
    }

    private List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    /**
     * Who writes the records {@code role} is tested on: the role itself for clinical data (every
     * role that may touch it may create it), the administrator for reference data. Audit events
     * are written by the server only.
     */
    private static String writerOf(String role, String type) {
        return CLINICAL.contains(type) ? role : "admin";
    }

    /**
     * The record of {@code type} the rows of {@code role} read, search, update and patch: made
     * once per writer, at Konobougou (reference data: shared), with a language the updates
     * toggle. Deletes and creates use fresh records instead.
     */
    private Resource recordFor(String role, String type) {
        String key = writerOf(role, type) + " " + type;
        synchronized (RECORDS) {
            Resource record = RECORDS.get(key);
            if (record == null) {
                record = type.equals("AuditEvent") ? auditEventAtKonobougou() : create(writerOf(role, type), fresh(role, type));
                RECORDS.put(key, record);
            }
            return record;
        }
    }

    private Resource create(String writer, Resource resource) {
        resource.setLanguage("fr");
        String path = "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart();
        HttpResponse<String> created = as(tokenOf(writer), () -> putJson(path, json(resource)));
        assertThat(created.statusCode()).as("%s written by %s: %s", path, writer, created.body()).isEqualTo(201);
        return resource;
    }

    /** A new, unsaved record of {@code type} (profile-shaped), referring to the writer's own records. */
    private Resource fresh(String role, String type) {
        return switch (type) {
            case "Patient" -> ClinicalRecords.patient("Matrice", "Awa", SITE);
            case "Encounter" -> ClinicalRecords.encounter(patientOf(role), SITE);
            case "Observation" -> ClinicalRecords.temperature(patientOf(role), encounterOf(role));
            case "Condition" -> ClinicalRecords.malaria(patientOf(role), encounterOf(role));
            case "MedicationRequest" -> ClinicalRecords.artemetherLumefantrine(patientOf(role), encounterOf(role));
            case "Procedure" -> ClinicalRecords.rapidMalariaTest(patientOf(role), encounterOf(role));
            // Performed by its own site: no referral grant reaches another site's feed.
            case "ServiceRequest" -> ClinicalRecords.referral(patientOf(role), SITE);
            case "DocumentReference" -> ClinicalRecords.scannedForm(patientOf(role));
            case "Binary" -> ClinicalRecords.prescriptionText();
            case "Consent" -> ClinicalRecords.privacyConsent(patientOf(role));
            case "Provenance" -> ClinicalRecords.syncProvenance(patientOf(role), role + ".matrix", "tablette-matrice");
            case "Organization" -> ClinicalRecords.cscom("CSCOM de la matrice");
            case "Location" -> ClinicalRecords.siteLocation("Salle de la matrice", SITE);
            case "Practitioner" -> ClinicalRecords.nurse("Matrice", "Fanta");
            case "PractitionerRole" -> ClinicalRecords.workingAt((Practitioner) recordFor(role, "Practitioner"), SITE);
            default -> throw new IllegalArgumentException("no record of " + type + " is written by a client");
        };
    }

    private Patient patientOf(String role) {
        return (Patient) recordFor(role, "Patient");
    }

    private Encounter encounterOf(String role) {
        return (Encounter) recordFor(role, "Encounter");
    }

    @Autowired
    ml.santerurale.server.audit.AuditOutboxDrainer drainer;

    /** The event the server stored for the creation of a patient at Konobougou (audit scope of a major there). */
    private AuditEvent auditEventAtKonobougou() {
        String patient = "Patient/" + patientOf("major").getIdElement().getIdPart();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            drainer.drainAll();
            Bundle found = parse(Bundle.class, as(tokenOf("admin"),
                    () -> get("/AuditEvent?entity-name=" + patient + "&subtype=create")).body());
            if (!found.getEntry().isEmpty()) {
                return (AuditEvent) found.getEntryFirstRep().getResource();
            }
            assertThat(System.nanoTime()).as("the create event of %s stored", patient).isLessThan(deadline);
        }
    }
}
