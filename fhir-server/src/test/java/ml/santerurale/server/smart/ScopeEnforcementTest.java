package ml.santerurale.server.smart;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.audit.AuditOutboxDrainer;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * SMART scopes against the running server, with tokens shaped like Keycloak's: a scope only ever
 * narrows what the role and the sites allow, {@code patient/} keeps to the launch patient (a
 * record outside answers as missing), and a scope that cannot be honoured is a 401 naming it.
 */
class ScopeEnforcementTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "CSCOM-KONOBOUGOU";

    @Autowired
    AuditOutboxDrainer drainer;

    private Patient awa;
    private Patient binta;
    private Observation awasTemperature;
    private Observation bintasTemperature;

    @BeforeEach
    void twoPatientsOfOneSite() {
        awa = ClinicalRecords.patient("Diarra", "Awa", "cscom-konobougou");
        binta = ClinicalRecords.patient("Keita", "Binta", "cscom-konobougou");
        Encounter awasVisit = ClinicalRecords.encounter(awa, "cscom-konobougou");
        Encounter bintasVisit = ClinicalRecords.encounter(binta, "cscom-konobougou");
        awasTemperature = ClinicalRecords.temperature(awa, awasVisit);
        bintasTemperature = ClinicalRecords.temperature(binta, bintasVisit);
        for (Resource r : List.of(awa, binta, awasVisit, bintasVisit, awasTemperature, bintasTemperature)) {
            HttpResponse<String> put = putJson("/" + r.fhirType() + "/" + r.getIdPart(), json(r));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
        }
    }

    private static String token(String role, String scope, String patient) {
        var claims = TestTokens.get().claims(role + ".smart", Set.of(role), Set.of(KONOBOUGOU)).claim("azp", "smart-demo-app")
                .claim("scope", scope);
        if (patient != null) {
            claims.claim("patient", patient);
        }
        return TestTokens.get().sign(claims.build());
    }

    private List<String> ids(HttpResponse<String> searchResponse) {
        assertThat(searchResponse.statusCode()).as(searchResponse.body()).isEqualTo(200);
        return parse(Bundle.class, searchResponse.body()).getEntry().stream()
                .map(e -> e.getResource().fhirType() + "/" + e.getResource().getIdElement().getIdPart()).toList();
    }

    @Test
    void aTokenWithoutSmartScopesKeepsTodaysAccess() {
        String pwa = token("soignant", "openid profile email offline_access", null);
        assertThat(as(pwa, () -> get("/Patient/" + awa.getIdPart())).statusCode()).isEqualTo(200);
        assertThat(as(pwa, () -> get("/Observation/" + bintasTemperature.getIdPart())).statusCode()).isEqualTo(200);
        assertThat(as(pwa, () -> postJson("/Observation", json(awasTemperature.copy().setId((String) null)))).statusCode())
                .isEqualTo(201);
    }

    @Test
    void aPatientScopeReadsTheLaunchPatientsRecordsAndNoOneElses() {
        String app = token("soignant", "openid launch/patient patient/*.rs", awa.getIdPart());
        assertThat(as(app, () -> get("/Patient/" + awa.getIdPart())).statusCode()).isEqualTo(200);
        assertThat(as(app, () -> get("/Observation/" + awasTemperature.getIdPart())).statusCode()).isEqualTo(200);

        HttpResponse<String> otherPatient = as(app, () -> get("/Patient/" + binta.getIdPart()));
        String missingId = UUID.randomUUID().toString();
        HttpResponse<String> missing = as(app, () -> get("/Patient/" + missingId));
        assertThat(otherPatient.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
        assertThat(otherPatient.body().replace(binta.getIdPart(), "X")).isEqualTo(missing.body().replace(missingId, "X"));
        assertThat(as(app, () -> get("/Observation/" + bintasTemperature.getIdPart())).statusCode()).isEqualTo(404);

        assertThat(ids(as(app, () -> get("/Patient?_count=500")))).containsExactly("Patient/" + awa.getIdPart());
        List<String> observations = ids(as(app, () -> get("/Observation?_count=500")));
        assertThat(observations).contains("Observation/" + awasTemperature.getIdPart())
                .doesNotContain("Observation/" + bintasTemperature.getIdPart());
        assertThat(ids(as(app, () -> get("/Observation?patient=" + binta.getIdPart())))).isEmpty();
        assertThat(ids(as(app, () -> get("/Observation?_summary=count")))).isEmpty();
    }

    @Test
    void aPatientScopeNarrowsTheSearchesOfABatchToo() {
        String app = token("medecin", "launch/patient patient/*.rs", awa.getIdPart());
        String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
                + "{\"request\":{\"method\":\"GET\",\"url\":\"Observation?_count=500\"}},"
                + "{\"request\":{\"method\":\"GET\",\"url\":\"Patient/" + binta.getIdPart() + "\"}}]}";
        HttpResponse<String> response = as(app, () -> postJson("", batch));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle answer = parse(Bundle.class, response.body());
        Bundle observations = (Bundle) answer.getEntry().get(0).getResource();
        assertThat(observations.getEntry()).isNotEmpty().allSatisfy(e ->
                assertThat(((Observation) e.getResource()).getSubject().getReference()).isEqualTo("Patient/" + awa.getIdPart()));
        assertThat(answer.getEntry().get(1).getResponse().getStatus()).startsWith("404");
    }

    @Test
    void readScopesRefuseWritesAndWriteScopesKeepToTheCompartment() {
        String reader = token("medecin", "launch/patient patient/*.rs", awa.getIdPart());
        Observation another = awasTemperature.copy();
        another.setId((String) null);
        assertOutcome(fhirContext, as(reader, () -> postJson("/Observation", json(another))), 403, "forbidden",
                "no scope of this token permits 'c' (create) on Observation");

        String writer = token("medecin", "launch/patient patient/Observation.cruds", awa.getIdPart());
        assertThat(as(writer, () -> postJson("/Observation", json(another))).statusCode()).isEqualTo(201);
        Observation forBinta = bintasTemperature.copy();
        forBinta.setId((String) null);
        assertOutcome(fhirContext, as(writer, () -> postJson("/Observation", json(forBinta))), 403, "forbidden",
                "only within patient " + awa.getIdPart() + "'s compartment");
    }

    /** A new record like this one (no id), with this identifier. */
    private static Observation newCopy(Observation like, String identifier) {
        Observation copy = like.copy();
        copy.setId((String) null);
        copy.addIdentifier().setSystem("urn:ietf:rfc:3986").setValue(identifier);
        return copy;
    }

    @Test
    void aConditionalCreateMatchesOnlyWithinTheLaunchPatientsCompartment() {
        String identifier = "urn:uuid:" + UUID.randomUUID();
        Observation bintas = newCopy(bintasTemperature, identifier);
        assertThat(postJson("/Observation", json(bintas)).statusCode()).isEqualTo(201);

        String writer = token("medecin", "launch/patient patient/Observation.crs", awa.getIdPart());
        Observation awas = newCopy(awasTemperature, identifier);
        String ifNoneExist = "identifier=urn:ietf:rfc:3986|" + identifier;
        HttpResponse<String> created = as(writer, () -> send(request("/Observation").header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", ifNoneExist).POST(java.net.http.HttpRequest.BodyPublishers.ofString(json(awas)))));
        assertThat(created.statusCode()).as("Binta's record is not a match: %s", created.body()).isEqualTo(201);
        assertThat(parse(Observation.class, created.body()).getSubject().getReference()).isEqualTo("Patient/" + awa.getIdPart());

        String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"resource\":" + json(awas) + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\","
                + "\"ifNoneExist\":\"" + ifNoneExist + "\"}}]}";
        HttpResponse<String> again = as(writer, () -> postJson("", transaction));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, again.body()).getEntryFirstRep().getResponse().getStatus())
                .as("the match is Awa's own record now, not Binta's").startsWith("200");
        assertThat(parse(Bundle.class, again.body()).getEntryFirstRep().getResponse().getLocation())
                .contains(created.headers().firstValue("Location").orElseThrow().replaceAll(".*/Observation/([^/]+)/.*", "$1"));
    }

    @Test
    void aConditionalUpdateOrDeleteMatchesOnlyWithinTheLaunchPatientsCompartment() {
        String identifier = "urn:uuid:" + UUID.randomUUID();
        Observation bintas = newCopy(bintasTemperature, identifier);
        HttpResponse<String> bintasCreated = postJson("/Observation", json(bintas));
        assertThat(bintasCreated.statusCode()).isEqualTo(201);
        String bintasId = parse(Observation.class, bintasCreated.body()).getIdElement().getIdPart();
        String match = "/Observation?identifier=urn:ietf:rfc:3986|" + identifier;

        String writer = token("medecin", "launch/patient patient/Observation.cruds", awa.getIdPart());
        HttpResponse<String> patched = as(writer, () -> send(request(match).header("Content-Type", "application/json-patch+json")
                .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString("[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"amended\"}]"))));
        assertOutcome(fhirContext, patched, 404, "processing", "No resources match this search");

        Observation awas = newCopy(awasTemperature, identifier);
        HttpResponse<String> updated = as(writer, () -> putJson(match, json(awas)));
        assertThat(updated.statusCode()).as("Binta's record is not a match, so this creates Awa's: %s", updated.body()).isEqualTo(201);
        String awasId = parse(Observation.class, updated.body()).getIdElement().getIdPart();
        assertThat(awasId).isNotEqualTo(bintasId);

        String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"resource\":" + json(awas) + ",\"request\":{\"method\":\"PUT\",\"url\":\"" + match.substring(1) + "\"}}]}";
        HttpResponse<String> again = as(writer, () -> postJson("", transaction));
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, again.body()).getEntryFirstRep().getResponse().getLocation())
                .as("the transaction's match is Awa's record, the one of her compartment").contains("Observation/" + awasId + "/");

        HttpResponse<String> deleted = as(writer, () -> send(request(match).DELETE()));
        assertThat(deleted.statusCode()).as(deleted.body()).isLessThan(300);
        assertThat(get("/Observation/" + awasId).statusCode()).as("Awa's match is deleted").isEqualTo(410);
        HttpResponse<String> bintasNow = get("/Observation/" + bintasId);
        assertThat(bintasNow.statusCode()).as("Binta's is neither deleted nor updated").isEqualTo(200);
        assertThat(parse(Observation.class, bintasNow.body()).getMeta().getVersionId()).isEqualTo("1");
        assertThat(parse(Observation.class, bintasNow.body()).getSubject().getReference()).isEqualTo("Patient/" + binta.getIdPart());
    }

    @Test
    void aCountIsTheLaunchPatientsOwnOrRefusedWhenTheScopesAreNotOneSearch() {
        int awasObservations = parse(Bundle.class, get("/Observation?_summary=count&patient=" + awa.getIdPart()).body()).getTotal();
        assertThat(awasObservations).isPositive();
        String patientScope = token("medecin", "launch/patient patient/*.rs", awa.getIdPart());
        HttpResponse<String> counted = as(patientScope, () -> get("/Observation?_summary=count"));
        assertThat(counted.statusCode()).as(counted.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, counted.body()).getTotal()).isEqualTo(awasObservations);
        Bundle withTotal = parse(Bundle.class, as(patientScope, () -> get("/Observation?_count=500&_total=accurate")).body());
        assertThat(withTotal.hasTotal()).isTrue();
        assertThat(withTotal.getTotal()).isEqualTo(awasObservations);

        // Awa's records, or anyone's laboratory results: no one set of search parameters.
        String mixed = token("medecin", "launch/patient patient/Observation.rs user/Observation.rs?category=laboratory", awa.getIdPart());
        for (String count : List.of("/Observation?_summary=count", "/Observation?_count=5&_total=accurate")) {
            assertOutcome(fhirContext, as(mixed, () -> get(count)), 403, "forbidden",
                    "this token's scopes on Observation (within patient " + awa.getIdPart()
                            + "'s compartment or of category laboratory) cannot be one search, so a count");
        }
        String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
                + "{\"request\":{\"method\":\"GET\",\"url\":\"Observation?_summary=count\"}}]}";
        var outcome = assertOutcome(fhirContext, as(mixed, () -> postJson("", batch)), 403, "forbidden", "Bundle.entry[0]: this token's scopes");
        assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[0].request");

        HttpResponse<String> listed = as(mixed, () -> get("/Observation?_count=500"));
        assertThat(ids(listed)).contains("Observation/" + awasTemperature.getIdPart())
                .doesNotContain("Observation/" + bintasTemperature.getIdPart());
        assertThat(parse(Bundle.class, listed.body()).hasTotal()).as("no total counted beyond the scopes").isFalse();
    }

    @Test
    void historyOfATypeOrOfTheServerNeedsAnUnrestrictedScopeAndAnInstancesHistoryIsTheLaunchPatientsOnly() {
        String app = token("medecin", "launch/patient patient/*.rs", awa.getIdPart());
        assertOutcome(fhirContext, as(app, () -> get("/Observation/_history")), 403, "forbidden",
                "history-type of Observation cannot be narrowed to this token's restrictions (patient or category);"
                        + " it needs a scope without them (scopes: patient/*.rs)");
        assertOutcome(fhirContext, as(app, () -> get("/_history")), 403, "forbidden",
                "searching or reading the history of the whole server needs an unrestricted search scope on every type");

        HttpResponse<String> own = as(app, () -> get("/Patient/" + awa.getIdPart() + "/_history"));
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, own.body()).getEntry()).isNotEmpty();
        HttpResponse<String> other = as(app, () -> get("/Patient/" + binta.getIdPart() + "/_history"));
        String missingId = UUID.randomUUID().toString();
        HttpResponse<String> missing = as(app, () -> get("/Patient/" + missingId + "/_history"));
        assertThat(other.statusCode()).as(other.body()).isEqualTo(404).isEqualTo(missing.statusCode());
        assertThat(other.body().replace(binta.getIdPart(), "X")).isEqualTo(missing.body().replace(missingId, "X"));
    }

    @Test
    void referenceDataAndBinariesAreOutOfReachOfPatientScopesAloneAndReadableWithAUserScope() {
        String app = token("soignant", "launch/patient patient/*.rs", awa.getIdPart());
        String why = "patient/ scopes cover only the launch patient's compartment, which holds no ";
        assertOutcome(fhirContext, as(app, () -> get("/Organization/cscom-konobougou")), 403, "forbidden",
                why + "Organization record: Organization needs a user/ or system/ scope that covers it (such as user/Organization.rs)");
        assertOutcome(fhirContext, as(app, () -> get("/Location?_count=1")), 403, "forbidden", why + "Location record");
        assertOutcome(fhirContext, as(app, () -> get("/Practitioner?_count=1")), 403, "forbidden", why + "Practitioner record");
        assertOutcome(fhirContext, as(app, () -> get("/Binary/" + UUID.randomUUID())), 403, "forbidden", why + "Binary record");
        String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":["
                + "{\"request\":{\"method\":\"GET\",\"url\":\"Organization/cscom-konobougou\"}}]}";
        assertOutcome(fhirContext, as(app, () -> postJson("", batch)), 403, "forbidden", "Bundle.entry[0]: " + why + "Organization");

        String withSites = token("soignant", "launch/patient patient/*.rs user/Organization.rs user/Location.rs", awa.getIdPart());
        assertThat(as(withSites, () -> get("/Organization/cscom-konobougou")).statusCode()).isEqualTo(200);
        assertThat(ids(as(withSites, () -> get("/Location?_id=cscom-konobougou")))).containsExactly("Location/cscom-konobougou");
        assertThat(as(withSites, () -> get("/Patient/" + binta.getIdPart())).statusCode()).isEqualTo(404);
    }

    @Test
    void aWideScopeNeverWidensTheRoleNorTheSites() {
        String soignant = token("soignant", "user/*.cruds", null);
        assertOutcome(fhirContext, as(soignant, () -> send(request("/Observation/" + awasTemperature.getIdPart()).DELETE())),
                403, "forbidden", "your role (soignant) may not delete Observation");
        Patient elsewhere = ClinicalRecords.patient("Traore", "Mariam", "cscom-djeli");
        String djeli = TestTokens.get().medecin("CSCOM-DJELI");
        assertThat(as(djeli, () -> putJson("/Patient/" + elsewhere.getIdPart(), json(elsewhere))).statusCode()).isEqualTo(201);
        assertThat(as(soignant, () -> get("/Patient/" + elsewhere.getIdPart())).statusCode()).isEqualTo(404);
    }

    @Test
    void anInteractionNoScopeCoversIsRefusedBeforeItRunsInBundlesToo() {
        String patientsOnly = token("medecin", "user/Patient.rs", null);
        assertOutcome(fhirContext, as(patientsOnly, () -> get("/Observation?patient=" + awa.getIdPart())), 403, "forbidden",
                "no scope of this token permits 's' (search) on Observation");
        Observation another = awasTemperature.copy();
        another.setId((String) null);
        String transaction = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":["
                + "{\"resource\":" + json(another) + ",\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}]}";
        HttpResponse<String> refused = as(patientsOnly, () -> postJson("", transaction));
        var outcome = assertOutcome(fhirContext, refused, 403, "forbidden", "Bundle.entry[0]: no scope of this token permits 'c'");
        assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[0].request");
        assertOutcome(fhirContext, as(patientsOnly, () -> get("/Patient?_revinclude=Observation:subject")), 403, "forbidden",
                "no scope of this token permits searching Observation");
        assertOutcome(fhirContext, as(patientsOnly, () -> get("/_history")), 403, "forbidden", "whole server");
    }

    @Test
    void aCategoryScopeShowsOnlyThatCategory() {
        String laboratory = token("medecin", "user/Observation.rs?category=laboratory", null);
        assertThat(as(laboratory, () -> get("/Observation/" + awasTemperature.getIdPart())).statusCode()).isEqualTo(404);
        assertThat(ids(as(laboratory, () -> get("/Observation?patient=" + awa.getIdPart())))).isEmpty();
        String vitalSigns = token("medecin", "user/Observation.rs?category=vital-signs", null);
        assertThat(as(vitalSigns, () -> get("/Observation/" + awasTemperature.getIdPart())).statusCode()).isEqualTo(200);
        assertThat(ids(as(vitalSigns, () -> get("/Observation?patient=" + awa.getIdPart()))))
                .contains("Observation/" + awasTemperature.getIdPart());
    }

    @Test
    void aScopeThatCannotBeHonouredIsRefusedByName() {
        for (String[] bad : new String[][] {
                {"user/Patient.rx", "neither read, write"},
                {"user/Medication.rs", "does not serve Medication"},
                {"user/Patiente.rs", "'Patiente' is not a FHIR resource type"},
                {"user/Observation.rs?code=8310-5", "only granular parameter"},
                {"patient/*.rs", "no patient claim"}}) {
            HttpResponse<String> response = as(token("medecin", "openid " + bad[0], null), () -> get("/Patient/" + awa.getIdPart()));
            assertOutcome(fhirContext, response, 401, "login", "The scope '" + bad[0] + "' cannot be honoured");
            assertThat(response.body()).contains(bad[1]);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElse("")).contains("invalid_token");
        }
    }

    @Test
    void theAuditEventNamesTheClientAndItsScopes() {
        String app = token("medecin", "openid launch/patient patient/*.rs", awa.getIdPart());
        assertThat(as(app, () -> get("/Patient/" + awa.getIdPart())).statusCode()).isEqualTo(200);
        long deadline = System.nanoTime() + 15_000_000_000L;
        while (true) {
            drainer.drainAll();
            List<AuditEvent> events = parse(Bundle.class, as(TestTokens.get().admin(),
                    () -> get("/AuditEvent?entity-name=Patient/" + awa.getIdPart() + "&_count=100")).body())
                    .getEntry().stream().map(e -> (AuditEvent) e.getResource())
                    .filter(e -> e.getAgent().stream().anyMatch(a -> a.hasPolicy())).toList();
            if (!events.isEmpty()) {
                AuditEvent.AuditEventAgentComponent client = events.get(0).getAgent().get(1);
                assertThat(client.getWho().getIdentifier().getValue()).isEqualTo("smart-demo-app");
                assertThat(client.getPolicy()).extracting(p -> p.getValue())
                        .containsExactly("launch/patient", "openid", "patient/*.rs");
                return;
            }
            assertThat(System.nanoTime()).as("an AuditEvent with the scopes within 15 s").isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
