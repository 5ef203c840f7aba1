package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A referral lets the receiving site see the patient it was sent, for as long as it is active. */
class ReferralAccessTest extends ServerIntegrationTest {

    private final String djeli = TestTokens.get().user("major.djeli.ref", Set.of("major"), Set.of("CSCOM-DJELI"));
    private final String konobougou = TestTokens.get().user("medecin.konobougou.ref", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU"));

    private String patientId;
    private String encounterId;
    private String referralId;

    @BeforeEach
    void djeliRefersAPatientToKonobougou() {
        patientId = UUID.randomUUID().toString();
        encounterId = UUID.randomUUID().toString();
        referralId = UUID.randomUUID().toString();
        Patient patient = ml.santerurale.server.support.Conforming.patient("Sacko", "Mariam");
        patient.setId(patientId);
        Encounter encounter = ml.santerurale.server.support.Conforming.encounter("Patient/" + patientId, "Organization/cscom-djeli");
        encounter.setId(encounterId);
        as(djeli, () -> {
            assertThat(putJson("/Patient/" + patientId, json(patient)).statusCode()).isEqualTo(201);
            assertThat(putJson("/Encounter/" + encounterId, json(encounter)).statusCode()).isEqualTo(201);
            return null;
        });
        assertThat(as(konobougou, () -> get("/Patient/" + patientId)).statusCode()).as("not yet referred").isEqualTo(404);
        HttpResponse<String> referred = as(djeli, () -> putJson("/ServiceRequest/" + referralId, json(referral(ServiceRequest.ServiceRequestStatus.ACTIVE))));
        assertThat(referred.statusCode()).as(referred.body()).isEqualTo(201);
    }

    private ServiceRequest referral(ServiceRequest.ServiceRequestStatus status) {
        ServiceRequest referral = ml.santerurale.server.support.Conforming.referral("Patient/" + patientId, "Organization/cscom-konobougou", status);
        referral.setId(referralId);
        referral.getCode().setText("Référence: suspicion de paludisme grave");
        return referral;
    }

    @Test
    void theReceivingSiteSeesThePatientUntilTheReferralIsCompleted() {
        assertThat(as(konobougou, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(200);
        // The referred record is reached through the patient: by id, or by searches naming them.
        Bundle encounters = parse(Bundle.class, as(konobougou, () -> get("/Encounter?patient=" + patientId)).body());
        assertThat(encounters.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart()).containsExactly(encounterId);

        ServiceRequest outcome = referral(ServiceRequest.ServiceRequestStatus.COMPLETED);
        outcome.addNote().setText("Patient reçu, traité et renvoyé");
        HttpResponse<String> completed = as(konobougou, () -> putJson("/ServiceRequest/" + referralId, json(outcome)));
        assertThat(completed.statusCode()).as(completed.body()).isEqualTo(200);

        assertThat(as(konobougou, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(404);
        assertThat(as(konobougou, () -> get("/Encounter?patient=" + patientId)).body()).doesNotContain(encounterId);
        assertThat(as(djeli, () -> get("/ServiceRequest/" + referralId)).body())
                .as("the outcome is written on the referral, which stays at the referring site")
                .contains("renvoyé").contains("CSCOM-DJELI");
    }

    @Test
    void theReceivingSiteCannotWriteTheReferredPatientsRecords() {
        Bundle seen = parse(Bundle.class, as(konobougou, () -> get("/Encounter?patient=" + patientId)).body());
        Encounter encounter = (Encounter) seen.getEntryFirstRep().getResource();
        assertThat(encounter.getIdPart()).as("the grant opens the encounter to reads").isEqualTo(encounterId);
        encounter.setStatus(Encounter.EncounterStatus.CANCELLED);
        Patient patient = parse(Patient.class, as(konobougou, () -> get("/Patient/" + patientId)).body());
        patient.getNameFirstRep().setFamily("Sako");

        java.util.Map<String, HttpResponse<String>> attempts = new java.util.LinkedHashMap<>();
        attempts.put("update of the encounter", as(konobougou, () -> send(ifMatchV1("/Encounter/" + encounterId)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json(encounter))))));
        attempts.put("JSON Patch of the encounter", as(konobougou, () -> send(request("/Encounter/" + encounterId)
                .header("Content-Type", "application/json-patch+json").method("PATCH", java.net.http.HttpRequest.BodyPublishers
                        .ofString("[{\"op\":\"replace\",\"path\":\"/status\",\"value\":\"cancelled\"}]")))));
        HttpResponse<String> delete = as(konobougou, () -> send(request("/Encounter/" + encounterId).DELETE()));
        String missing = UUID.randomUUID().toString();
        HttpResponse<String> deleteOfMissing = as(konobougou, () -> send(request("/Encounter/" + missing).DELETE()));
        assertThat(delete.statusCode()).as(delete.body()).isEqualTo(deleteOfMissing.statusCode());
        assertThat(delete.body().replace(encounterId, "ID")).as("a delete answered as for a missing record")
                .isEqualTo(deleteOfMissing.body().replace(missing, "ID")).doesNotContain("Successfully");
        attempts.put("update of the patient", as(konobougou, () -> send(ifMatchV1("/Patient/" + patientId)
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString(json(patient))))));
        attempts.forEach((attempt, answer) -> {
            assertThat(answer.statusCode()).as("%s: %s", attempt, answer.body()).isBetween(400, 499);
            assertThat(answer.body()).as(attempt).doesNotContain("Successfully");
        });

        Encounter atDjeli = parse(Encounter.class, as(djeli, () -> get("/Encounter/" + encounterId)).body());
        assertThat(atDjeli.getMeta().getVersionId()).as("Djéli's encounter untouched").isEqualTo("1");
        assertThat(atDjeli.getStatus()).isEqualTo(Encounter.EncounterStatus.FINISHED);
        Patient patientAtDjeli = parse(Patient.class, as(djeli, () -> get("/Patient/" + patientId)).body());
        assertThat(patientAtDjeli.getMeta().getVersionId()).as("Djéli's patient untouched").isEqualTo("1");
        assertThat(patientAtDjeli.getNameFirstRep().getFamily()).isEqualTo("Sacko");
    }

    private java.net.http.HttpRequest.Builder ifMatchV1(String path) {
        return request(path).header("Content-Type", "application/fhir+json").header("If-Match", "W/\"1\"");
    }

    @Test
    void revokingTheReferralEndsTheAccess() {
        assertThat(as(konobougou, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(200);
        assertThat(as(djeli, () -> putJson("/ServiceRequest/" + referralId, json(referral(ServiceRequest.ServiceRequestStatus.REVOKED)))).statusCode())
                .isEqualTo(200);
        assertThat(as(konobougou, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(404);
        assertThat(as(konobougou, () -> get("/ServiceRequest/" + referralId)).statusCode()).isEqualTo(404);
    }

    @Test
    void theReferralOpensOnlyThatPatientNotTheReferringSite() {
        HttpResponse<String> count = as(konobougou, () -> get("/Patient?family=Sacko&_summary=count"));
        assertThat(count.statusCode()).as(count.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, count.body()).getTotal()).as("counts over Djéli's patients stay closed").isZero();
        assertThat(as(konobougou, () -> get("/Encounter/" + encounterId)).statusCode())
                .as("a record read by its own id, not through the patient, stays closed").isEqualTo(404);
        // The sync feed, every page: the referred patient and the referral, never the referring site's other records.
        java.util.List<String> feed = new java.util.ArrayList<>();
        String next = fhirBase() + "/_history?_since=2000-01-01T00:00:00Z&_count=500";
        for (int pages = 0; next != null && pages < 200; pages++) {
            String url = next;
            HttpResponse<String> page = as(konobougou, () -> send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                    .header("Authorization", "Bearer " + konobougou).header("Accept", "application/fhir+json").GET()));
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            Bundle bundle = parse(Bundle.class, page.body());
            bundle.getEntry().forEach(e -> feed.add(e.getRequest().getUrl().replaceAll("/_history/.*", "")));
            next = bundle.getLink("next") == null ? null : bundle.getLink("next").getUrl();
        }
        assertThat(next).as("the feed ended").isNull();
        assertThat(feed).contains("Patient/" + patientId, "ServiceRequest/" + referralId).doesNotContain("Encounter/" + encounterId);
    }

    @Test
    void includesAndChainsFollowTheReferralAndStopWithIt() {
        String include = "/ServiceRequest?_id=" + referralId + "&_include=ServiceRequest:subject";
        String revinclude = "/Patient?_id=" + patientId + "&_revinclude=ServiceRequest:subject&_revinclude=Encounter:patient";
        String chain = "/ServiceRequest?subject.family=Sacko";
        String third = TestTokens.get().user("soignant.tamani.include", Set.of("soignant"), Set.of("CSCOM-TAMANI"));
        assertThat(ids(as(konobougou, () -> get(include)))).as("the referral and its patient")
                .containsExactlyInAnyOrder(referralId, patientId);
        assertThat(ids(as(konobougou, () -> get(revinclude)))).as("a search naming the patient reaches their record")
                .containsExactlyInAnyOrder(patientId, referralId, encounterId);
        assertThat(ids(as(konobougou, () -> get(chain)))).as("a chain names no patient: the referring site stays closed").isEmpty();
        for (String query : java.util.List.of(include, revinclude, chain)) {
            assertThat(ids(as(third, () -> get(query)))).as("a third site, %s", query).isEmpty();
        }

        assertThat(as(djeli, () -> putJson("/ServiceRequest/" + referralId, json(referral(ServiceRequest.ServiceRequestStatus.REVOKED)))).statusCode())
                .isEqualTo(200);

        for (String query : java.util.List.of(include, revinclude, chain)) {
            assertThat(ids(as(konobougou, () -> get(query)))).as("after the revocation, %s", query).isEmpty();
        }
        assertThat(ids(as(djeli, () -> get(revinclude)))).as("the referring site still sees it all")
                .contains(patientId, referralId, encounterId);
    }

    private java.util.List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    @Test
    void aSearchNamingTheReferredPatientCountsNoRecordItMayNotSee() {
        // A record about the referred patient that the referral does not open (a Provenance at Djéli):
        // not shown, and not counted either (a count is not loaded, so the backstop never sees it).
        Patient target = new Patient();
        target.setId("Patient/" + patientId);
        org.hl7.fhir.r4.model.Provenance provenance = ml.santerurale.server.support.ClinicalRecords
                .syncProvenance(target, "major.djeli.ref", "tablette-djeli");
        String provenanceId = provenance.getIdElement().getIdPart();
        HttpResponse<String> written = as(djeli, () -> putJson("/Provenance/" + provenanceId, json(provenance)));
        assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
        assertThat(parse(Bundle.class, as(djeli, () -> get("/Provenance?patient=" + patientId)).body()).getTotal())
                .as("Djéli counts its own record").isEqualTo(1);

        for (String query : java.util.List.of("", "&_total=accurate", "&_summary=count", "&_count=0")) {
            HttpResponse<String> search = as(konobougou, () -> get("/Provenance?patient=" + patientId + query));

            assertThat(search.statusCode()).as(search.body()).isEqualTo(200);
            Bundle page = parse(Bundle.class, search.body());
            assertThat(page.getEntry()).as(query).isEmpty();
            assertThat(page.hasTotal() && page.getTotal() != 0).as("a total that counts the record it did not show (%s): %s",
                    query, search.body()).isFalse();
        }
    }

    @Test
    void aThirdSiteSeesNothing() {
        String third = TestTokens.get().user("soignant.tamani", Set.of("soignant"), Set.of("CSCOM-TAMANI"));
        assertThat(as(third, () -> get("/Patient/" + patientId)).statusCode()).isEqualTo(404);
    }
}
