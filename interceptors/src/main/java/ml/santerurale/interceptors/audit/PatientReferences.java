package ml.santerurale.interceptors.audit;

import java.util.List;
import java.util.Set;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Binary;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;

/**
 * The patient a clinical resource is about: the resource itself for a Patient, else its
 * subject / patient reference (Provenance: each Patient target; Binary: its security context).
 * Plain field reads, no FHIRPath, so a page of 500 results costs microseconds.
 *
 * <p>Does not resolve references: a subject given as a logical identifier or a contained
 * resource names no patient; neither does a subject that is a Group.
 */
final class PatientReferences {

    private PatientReferences() {}

    static void collect(IBaseResource resource, Set<String> into) {
        if (resource instanceof Patient patient) {
            if (patient.getIdElement().hasIdPart()) {
                into.add("Patient/" + patient.getIdElement().getIdPart());
            }
        } else if (resource instanceof Encounter r) {
            add(r.getSubject(), into);
        } else if (resource instanceof Observation r) {
            add(r.getSubject(), into);
        } else if (resource instanceof Condition r) {
            add(r.getSubject(), into);
        } else if (resource instanceof MedicationRequest r) {
            add(r.getSubject(), into);
        } else if (resource instanceof Procedure r) {
            add(r.getSubject(), into);
        } else if (resource instanceof ServiceRequest r) {
            add(r.getSubject(), into);
        } else if (resource instanceof DocumentReference r) {
            add(r.getSubject(), into);
        } else if (resource instanceof Consent r) {
            add(r.getPatient(), into);
        } else if (resource instanceof Provenance r) {
            add(r.getTarget(), into);
        } else if (resource instanceof Binary r) {
            add(r.getSecurityContext(), into);
        }
    }

    private static void add(List<Reference> references, Set<String> into) {
        references.forEach(reference -> add(reference, into));
    }

    private static void add(Reference reference, Set<String> into) {
        if (reference == null || !reference.hasReference()) {
            return;
        }
        String value = reference.getReferenceElement().toUnqualifiedVersionless().getValue();
        if (value != null && value.startsWith("Patient/") && value.indexOf('/', 8) < 0) {
            into.add(value);
        }
    }
}
