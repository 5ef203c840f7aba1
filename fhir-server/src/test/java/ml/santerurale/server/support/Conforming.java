package ml.santerurale.server.support;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Test records that conform to the implementation guide (ig/README.md): the minimum each profile
 * requires, as a care worker's phone sends it. Tests add what they are about.
 */
public final class Conforming {

    public static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";
    public static final String MEDICINES = "https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines";
    private static final String UCUM = "http://unitsofmeasure.org";

    private Conforming() {}

    /** A woman born (about) 1990. */
    public static Patient patient(String family, String given) {
        Patient patient = new Patient();
        patient.addName().setFamily(family).addGiven(given);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        patient.setBirthDateElement(new DateType("1990"));
        return patient;
    }

    /** A consultation today at {@code organization} ({@code Organization/cscom-konobougou}). */
    public static Encounter encounter(String patient, String organization) {
        Encounter encounter = new Encounter();
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
        encounter.addType(ClinicalRecords.curative());
        encounter.setSubject(new Reference(patient));
        encounter.setServiceProvider(new Reference(organization));
        encounter.getPeriod().setStart(new Date());
        return encounter;
    }

    public static Observation temperature(String patient, double celsius) {
        Observation temperature = new Observation();
        temperature.setStatus(Observation.ObservationStatus.FINAL);
        temperature.addCategory(new CodeableConcept(new Coding(
                "http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")));
        temperature.setCode(new CodeableConcept(new Coding("http://loinc.org", "8310-5", "Body temperature")));
        temperature.setSubject(new Reference(patient));
        temperature.setEffective(new DateTimeType(new Date()));
        temperature.setValue(new Quantity().setValue(BigDecimal.valueOf(celsius)).setUnit("°C").setSystem(UCUM).setCode("Cel"));
        return temperature;
    }

    public static Condition condition(String patient, String encounter, String icd10, String display) {
        Condition condition = new Condition();
        condition.setSubject(new Reference(patient));
        condition.setEncounter(new Reference(encounter));
        condition.setCode(new CodeableConcept(new Coding(ICD10, icd10, display)));
        return condition;
    }

    public static MedicationRequest artemetherLumefantrine(String patient, String encounter) {
        MedicationRequest request = new MedicationRequest();
        request.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
        request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        request.setSubject(new Reference(patient));
        request.setEncounter(new Reference(encounter));
        request.setMedication(new CodeableConcept(new Coding(MEDICINES, "MEG-AL-20-120",
                "Artéméther + luméfantrine 20 mg/120 mg, comprimé")));
        request.addDosageInstruction().setText("4 comprimés matin et soir pendant 3 jours").getTiming().getRepeat()
                .setBounds(new Duration().setValue(3).setUnit("jours").setSystem(UCUM).setCode("d"));
        return request;
    }

    public static Procedure rapidMalariaTest(String patient, String encounter) {
        Procedure procedure = new Procedure();
        procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
        procedure.setSubject(new Reference(patient));
        procedure.setEncounter(new Reference(encounter));
        procedure.setCode(new CodeableConcept(new Coding("https://sante-rurale.ml/fhir/CodeSystem/cscom-procedures",
                "tdr-palu", "Test de diagnostic rapide du paludisme")));
        procedure.setPerformed(new DateTimeType(new Date()));
        return procedure;
    }

    /** A referral of {@code patient} to the site whose Organization is {@code destination}. */
    public static ServiceRequest referral(String patient, String destination, ServiceRequest.ServiceRequestStatus status) {
        ServiceRequest referral = new ServiceRequest();
        referral.setStatus(status);
        referral.setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
        referral.setSubject(new Reference(patient));
        referral.addPerformer(new Reference(destination));
        referral.addReasonCode(new CodeableConcept(new Coding("https://sante-rurale.ml/fhir/CodeSystem/referral-reason",
                "avis-specialise", "Avis ou examen spécialisé")));
        return referral;
    }

    public static DocumentReference pdf(String patient) {
        DocumentReference document = new DocumentReference();
        document.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        document.setSubject(new Reference(patient));
        document.addContent().getAttachment().setContentType("application/pdf").setData("%PDF-1.4 fiche".getBytes(StandardCharsets.UTF_8));
        return document;
    }

    /** A Provenance as the sync writes it (srm-sync-provenance), here written by a client. */
    public static org.hl7.fhir.r4.model.Provenance syncProvenance(String target, String user, String device, String batchKey) {
        org.hl7.fhir.r4.model.Provenance provenance = new org.hl7.fhir.r4.model.Provenance();
        provenance.addTarget(new Reference(target));
        provenance.setOccurred(new DateTimeType(new Date()));
        provenance.setRecorded(new Date());
        String types = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
        provenance.addAgent().setType(new CodeableConcept(new Coding(types, "author", "Author")))
                .setWho(new Reference().setIdentifier(new org.hl7.fhir.r4.model.Identifier()
                        .setSystem("https://sante-rurale.ml/fhir/sid/keycloak-user").setValue(user)));
        provenance.addAgent().setType(new CodeableConcept(new Coding(types, "assembler", "Assembler")))
                .setWho(new Reference().setIdentifier(new org.hl7.fhir.r4.model.Identifier()
                        .setSystem("https://sante-rurale.ml/fhir/sid/device").setValue(device)));
        provenance.addEntity().setRole(org.hl7.fhir.r4.model.Provenance.ProvenanceEntityRole.SOURCE)
                .setWhat(new Reference().setIdentifier(new org.hl7.fhir.r4.model.Identifier()
                        .setSystem("https://sante-rurale.ml/fhir/sid/sync-batch").setValue(batchKey)));
        provenance.addExtension("https://sante-rurale.ml/fhir/StructureDefinition/device-clock-offset",
                new Duration().setValue(1.5).setUnit("s").setSystem(UCUM).setCode("s"));
        return provenance;
    }

    /** A CSCOM as a site Organization (code like {@code CSCOM-TEST-…}). */
    public static Organization site(String code, String name) {
        Organization organization = new Organization();
        organization.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/site-code").setValue(code);
        organization.setName(name);
        organization.addType(new CodeableConcept(new Coding("https://sante-rurale.ml/fhir/CodeSystem/site-level", "cscom",
                "Centre de santé communautaire (CSCOM)")));
        return organization;
    }

    public static Location siteLocation(String code, String name, String organization) {
        Location location = new Location();
        location.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/site-code").setValue(code);
        location.setName(name);
        location.getPosition().setLatitude(12.65).setLongitude(-8.0);
        location.setManagingOrganization(new Reference(organization));
        return location;
    }
}
