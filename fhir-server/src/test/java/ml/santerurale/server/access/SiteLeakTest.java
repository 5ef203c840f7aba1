package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A resource of site B requested by a user of site A, on every path data can come out or go in:
 * it answers as if it did not exist, and nothing of it leaks.
 */
class SiteLeakTest extends ServerIntegrationTest {

    @org.springframework.beans.factory.annotation.Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    private static final String KONOBOUGOU = "CSCOM-KONOBOUGOU";
    private static final String DJELI = "CSCOM-DJELI";

    private final String djeliStaff = TestTokens.get().user("soignant.djeli.test", Set.of("medecin"), Set.of(DJELI));
    private final String konobougouStaff = TestTokens.get().user("soignant.konobougou.test", Set.of("medecin"), Set.of(KONOBOUGOU));
    private final String konobougouMajor = TestTokens.get().user("major.konobougou.test", Set.of("major"), Set.of(KONOBOUGOU));

    private String family;
    private String patientId;
    private String encounterId;
    private String identifier;

    /** A patient and an encounter recorded at Djéli. */
    @BeforeEach
    void recordedAtDjeli() {
        family = "Fofana" + ml.santerurale.server.support.Names.unique(8);
        patientId = UUID.randomUUID().toString();
        encounterId = UUID.randomUUID().toString();
        identifier = "DJ-" + UUID.randomUUID();
        Patient patient = ml.santerurale.server.support.Conforming.patient(family, "Aïssata");
        patient.setId(patientId);
        patient.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/carnet").setValue(identifier);
        Encounter encounter = ml.santerurale.server.support.Conforming.encounter("Patient/" + patientId, "Organization/cscom-djeli");
        encounter.setId(encounterId);
        as(djeliStaff, () -> {
            assertThat(putJson("/Patient/" + patientId, json(patient)).statusCode()).isEqualTo(201);
            assertThat(putJson("/Encounter/" + encounterId, json(encounter)).statusCode()).isEqualTo(201);
            return null;
        });
    }

    private HttpResponse<String> fromKonobougou(String path) {
        return as(konobougouStaff, () -> get(path));
    }

