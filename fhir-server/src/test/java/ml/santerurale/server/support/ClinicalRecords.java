package ml.santerurale.server.support;

import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.UUID;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Duration;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Quantity;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * Complete clinical records as a CSCOM writes them (every field a care worker fills in), with
 * fresh ids, for tests that need a record of each kind at a given site, shaped by the
 * implementation guide's profiles (ig/README.md); and the reference data an administrator
 * writes. {@code site} is the site's Organization id, e.g. {@code cscom-konobougou}.
 */
public final class ClinicalRecords {

    public static final String ICD10 = "http://hl7.org/fhir/sid/icd-10";
    public static final String LOINC = "http://loinc.org";
    public static final String UCUM = "http://unitsofmeasure.org";
    public static final String MEDICINES = "https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines";
    public static final String SITE_CODE = "https://sante-rurale.ml/fhir/sid/site-code";
    public static final String CONSULTATION_TYPE = "https://sante-rurale.ml/fhir/CodeSystem/consultation-type";

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
        encounter.addType(curative());
        encounter.setSubject(reference(patient));
        encounter.setServiceProvider(new Reference("Organization/" + site));
        encounter.setPeriod(new Period().setStartElement(DateTimeType.now()));
        encounter.addReasonCode().setText("Fièvre depuis deux jours");
        return encounter;
    }

    /** The guide's consultation type of a curative consultation (required by srm-encounter). */
    public static CodeableConcept curative() {
        return new CodeableConcept(new Coding(CONSULTATION_TYPE, "curative", "Consultation curative"));
    }

    /** The guide's consultation type of a preventive consultation (antenatal care, vaccination, ...). */
    public static CodeableConcept preventive() {
        return new CodeableConcept(new Coding(CONSULTATION_TYPE, "preventive", "Consultation préventive"));
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

    /** Artemether-lumefantrine for three days, prescribed during {@code encounter}. */
    public static MedicationRequest artemetherLumefantrine(Patient patient, Encounter encounter) {
        MedicationRequest request = new MedicationRequest();
        request.setId(newId());
        request.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
        request.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
        request.setSubject(reference(patient));
        request.setEncounter(reference(encounter));
        request.setMedication(new CodeableConcept(new Coding(MEDICINES, "MEG-AL-20-120",
                "Artéméther + luméfantrine 20 mg/120 mg, comprimé")));
        request.addDosageInstruction().setText("4 comprimés matin et soir pendant 3 jours").getTiming().getRepeat()
                .setBounds(new Duration().setValue(3).setUnit("jours").setSystem(UCUM).setCode("d"));
        return request;
    }

    /** A rapid diagnostic test for malaria done during {@code encounter}. */
    public static Procedure rapidMalariaTest(Patient patient, Encounter encounter) {
        Procedure procedure = new Procedure();
        procedure.setId(newId());
        procedure.setStatus(Procedure.ProcedureStatus.COMPLETED);
        procedure.setSubject(reference(patient));
        procedure.setEncounter(reference(encounter));
        procedure.setCode(new CodeableConcept(new Coding("https://sante-rurale.ml/fhir/CodeSystem/cscom-procedures",
                "tdr-palu", "Test de diagnostic rapide du paludisme")));
        procedure.setPerformed(DateTimeType.now());
        return procedure;
    }

    /** A scanned PDF form about {@code patient}, its content inline. */
    public static DocumentReference scannedForm(Patient patient) {
        DocumentReference document = new DocumentReference();
        document.setId(newId());
        document.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
        document.setSubject(reference(patient));
        document.addContent().getAttachment().setContentType("application/pdf").setTitle("fiche.pdf")
                .setData("%PDF-1.4 fiche".getBytes(StandardCharsets.UTF_8));
        return document;
    }

    /** A prescription's text as a Binary (no profile: base R4). */
    public static Binary prescriptionText() {
        Binary binary = new Binary();
        binary.setId(newId());
        binary.setContentType("text/plain");
        binary.setData("Artéméther + luméfantrine, 3 jours".getBytes(StandardCharsets.UTF_8));
        return binary;
    }

    /** {@code patient}'s privacy consent (no profile: base R4). */
    public static Consent privacyConsent(Patient patient) {
        Consent consent = new Consent();
        consent.setId(newId());
        consent.setStatus(Consent.ConsentState.ACTIVE);
        consent.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
        consent.addCategory(new CodeableConcept(new Coding(LOINC, "59284-0", "Patient Consent")));
        consent.setPatient(reference(patient));
        consent.addPolicy().setUri("https://sante-rurale.ml/politique-de-confidentialite");
        return consent;
    }

    /** A Provenance shaped as the sync writes it (srm-sync-provenance), here written by a client. */
    public static Provenance syncProvenance(org.hl7.fhir.r4.model.Resource target, String user, String device) {
        Provenance provenance = new Provenance();
        provenance.setId(newId());
        provenance.addTarget(reference(target));
        provenance.setOccurred(DateTimeType.now());
        provenance.setRecorded(new Date());
        String types = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
        provenance.addAgent().setType(new CodeableConcept(new Coding(types, "author", "Author")))
                .setWho(new Reference().setIdentifier(new Identifier()
                        .setSystem("https://sante-rurale.ml/fhir/sid/keycloak-user").setValue(user)));
        provenance.addAgent().setType(new CodeableConcept(new Coding(types, "assembler", "Assembler")))
                .setWho(new Reference().setIdentifier(new Identifier()
                        .setSystem("https://sante-rurale.ml/fhir/sid/device").setValue(device)));
        provenance.addEntity().setRole(Provenance.ProvenanceEntityRole.SOURCE)
                .setWhat(new Reference().setIdentifier(new Identifier()
                        .setSystem("https://sante-rurale.ml/fhir/sid/sync-batch").setValue(newId())));
        provenance.addExtension("https://sante-rurale.ml/fhir/StructureDefinition/device-clock-offset",
                new Duration().setValue(1.5).setUnit("s").setSystem(UCUM).setCode("s"));
        return provenance;
    }

    /** A CSCOM as a site Organization (srm-organization), with a site code of its own. */
    public static Organization cscom(String name) {
        Organization organization = new Organization();
        organization.setId(newId());
        organization.addIdentifier().setSystem(SITE_CODE).setValue("CSCOM-TEST-" + organization.getIdPart());
        organization.setActive(true);
        organization.setName(name);
        organization.addType(new CodeableConcept(new Coding("https://sante-rurale.ml/fhir/CodeSystem/site-level", "cscom",
                "Centre de santé communautaire (CSCOM)")));
        return organization;
    }

    /** A site's Location (srm-location), managed by {@code site}'s Organization. */
    public static Location siteLocation(String name, String site) {
        Location location = new Location();
        location.setId(newId());
        location.addIdentifier().setSystem(SITE_CODE).setValue("CSCOM-TEST-" + location.getIdPart());
        location.setStatus(Location.LocationStatus.ACTIVE);
        location.setName(name);
        location.getPosition().setLatitude(12.93).setLongitude(-6.74);
        location.setManagingOrganization(new Reference("Organization/" + site));
        return location;
    }

    /** A nurse (no profile: base R4). */
    public static Practitioner nurse(String family, String given) {
        Practitioner practitioner = new Practitioner();
        practitioner.setId(newId());
        practitioner.setActive(true);
        practitioner.addName().setFamily(family).addGiven(given);
        return practitioner;
    }

    /** {@code practitioner} working at {@code site} (no profile: base R4). */
    public static PractitionerRole workingAt(Practitioner practitioner, String site) {
        PractitionerRole role = new PractitionerRole();
        role.setId(newId());
        role.setActive(true);
        role.setPractitioner(reference(practitioner));
        role.setOrganization(new Reference("Organization/" + site));
        role.addCode(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/practitioner-role", "nurse", "Nurse")));
        return role;
    }

    public static Reference reference(org.hl7.fhir.r4.model.Resource resource) {
        return new Reference(resource.fhirType() + "/" + resource.getIdElement().getIdPart());
    }
}
