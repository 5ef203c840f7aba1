package ml.santerurale.interceptors.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.util.FhirTerser;
import java.util.List;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;

/**
 * What a {@code patient/} scope or a {@code ?category=} restriction means for one resource, and
 * the search parameter that narrows a search to the launch patient's compartment.
 *
 * <p>Membership is FHIR's Patient compartment (HAPI's definition: {@code Observation.subject} and
 * {@code performer}, {@code Patient.link}...). Narrowing uses the type's {@code patient}
 * parameter (the patient the record is about), which is stricter than the compartment; types with
 * neither ({@code Binary}, reference data) cannot be narrowed.
 */
final class PatientCompartment {

    private final FhirContext fhirContext;
    private final FhirTerser terser;

    PatientCompartment(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
        this.terser = fhirContext.newTerser();
    }

    boolean contains(IBaseResource resource, String patientId) {
        return terser.isSourceInCompartmentForTarget("Patient", resource, new IdType("Patient", patientId));
    }

    /** Whether any record of this type can be in a patient's compartment ({@code Binary} and reference data cannot). */
    boolean canHold(String type) {
        return "Patient".equals(type)
                || !fhirContext.getResourceDefinition(type).getSearchParamsForCompartmentName("Patient").isEmpty();
    }

    /** The parameter and value that keep a search of this type to the patient's records, or null when none can. */
    String[] narrowing(String type, String patientId) {
        if ("Patient".equals(type)) {
            return new String[] {"_id", patientId};
        }
        if (fhirContext.getResourceDefinition(type).getSearchParam("patient") != null) {
            return new String[] {"patient", "Patient/" + patientId};
        }
        return null;
    }

    boolean matches(SmartScopes.Alternative alternative, IBaseResource resource, String patientId) {
        return (!alternative.patientCompartment() || contains(resource, patientId))
                && (alternative.category() == null || hasCategory(resource, alternative.category()));
    }

    private static boolean hasCategory(IBaseResource resource, SmartScope.Category category) {
        List<CodeableConcept> categories = resource instanceof Observation o ? o.getCategory()
                : resource instanceof Condition c ? c.getCategory() : List.of();
        return categories.stream().flatMap(c -> c.getCoding().stream())
                .anyMatch(coding -> category.matches(coding.getSystem(), coding.getCode()));
    }
}