    private List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.hasResource() ? e.getResource().getIdElement().getIdPart()
                        : e.getRequest().getUrl().replaceAll(".*/([^/]+)$", "$1"))
                .toList();
    }

    @Test
    void writesByIdToAnotherSitesRecordChangeNothingThere() {
        Patient overwrite = ml.santerurale.server.support.Conforming.patient("Écrasé", "Awa");
        overwrite.setId(patientId);
        HttpResponse<String> put = as(konobougouStaff, () -> putJson("/Patient/" + patientId, json(overwrite)));
        HttpResponse<String> putIfMatch = as(konobougouStaff, () -> send(request("/Patient/" + patientId)
                .header("Content-Type", "application/fhir+json").header("If-Match", "W/\"1\"")
                .PUT(HttpRequest.BodyPublishers.ofString(json(overwrite)))));
        HttpResponse<String> delete = as(konobougouStaff, () -> send(request("/Patient/" + patientId).DELETE()));

        // Ids are unique across sites: a create under a taken id is a conflict (409), never a
        // second record. This tells a caller who already holds the id that it is in use somewhere.
        assertThat(put.statusCode()).as(put.body()).isEqualTo(409);
        // 412 as for a missing record, or 404 when HAPI's id cache already resolved the id.
        assertThat(putIfMatch.statusCode()).as(putIfMatch.body()).isIn(404, 412);
        // As for a missing record: HAPI answers 200 "does not exist" (or 404 when its id cache resolved the id).
        assertThat(delete.statusCode()).as(delete.body()).isIn(200, 404);
        assertThat(delete.body()).doesNotContain("Successfully deleted");
        Patient atDjeli = parse(Patient.class, as(djeliStaff, () -> get("/Patient/" + patientId)).body());
        assertThat(atDjeli.getMeta().getVersionId()).as("Djéli's record untouched").isEqualTo("1");
        assertThat(atDjeli.getNameFirstRep().getFamily()).isEqualTo(family);
        assertThat(fromKonobougou("/Patient/" + patientId).statusCode()).as("no copy made at Konobougou").isEqualTo(404);
    }

    @Test
    void aPatchOfAnotherSitesRecordAnswersAsForAMissingOne() {
        String missing = UUID.randomUUID().toString();
        String jsonPatch = "[{\"op\":\"add\",\"path\":\"/gender\",\"value\":\"male\"}]";
        org.hl7.fhir.r4.model.Parameters fhirPathPatch = new org.hl7.fhir.r4.model.Parameters();
        org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent add = fhirPathPatch.addParameter().setName("operation");
        add.addPart().setName("type").setValue(new org.hl7.fhir.r4.model.CodeType("add"));
        add.addPart().setName("path").setValue(new org.hl7.fhir.r4.model.StringType("Patient"));
        add.addPart().setName("name").setValue(new org.hl7.fhir.r4.model.StringType("gender"));
        add.addPart().setName("value").setValue(new org.hl7.fhir.r4.model.CodeType("male"));
        java.util.Map<String, String> patches = java.util.Map.of(
                "application/json-patch+json", jsonPatch, "application/fhir+json", json(fhirPathPatch));
        patches.forEach((contentType, patch) -> {
            java.util.function.Function<String, HttpResponse<String>> patchAsKonobougou = id -> as(konobougouStaff,
                    () -> send(request("/Patient/" + id).header("Content-Type", contentType)
                            .method("PATCH", HttpRequest.BodyPublishers.ofString(patch))));
            HttpResponse<String> other = patchAsKonobougou.apply(patientId);
            HttpResponse<String> absent = patchAsKonobougou.apply(missing);
            ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome(fhirContext, absent, 404, null,
                    "Patient/" + missing);
            assertThat(other.statusCode()).as("%s: %s", contentType, other.body()).isEqualTo(absent.statusCode());
            assertThat(other.body().replace(patientId, "ID")).as("%s: same text, same shape", contentType)
                    .isEqualTo(absent.body().replace(missing, "ID"));
        });
        Patient atDjeli = parse(Patient.class, as(djeliStaff, () -> get("/Patient/" + patientId)).body());
        assertThat(atDjeli.getMeta().getVersionId()).as("Djéli's record untouched").isEqualTo("1");
        assertThat(atDjeli.getGender()).as("the patch changed nothing").isEqualTo(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
    }

    @Test
    void stampsTheOwningSiteOnTheRecord() {
        Patient stored = parse(Patient.class, as(djeliStaff, () -> get("/Patient/" + patientId)).body());
        assertThat(stored.getMeta().getSecurity()).anySatisfy(c -> assertThat(c.getCode()).isEqualTo(DJELI));
    }

    @Test
    void readAndVreadAnswerAsForAMissingResource() {
        HttpResponse<String> read = fromKonobougou("/Patient/" + patientId);
        HttpResponse<String> missing = fromKonobougou("/Patient/" + UUID.randomUUID());
        assertThat(read.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
        assertThat(read.body()).contains("is not known");
        assertThat(read.body().replace(patientId, "X")).isEqualTo(missing.body().replaceAll("Patient/[0-9a-f-]{36}", "Patient/X"));
        assertThat(fromKonobougou("/Patient/" + patientId + "/_history/1").statusCode()).isEqualTo(404);
        assertThat(fromKonobougou("/Encounter/" + encounterId).statusCode()).isEqualTo(404);
    }

    @Test
    void searchesIncludesAndChainsOmitTheOtherSite() {
        // Each query is first run by the owner, who gets exactly the records (so the query works),
        // then by the other site, who gets none of them and a total of 0.
        java.util.Map<String, List<String>> expected = new java.util.LinkedHashMap<>();
        expected.put("/Patient?family=" + family, List.of(patientId));
        expected.put("/Encounter?patient=" + patientId + "&_include=Encounter:patient", List.of(encounterId, patientId));
        expected.put("/Patient?_id=" + patientId + "&_revinclude=Encounter:patient", List.of(patientId, encounterId));
        expected.put("/Encounter?patient.family=" + family, List.of(encounterId));
        expected.put("/Patient?_has:Encounter:patient:status=finished&family=" + family, List.of(patientId));
        expected.forEach((query, records) -> {
            assertThat(ids(as(djeliStaff, () -> get(query)))).as("the owner: %s", query).containsExactlyInAnyOrderElementsOf(records);
            HttpResponse<String> other = fromKonobougou(query);
            assertThat(ids(other)).as("the other site: %s", query).isEmpty();
            Bundle bundle = parse(Bundle.class, other.body());
            if (bundle.hasTotal()) {
                assertThat(bundle.getTotal()).as("the other site's total: %s", query).isZero();
            }
        });
        HttpResponse<String> count = fromKonobougou("/Patient?family=" + family + "&_summary=count");
        assertThat(count.statusCode()).isEqualTo(200);
        assertThat(parse(Bundle.class, count.body()).getTotal()).isZero();
        assertThat(parse(Bundle.class, as(djeliStaff, () -> get("/Patient?family=" + family + "&_summary=count")).body()).getTotal())
                .as("the owner's count").isEqualTo(1);
    }

    @Test
    void fullTextSearchesNeitherReturnNorCountTheOtherSite() {
        assertThat(ids(fromKonobougou("/Patient?_content=" + family))).isEmpty();
        for (String counting : List.of("&_summary=count", "&_count=0", "&_total=accurate", "&_total=estimate")) {
            for (String search : List.of("/Patient?_content=", "/Patient?_text=", "/AuditEvent?_content=")) {
                HttpResponse<String> count = as(search.startsWith("/AuditEvent") ? konobougouMajor : konobougouStaff,
                        () -> get(search + family + counting));
                assertThat(count.statusCode()).as(search + counting).isEqualTo(400);
                assertThat(count.body()).contains("Counting the matches of a full-text search").doesNotContain("\"total\"");
            }
        }
        assertThat(ids(as(djeliStaff, () -> get("/Patient?_content=" + family)))).contains(patientId);
    }

    @Test
    void historyAtEveryLevelOmitsTheOtherSite() throws InterruptedException {
        FeedHorizon.awaitPastEveryChange(jdbc);
        // Since a minute ago, every page followed: the fixture is in the window, so the owner's
        // answer holds it and the other site's answer is complete, not a first page.
        String since = "_since=" + java.net.URLEncoder.encode(java.time.Instant.now().minusSeconds(60).toString(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(allPages(konobougouStaff, "/_history?" + since + "&_count=50")).doesNotContain(patientId, encounterId);
        assertThat(allPages(konobougouStaff, "/Patient/_history?" + since + "&_count=50")).doesNotContain(patientId);
        assertThat(allPages(konobougouStaff, "/Encounter/_history?" + since + "&_count=50")).doesNotContain(encounterId);
        assertThat(fromKonobougou("/Patient/" + patientId + "/_history?" + since).statusCode()).isEqualTo(404);
        assertThat(allPages(djeliStaff, "/_history?" + since + "&_count=50")).contains(patientId, encounterId);
        assertThat(allPages(djeliStaff, "/Patient/_history?" + since + "&_count=50")).contains(patientId);
        assertThat(allPages(djeliStaff, "/Encounter/_history?" + since + "&_count=50")).contains(encounterId);
    }

    /** The ids of every entry of every page, following next links. */
    private List<String> allPages(String token, String path) {
        List<String> all = new java.util.ArrayList<>();
        String next = path;
        while (next != null) {
            String page = next;
            HttpResponse<String> response = as(token, () -> get(page));
            all.addAll(ids(response));
            Bundle.BundleLinkComponent link = parse(Bundle.class, response.body()).getLink("next");
            next = link == null ? null : link.getUrl().substring(fhirBase().length());
        }
        return all;
    }

    @Test
    void transactionAndBatchEntriesNeverReachTheOtherSite() {
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + patientId);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Encounter?patient=" + patientId);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Encounter/" + encounterId);
        HttpResponse<String> batchAnswer = as(konobougouStaff, () -> postJson("", json(batch)));
        assertThat(batchAnswer.statusCode()).as(batchAnswer.body()).isEqualTo(200);
        Bundle answers = parse(Bundle.class, batchAnswer.body());
        assertThat(answers.getEntry().get(0).getResponse().getStatus()).startsWith("404");
        assertThat(answers.getEntry().get(1).getResource()).isInstanceOf(Bundle.class);
        assertThat(((Bundle) answers.getEntry().get(1).getResource()).getEntry()).isEmpty();
        assertThat(batchAnswer.body()).doesNotContain(family);

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Patient/" + patientId);
        transaction.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Encounter/" + encounterId);
        HttpResponse<String> txAnswer = as(konobougouStaff, () -> postJson("", json(transaction)));
        assertThat(txAnswer.body()).doesNotContain(family).doesNotContain("Successfully deleted");

        assertThat(as(djeliStaff, () -> get("/Encounter/" + encounterId)).statusCode()).as("Djéli's encounter still there").isEqualTo(200);
        Patient stillThere = parse(Patient.class, as(djeliStaff, () -> get("/Patient/" + patientId)).body());
        assertThat(stillThere.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void conditionalCreateNeverMatchesTheOtherSite() {
        Patient homonym = ml.santerurale.server.support.Conforming.patient("Homonyme", "Awa");
        homonym.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/carnet").setValue(identifier);
        HttpResponse<String> created = as(konobougouStaff, () -> send(request("/Patient")
                .header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "identifier=https://sante-rurale.ml/fhir/sid/carnet|" + identifier)
                .POST(HttpRequest.BodyPublishers.ofString(json(homonym)))));

        assertThat(created.statusCode()).as("a new record at Konobougou, not Djéli's: %s", created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("Location").orElseThrow()).doesNotContain(patientId);
        assertThat(created.body()).doesNotContain(family);
    }

    @Test
    void pageLinksServeOnlyTheUserWhoSearched() {
        for (int i = 0; i < 3; i++) {
            Patient more = ml.santerurale.server.support.Conforming.patient(family, "Awa");
            as(djeliStaff, () -> postJson("/Patient", json(more)));
        }
        Bundle first = parse(Bundle.class, as(djeliStaff, () -> get("/Patient?family=" + family + "&_count=2")).body());
        String next = first.getLink("next").getUrl();
        HttpResponse<String> replayed = send(HttpRequest.newBuilder(URI.create(next))
                .header("Authorization", "Bearer " + konobougouStaff).GET());
        assertThat(replayed.statusCode()).isEqualTo(410);
        assertThat(replayed.body()).contains("does not exist and may have expired").doesNotContain(family);
        HttpResponse<String> owner = send(HttpRequest.newBuilder(URI.create(next))
                .header("Authorization", "Bearer " + djeliStaff).GET());
        assertThat(owner.statusCode()).isEqualTo(200);
    }

    @Test
    void conditionalOperationsNeverFindOrChangeTheOtherSite() {
        Patient intruder = ml.santerurale.server.support.Conforming.patient("Conditional", "Awa");
        intruder.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/carnet").setValue(identifier);
        HttpResponse<String> update = as(konobougouStaff,
                () -> putJson("/Patient?identifier=https://sante-rurale.ml/fhir/sid/carnet|" + identifier, json(intruder)));
        assertThat(update.statusCode()).as("creates a new record at Konobougou, never touches Djéli's").isEqualTo(201);
        HttpResponse<String> delete = as(konobougouStaff, () -> send(request(
                "/Patient?identifier=https://sante-rurale.ml/fhir/sid/carnet|" + identifier + "&family=" + family).DELETE()));
        assertThat(delete.statusCode()).isLessThan(300);
        Patient stillThere = parse(Patient.class, as(djeliStaff, () -> get("/Patient/" + patientId)).body());
        assertThat(stillThere.getNameFirstRep().getFamily()).isEqualTo(family);
        assertThat(stillThere.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void writesCannotReferToOrMoveTheOtherSitesRecords() {
        Observation observation = ml.santerurale.server.support.Conforming.temperature("Patient/" + patientId, 37.5);
        HttpResponse<String> created = as(konobougouStaff, () -> postJson("/Observation", json(observation)));
        assertThat(created.statusCode()).isEqualTo(400);
        assertThat(created.body()).contains("Resource Patient/" + patientId + " not found");

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        observation.setId(UUID.randomUUID().toString());
        transaction.addEntry().setResource(observation).getRequest().setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("Observation/" + observation.getIdElement().getIdPart());
        transaction.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + patientId);
        HttpResponse<String> tx = as(konobougouStaff, () -> postJson("", json(transaction)));
        assertThat(tx.statusCode()).isEqualTo(400);
        assertThat(tx.body()).doesNotContain(family);

        Patient moved = parse(Patient.class, as(djeliStaff, () -> get("/Patient/" + patientId)).body());
        moved.getMeta().getSecurity().clear();
        moved.getMeta().addSecurity("https://sante-rurale.ml/fhir/CodeSystem/site", KONOBOUGOU, null);
        HttpResponse<String> move = as(TestTokens.get().user("medecin.both", Set.of("medecin"), Set.of(DJELI, KONOBOUGOU)),
                () -> putJson("/Patient/" + patientId, json(moved)));
        assertThat(move.statusCode()).as(move.body()).isEqualTo(403);
    }

    @Test
    void aReferenceToAnotherSitesRecordIsRefusedInTheWordsOfAMissingOne() {
        String missing = UUID.randomUUID().toString();
        for (String path : List.of("/Observation", "/Encounter")) {
            HttpResponse<String> other = as(konobougouStaff, () -> postJson(path, referringTo(path, patientId)));
            HttpResponse<String> absent = as(konobougouStaff, () -> postJson(path, referringTo(path, missing)));
            assertThat(absent.statusCode()).as(absent.body()).isEqualTo(400);
            assertThat(other.statusCode()).isEqualTo(absent.statusCode());
            assertThat(other.body().replace(patientId, "ID")).as("same text, same shape")
                    .isEqualTo(absent.body().replace(missing, "ID"));
        }
    }

    private String referringTo(String path, String patient) {
        if (path.equals("/Encounter")) {
            Encounter encounter = new Encounter();
            encounter.setStatus(Encounter.EncounterStatus.FINISHED);
            encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", null));
            encounter.addType(ml.santerurale.server.support.ClinicalRecords.curative());
            encounter.setSubject(new Reference("Patient/" + patient));
            encounter.setServiceProvider(new Reference("Organization/cscom-konobougou"));
            encounter.getPeriod().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-24T08:40:00Z"));
            return json(encounter);
        }
        Observation observation = new Observation();
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.getCode().setText("Température");
        observation.setSubject(new Reference("Patient/" + patient));
        observation.setEffective(new org.hl7.fhir.r4.model.DateTimeType("2026-11-24T08:40:00Z"));
        return json(observation);
    }

    @Test
    void aUserAtTwoSitesSaysWhichOrTheRecordDecides() {
        String both = TestTokens.get().user("medecin.district.test", Set.of("medecin"), Set.of(DJELI, KONOBOUGOU));
        Patient unsaid = ml.santerurale.server.support.Conforming.patient("Sans-site", "Awa");
        HttpResponse<String> refused = as(both, () -> postJson("/Patient", json(unsaid)));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("say which one");

        unsaid.setManagingOrganization(new Reference("Organization/cscom-konobougou"));
        HttpResponse<String> created = as(both, () -> postJson("/Patient", json(unsaid)));
        assertThat(created.statusCode()).isEqualTo(201);
        String id = created.headers().firstValue("Location").orElseThrow().replaceAll(".*/Patient/([^/]+)/.*", "$1");
        assertThat(fromKonobougou("/Patient/" + id).statusCode()).isEqualTo(200);

        Observation forDjeliPatient = ml.santerurale.server.support.Conforming.temperature("Patient/" + patientId, 37.5);
        HttpResponse<String> inherited = as(both, () -> postJson("/Observation", json(forDjeliPatient)));
        assertThat(inherited.statusCode()).isEqualTo(201);
        assertThat(inherited.body()).contains(DJELI);
    }
}
