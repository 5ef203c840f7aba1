package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;

/** Workflows that cross sites: a district doctor's consultation Bundle, a receiving site's worklist. */
class MultiSiteWorkflowTest extends ServerIntegrationTest {

    private final String district = TestTokens.get().user("medecin.district.workflow", Set.of("medecin"),
            Set.of("CSCOM-KONOBOUGOU", "CSCOM-DJELI"));
    private final String konobougou = TestTokens.get().user("soignant.konobougou.workflow", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String djeli = TestTokens.get().user("soignant.djeli.workflow", Set.of("soignant"), Set.of("CSCOM-DJELI"));
    private final String tamani = TestTokens.get().user("soignant.tamani.workflow", Set.of("soignant"), Set.of("CSCOM-TAMANI"));

    @Test
    void aTwoSiteDoctorsTransactionTakesItsSiteFromThePatientItCreates() {
        Patient patient = ClinicalRecords.patient("Keita", "Mariam", "cscom-djeli");
        // No entry carries a site label: the patient's managingOrganization decides its site, and
        // each record takes the site of the patient created in the same transaction (urn:uuid).
        Encounter visit = ClinicalRecords.encounter(patient, "cscom-djeli");
        Observation temperature = ClinicalRecords.temperature(patient, visit);
        Condition diagnosis = ClinicalRecords.malaria(patient, visit);
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        String patientUrl = "urn:uuid:" + patient.getIdPart();
        String visitUrl = "urn:uuid:" + visit.getIdPart();
        for (Resource resource : List.of(diagnosis, temperature, visit, patient)) {
            String fullUrl = "urn:uuid:" + resource.getIdElement().getIdPart();
            resource.setId((String) null);
            transaction.addEntry().setFullUrl(fullUrl).setResource(resource).getRequest()
                    .setMethod(Bundle.HTTPVerb.POST).setUrl(resource.fhirType());
        }
        visit.setSubject(new Reference(patientUrl));
        temperature.setSubject(new Reference(patientUrl)).setEncounter(new Reference(visitUrl));
        diagnosis.setSubject(new Reference(patientUrl)).setEncounter(new Reference(visitUrl));

        HttpResponse<String> answer = as(district, () -> postJson("", json(transaction)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        for (Bundle.BundleEntryComponent entry : parse(Bundle.class, answer.body()).getEntry()) {
            String location = entry.getResponse().getLocation().replaceAll("/_history/.*", "");
            HttpResponse<String> read = as(djeli, () -> get("/" + location));
            assertThat(read.statusCode()).as("%s is at Djéli: %s", location, read.body()).isEqualTo(200);
            assertThat(SiteLabels.siteOf(fhirContext.newJsonParser().parseResource(read.body()))).contains("CSCOM-DJELI");
            assertThat(as(konobougou, () -> get("/" + location)).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void theReceivingSiteListsItsIncomingReferralsWithTheirPatients() {
        Patient patient = ClinicalRecords.patient("Coulibaly", "Aminata", "cscom-konobougou");
        ServiceRequest active = ClinicalRecords.referral(patient, "cscom-djeli");
        // A patient whose referral to Djéli has ended: no longer Djéli's to see.
        Patient back = ClinicalRecords.patient("Sissoko", "Nana", "cscom-konobougou");
        ServiceRequest ended = ClinicalRecords.referral(back, "cscom-djeli");
        ended.setStatus(ServiceRequest.ServiceRequestStatus.COMPLETED);
        Patient other = ClinicalRecords.patient("Dembele", "Issa", "cscom-konobougou");
        ServiceRequest toTamani = ClinicalRecords.referral(other, "cscom-tamani");
        as(konobougou, () -> {
            for (Resource resource : List.of(patient, active, back, ended, other, toTamani)) {
                HttpResponse<String> created = putJson("/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart(), json(resource));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            }
            return null;
        });
        String worklist = "/ServiceRequest?performer=Organization/cscom-djeli&_include=ServiceRequest:subject&_count=500";
        List<String> seen = ids(as(djeli, () -> get(worklist)));
        assertThat(seen).contains(active.getIdPart(), patient.getIdPart())
                .doesNotContain(ended.getIdPart(), back.getIdPart(), other.getIdPart(), toTamani.getIdPart());
        assertThat(ids(as(djeli, () -> get("/ServiceRequest?performer=cscom-djeli")))).contains(active.getIdPart());
        assertThat(ids(as(tamani, () -> get("/ServiceRequest?performer=Organization/cscom-djeli")))).as("not Tamani's worklist")
                .doesNotContain(active.getIdPart());
        assertThat(ids(as(tamani, () -> get("/ServiceRequest?performer=Organization/cscom-tamani&_include=ServiceRequest:subject"))))
                .contains(toTamani.getIdPart(), other.getIdPart()).doesNotContain(patient.getIdPart());
    }

    private List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
