package ml.santerurale.server.reporting;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.Date;
import java.util.List;
import java.util.Map;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * Reports count what the records say now: the counts come from the server's search indexes, which
 * must follow every update and delete. Records are written, then corrected through the API, at
 * CSCOM Barouéli Central in January 2024 (no other test records consultations there then).
 */
class CurrentVersionsTest extends ServerIntegrationTest {

    private static final String SITE = "cscom-baroueli-central";
    private static final String CODE = "CSCOM-BAROUELI-CENTRAL";
    private static final Date JANUARY_10 = Date.from(java.time.Instant.parse("2024-01-10T09:00:00Z"));

    @Test
    void correctedAndDeletedRecordsCountAsTheyAreNowAndNotAsTheyWere() {
        String token = TestTokens.get().medecin(CODE);
        // 1. Confirmed malaria, then the consultation entered in error: not counted at all.
        Patient p1 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e1 = encounter(p1);
        Condition c1 = ReportingData.diagnosis(p1, e1, "B50.9");
        // 2. Clinical malaria, then the diagnosis refuted: a consultation, no malaria.
        Patient p2 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e2 = encounter(p2);
        Condition c2 = ReportingData.diagnosis(p2, e2, "B54");
        // 3. Diarrhoea, then the diagnosis deleted: a consultation, no diarrhoea.
        Patient p3 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e3 = encounter(p3);
        Condition c3 = ReportingData.diagnosis(p3, e3, "A09");
        // 4. A man, then corrected to a woman: counted as a woman.
        Patient p4 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e4 = encounter(p4);
        // 5. Dated in January, then corrected to February: not in January.
        Patient p5 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e5 = encounter(p5);
        // 6. Recorded, then deleted: not counted.
        Patient p6 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e6 = encounter(p6);
        // 7. A positive rapid test, corrected to negative: not confirmed malaria.
        Patient p7 = patient(Enumerations.AdministrativeGender.MALE);
        Encounter e7 = encounter(p7);
        Observation rdt = rapidTest(p7, e7, "10828004", "Positive");
        post(token, List.of(p1, e1, c1, p2, e2, c2, p3, e3, c3, p4, e4, p5, e5, p6, e6, p7, e7, rdt));

        Map<String, Integer> before = ReportingData.nonZero(ReportingData.counts(januaryReport(token)));
        assertThat(before).containsEntry("consultations total", 7).containsEntry("consultations age-band=15+ sex=male", 7)
                .containsEntry("malaria-confirmed total", 2).containsEntry("malaria-clinical total", 1)
                .containsEntry("diarrhoea total", 1);

        e1.setStatus(Encounter.EncounterStatus.ENTEREDINERROR);
        put(token, e1);
        c2.setVerificationStatus(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", "refuted", null)));
        put(token, c2);
        delete(token, "Condition/" + c3.getIdElement().getIdPart());
        p4.setGender(Enumerations.AdministrativeGender.FEMALE);
        put(token, p4);
        e5.setPeriod(new Period().setStartElement(new DateTimeType("2024-02-02T09:00:00Z")));
        put(token, e5);
        delete(token, "Encounter/" + e6.getIdElement().getIdPart());
        rdt.setValue(new CodeableConcept(new Coding("http://snomed.info/sct", "260385009", "Negative")));
        put(token, rdt);

        Map<String, Integer> after = ReportingData.nonZero(ReportingData.counts(januaryReport(token)));
        assertThat(after).isEqualTo(Map.of("consultations total", 4, "consultations age-band=15+ sex=male", 3,
                "consultations age-band=15+ sex=female", 1));
    }

    private static Patient patient(Enumerations.AdministrativeGender gender) {
        Patient patient = ClinicalRecords.patient("Sangaré", "Oumar", SITE);
        patient.setGender(gender);
        return patient;
    }

    private static Encounter encounter(Patient patient) {
        Encounter encounter = ClinicalRecords.encounter(patient, SITE);
        encounter.setPeriod(new Period().setStartElement(new DateTimeType(JANUARY_10)));
        return encounter;
    }


    private static Observation rapidTest(Patient patient, Encounter encounter, String snomed, String display) {
        Observation observation = new Observation();
        observation.setId(ClinicalRecords.newId());
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.setCode(new CodeableConcept(new Coding(ClinicalRecords.LOINC, "76772-3",
                "Plasmodium falciparum Ag [Presence] in Blood by Rapid immunoassay")));
        observation.setSubject(ClinicalRecords.reference(patient));
        observation.setEncounter(ClinicalRecords.reference(encounter));
        observation.setEffective(new DateTimeType(JANUARY_10));
        observation.setValue(new CodeableConcept(new Coding("http://snomed.info/sct", snomed, display)));
        return observation;
    }

    private void post(String token, List<Resource> resources) {
        HttpResponse<String> answer = as(token, () -> postJson("", json(ReportingData.transaction(resources))));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private void put(String token, Resource resource) {
        String url = "/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart();
        resource.setMeta(null);
        HttpResponse<String> answer = as(token, () -> putJson(url, json(resource)));
        assertThat(answer.statusCode()).as(url + " " + answer.body()).isEqualTo(200);
    }

    private void delete(String token, String path) {
        HttpResponse<String> answer = as(token, () -> send(request("/" + path).DELETE()));
        assertThat(answer.statusCode()).as(path + " " + answer.body()).isIn(200, 204);
    }

    private MeasureReport januaryReport(String token) {
        HttpResponse<String> answer = as(token, () -> get("/Measure/rma-monthly/$evaluate-measure?periodStart=2024-01-01"
                + "&periodEnd=2024-01-31&reporter=Organization/" + SITE));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return parse(MeasureReport.class, answer.body());
    }
}
