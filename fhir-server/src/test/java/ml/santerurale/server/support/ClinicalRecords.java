package ml.santerurale.server.support;

import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Complete clinical records as a CSCOM writes them (every field a care worker fills in), with
 * fresh ids, for tests that need a record of each kind at a given site. {@code site} is the
 * site's Organization id, e.g. {@code cscom-konobougou}.
 */
public final class ClinicalRecords {

    public static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";
    public static final String LOINC = "http://loinc.org";

    private ClinicalRecords() {}

    public static String newId() {
        return UUID.randomUUID().toString();
    }

    public static Patient patient(String family, String given, String site) {
        Patient patient = new Patient();
        patient.setId(newId());
        patient.addName().setFamily(family).addGiven(given);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.setBirthDateElement(new DateType("1990"));
        patient.addAddress().setCity("Konobougou").setDistrict("Barouéli").setState("Ségou");
        patient.setManagingOrganization(new Reference("Organization/" + site));
        return patient;
    }

    public static Encounter encounter(Patient patient, String site) {
        Encounter encounter = new Encounter();
        encounter.setId(newId());
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
        encounter.setSubject(reference(patient));
        encounter.setServiceProvider(new Reference("Organization/" + site));
        encounter.setPeriod(new Period().setStartElement(DateTimeType.now()));
        encounter.addReasonCode().setText("Fièvre depuis deux jours");
        return encounter;
    }

    /** A body temperature of 39.2 °C taken during {@code encounter}. */
    public static Observation temperature(Patient patient, Encounter encounter) {
        Observation temperature = new Observation();
        temperature.setId(newId());
        temperature.setStatus(Observation.ObservationStatus.FINAL);
        temperature.addCategory(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")));
        temperature.setCode(new CodeableConcept(new Coding(LOINC, "8310-5", "Body temperature")));
        temperature.setSubject(reference(patient));
        temperature.setEncounter(reference(encounter));
        temperature.setEffective(new DateTimeType(new Date()));
        temperature.setValue(new Quantity().setValue(39.2).setUnit("Cel").setSystem("http://unitsofmeasure.org").setCode("Cel"));
        return temperature;
    }

    /** Malaria (ICD-10 B54) diagnosed during {@code encounter}. */
    public static Condition malaria(Patient patient, Encounter encounter) {
        Condition condition = new Condition();
        condition.setId(newId());
        condition.setSubject(reference(patient));
        condition.setEncounter(reference(encounter));
        condition.setCode(new CodeableConcept(new Coding(ICD10, "B54", "Paludisme, sans précision")));
        condition.setClinicalStatus(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/condition-clinical", "active", null)));
        return condition;
    }

    /** An active referral of {@code patient} to the site {@code toSite}. */
    public static ServiceRequest referral(Patient patient, String toSite) {
        ServiceRequest referral = new ServiceRequest();
        referral.setId(newId());
        referral.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
        referral.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        referral.getCode().setText("Référence");
        referral.addReasonCode().setText("Suspicion de paludisme grave");
        referral.setSubject(reference(patient));
        referral.addPerformer(new Reference("Organization/" + toSite));
        referral.setOccurrence(DateTimeType.now());
        return referral;
    }

    public static Reference reference(org.hl7.fhir.r4.model.Resource resource) {
        return new Reference(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
    }
}
