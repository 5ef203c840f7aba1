package ml.santerurale.server.sync;

import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;

/** Consultations as a CSCOM records them: a patient, the encounter, a temperature, a diagnosis, a prescription. */
public final class Consultations {

    private Consultations() {}

    public static Patient patient(String family, String given) {
        Patient patient = new Patient();
        patient.setId(UUID.randomUUID().toString());
        patient.addName().setFamily(family).addGiven(given);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.setBirthDateElement(new org.hl7.fhir.r4.model.DateType("1990"));
        patient.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("+223 76 00 00 00");
        return patient;
    }

    /** The encounter and its clinical records for {@code patient}, at {@code organization}. */
    public static Resource[] visit(Patient patient, String organization) {
        String subject = "Patient/" + patient.getIdElement().getIdPart();
        Encounter encounter = new Encounter();
        encounter.setId(UUID.randomUUID().toString());
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
        encounter.addType(ml.santerurale.server.support.ClinicalRecords.curative());
        encounter.setSubject(new Reference(subject));
        encounter.setServiceProvider(new Reference(organization));
        encounter.getPeriod().setStart(new Date());
        String context = "Encounter/" + encounter.getIdElement().getIdPart();
        Observation temperature = new Observation();
        temperature.setId(UUID.randomUUID().toString());
        temperature.setStatus(Observation.ObservationStatus.FINAL);
        temperature.addCategory(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")));
        temperature.setCode(new CodeableConcept(new Coding("http://loinc.org", "8310-5", "Body temperature")));
        temperature.setSubject(new Reference(subject));
        temperature.setEncounter(new Reference(context));
        temperature.setEffective(new org.hl7.fhir.r4.model.DateTimeType(new Date()));
        temperature.setValue(new Quantity().setValue(39.2).setUnit("Cel").setSystem("http://unitsofmeasure.org").setCode("Cel"));
        Condition malaria = new Condition();
        malaria.setId(UUID.randomUUID().toString());
        malaria.setSubject(new Reference(subject));
        malaria.setEncounter(new Reference(context));
        malaria.setCode(new CodeableConcept(new Coding("http://hl7.org/fhir/sid/icd-10", "B54", "Paludisme, sans précision")));
        MedicationRequest act = new MedicationRequest();
        act.setId(UUID.randomUUID().toString());
        act.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
        act.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        act.setSubject(new Reference(subject));
        act.setEncounter(new Reference(context));
        act.setMedication(new CodeableConcept(new Coding("https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines",
                "MEG-AL-20-120", "Artéméther + luméfantrine 20 mg/120 mg, comprimé")));
        act.addDosageInstruction().setText("4 comprimés matin et soir pendant 3 jours").getTiming().getRepeat()
                .setBounds(new org.hl7.fhir.r4.model.Duration().setValue(3).setUnit("jours").setSystem("http://unitsofmeasure.org").setCode("d"));
        return new Resource[] {patient, encounter, temperature, malaria, act};
    }
}
