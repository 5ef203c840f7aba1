package ml.santerurale.server.reporting;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.santerurale.dhis2.DataValueSets;
import ml.santerurale.server.support.ClinicalRecords;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Consultations as a CSCOM records them (conforming to the guide, built on {@link ClinicalRecords}),
 * gathered into one transaction per site, and the reading of a MeasureReport's counts.
 */
final class ReportingData {

    /** A consultation to record: who, when, what was found. */
    record Visit(String gender, String birthDate, Instant start, List<String> icd10, boolean positiveRdt,
            boolean pregnancyObservation, String referredTo) {}

    private final String site;
    private final List<Resource> resources = new ArrayList<>();

    ReportingData(String site) {
        this.site = site;
    }

    /** Records a visit with a new patient; returns the Encounter id. */
    String add(Visit visit) {
        Patient patient = ClinicalRecords.patient("Diarra", "Awa", site);
        patient.setGender(Enumerations.AdministrativeGender.fromCode(visit.gender()));
        patient.setBirthDateElement(new DateType(visit.birthDate()));
        Encounter encounter = ClinicalRecords.encounter(patient, site);
        encounter.setPeriod(new Period().setStartElement(new DateTimeType(Date.from(visit.start()))));
        resources.add(patient);
        resources.add(encounter);
        for (String code : visit.icd10()) {
            resources.add(diagnosis(patient, encounter, code));
        }
        if (visit.positiveRdt()) {
            resources.add(observation(patient, encounter, visit.start(), "76772-3", "Plasmodium falciparum Ag [Presence] in Blood by Rapid immunoassay",
                    new Coding("http://snomed.info/sct", "10828004", "Positive")));
        }
        if (visit.pregnancyObservation()) {
            resources.add(observation(patient, encounter, visit.start(), "82810-3", "Pregnancy status",
                    new Coding(ClinicalRecords.LOINC, "LA15173-0", "Pregnant")));
        }
        if (visit.referredTo() != null) {
            ServiceRequest referral = ClinicalRecords.referral(patient, visit.referredTo());
            referral.setAuthoredOnElement(new DateTimeType(Date.from(visit.start())));
            referral.setEncounter(ClinicalRecords.reference(encounter));
            resources.add(referral);
        }
        return encounter.getIdElement().getIdPart();
    }

    private static Observation observation(Patient patient, Encounter encounter, Instant at, String loinc, String display,
            Coding value) {
        Observation observation = new Observation();
        observation.setId(ClinicalRecords.newId());
        observation.setStatus(Observation.ObservationStatus.FINAL);
        observation.setCode(new CodeableConcept(new Coding(ClinicalRecords.LOINC, loinc, display)));
        observation.setSubject(ClinicalRecords.reference(patient));
        observation.setEncounter(ClinicalRecords.reference(encounter));
        observation.setEffective(new DateTimeType(Date.from(at)));
        observation.setValue(new CodeableConcept(value));
        return observation;
    }

    Bundle transaction() {
        return transaction(resources);
    }

    /** A transaction that writes {@code resources} at their ids (PUT Type/id). */
    static Bundle transaction(List<? extends Resource> resources) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (Resource resource : resources) {
            String url = resource.fhirType() + "/" + resource.getIdElement().getIdPart();
            bundle.addEntry().setFullUrl(url).setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(url);
        }
        return bundle;
    }

    /** A Condition of {@code encounter} coded ICD-10 {@code icd10}. */
    static Condition diagnosis(Patient patient, Encounter encounter, String icd10) {
        Condition condition = ClinicalRecords.malaria(patient, encounter);
        condition.setCode(new CodeableConcept(new Coding(ClinicalRecords.ICD10, icd10, null)));
        return condition;
    }

    /** {@code indicator total} and {@code indicator stratum} to count, for every group of the report. */
    static Map<String, Integer> counts(MeasureReport report) {
        return DataValueSets.counts(report);
    }

    /** The non-zero counts only: what a test expects is compared without listing every zero. */
    static Map<String, Integer> nonZero(Map<String, Integer> counts) {
        Map<String, Integer> nonZero = new LinkedHashMap<>();
        counts.forEach((k, v) -> {
            if (v != 0) {
                nonZero.put(k, v);
            }
        });
        return nonZero;
    }
}
