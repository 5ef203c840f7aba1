package ml.santerurale.ig;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled package, checked with HAPI's validator offline: every example conforms to the
 * profile the server holds its type to, and hand-made invalid variants of the examples are
 * errors at the expected place.
 */
class ProfilesTest {

    private static SanteRuraleIg ig;

    @BeforeAll
    static void load() {
        ig = SanteRuraleIg.load(FhirContext.forR4Cached());
    }

    @Test
    void everyProfileHasAnExampleAndEveryExampleConforms() {
        Map<String, Resource> examples = ig.examples();
        assertThat(examples).hasSizeGreaterThanOrEqualTo(16);
        for (Map.Entry<String, Resource> example : examples.entrySet()) {
            assertThat(errors(example.getValue())).as(example.getKey()).isEmpty();
        }
        List<String> exampled = examples.values().stream().map(r -> SanteRuraleIg.profileOf(r).orElseThrow()).toList();
        assertThat(exampled).containsAll(SanteRuraleIg.PROFILE_BY_TYPE.values().stream()
                .filter(p -> !p.endsWith("srm-observation")).toList());
        assertThat(exampled).containsAll(SanteRuraleIg.VITAL_SIGNS.values());
    }

    @Test
    void aPackageThatCannotBeLoadedIsAClearError() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SanteRuraleIg.load(FhirContext.forR4Cached(), "ig/missing.tgz"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ig/missing.tgz is not on the classpath");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> SanteRuraleIg.load(FhirContext.forR4Cached(), "broken-package.tgz"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("broken-package.tgz");
    }

    @Test
    void theGuideCarriesItsTerminology() {
        assertThat(ig.codeSystems()).extracting(cs -> cs.getUrl()).contains(
                "https://sante-rurale.ml/fhir/CodeSystem/site",
                "https://sante-rurale.ml/fhir/CodeSystem/site-level",
                "https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines",
                "https://sante-rurale.ml/fhir/CodeSystem/referral-reason",
                "https://sante-rurale.ml/fhir/CodeSystem/referral-status");
        assertThat(ig.valueSets()).extracting(vs -> vs.getUrl()).contains(
                "https://sante-rurale.ml/fhir/ValueSet/cscom-conditions");
        assertThat(ig.structureDefinitions()).allMatch(sd -> sd.hasSnapshot());
    }

    static Stream<Arguments> invalidVariants() {
        return Stream.of(
                variant("Patient", "Patient", "Patient.birthDate", p -> ((Patient) p).setBirthDateElement(null)),
                variant("Patient", "Patient", "Patient.gender", p -> ((Patient) p).setGender(null)),
                variant("Patient", "Patient.name[0]", "Patient.name.family", p -> ((Patient) p).getNameFirstRep().setFamily(null)),
                variant("Encounter", "Encounter", "Encounter.serviceProvider", e -> ((Encounter) e).setServiceProvider(null)),
                variant("Encounter", "Encounter.period", "Encounter.period.start", e -> ((Encounter) e).getPeriod().setStartElement(null)),
                variant("Encounter", "Encounter.subject", "Group", e -> ((Encounter) e).setSubject(new Reference("Group/1"))),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a51", "Observation.value.ofType(Quantity)", "srm-temp-range",
                        o -> ((Observation) o).getValueQuantity().setValue(375)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a51", "Observation.value.ofType(Quantity)", "srm-temp-range",
                        o -> ((Observation) o).getValueQuantity().setValue(new BigDecimal("29.9"))),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a51", "Observation.value.ofType(Quantity).code", "Cel",
                        o -> ((Observation) o).getValueQuantity().setCode("[degF]").setUnit("°F").setValue(101)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a52", "Observation.value.ofType(Quantity)", "srm-hr-range",
                        o -> ((Observation) o).getValueQuantity().setValue(251)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a53", "Observation.value.ofType(Quantity).code", "kg",
                        o -> ((Observation) o).getValueQuantity().setCode("g").setUnit("g").setValue(58000)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a54", "Observation.value.ofType(Quantity)", "srm-height-range",
                        o -> ((Observation) o).getValueQuantity().setValue(1620)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a55", "Observation.value.ofType(Quantity)", "srm-muac-range",
                        o -> ((Observation) o).getValueQuantity().setValue(245)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a56", "Observation.component[0].value.ofType(Quantity)", "srm-systolic-range",
                        o -> ((Observation) o).getComponentFirstRep().getValueQuantity().setValue(1280)),
                variant("Observation-0b6f7a80-1c2d-4e3f-8a9b-0c1d2e3f4a56", "Observation.subject", "Group",
                        o -> ((Observation) o).setSubject(new Reference("Group/1"))),
                variant("Condition", "Condition", "Condition.encounter", c -> ((Condition) c).setEncounter(null)),
                variant("Condition", "Condition.code", "icd10", c -> ((Condition) c).getCode().getCoding()
                        .set(0, new Coding("http://snomed.info/sct", "61462000", "Malaria"))),
                variant("MedicationRequest", "MedicationRequest.medication.ofType(CodeableConcept)", "mali-essential-medicines",
                        m -> ((MedicationRequest) m).getMedicationCodeableConcept().getCodingFirstRep().setCode("MEG-UNKNOWN")),
                variant("MedicationRequest", "MedicationRequest.dosageInstruction[0]", "MedicationRequest.dosageInstruction.text",
                        m -> ((MedicationRequest) m).getDosageInstructionFirstRep().setText(null)),
                variant("MedicationRequest", "MedicationRequest.dosageInstruction[0].timing.repeat.bounds.ofType(Duration).code", "d",
                        m -> ((MedicationRequest) m).getDosageInstructionFirstRep().getTiming().getRepeat().getBoundsDuration().setCode("wk").setUnit("semaines")),
                variant("Procedure", "Procedure", "Procedure.performed", p -> ((Procedure) p).setPerformed(null)),
                variant("ServiceRequest", "ServiceRequest", "ServiceRequest.performer", s -> ((ServiceRequest) s).getPerformer().clear()),
                variant("ServiceRequest", "ServiceRequest", "ServiceRequest.reasonCode", s -> ((ServiceRequest) s).getReasonCode().clear()),
                variant("ServiceRequest", "ServiceRequest.performer[0]", "Patient", s -> ((ServiceRequest) s).getPerformerFirstRep().setReference("Patient/x")),
                variant("Organization", "Organization", "siteCode", o -> ((Organization) o).getIdentifier()
                        .removeIf(i -> "https://sante-rurale.ml/fhir/sid/site-code".equals(i.getSystem()))),
                variant("DocumentReference", "DocumentReference.content[0].attachment.contentType", "document-content-types",
                        d -> ((DocumentReference) d).getContentFirstRep().getAttachment().setContentType("text/html")),
                variant("DocumentReference", "DocumentReference.content[0].attachment", "srm-doc-content",
                        d -> ((DocumentReference) d).getContentFirstRep().getAttachment().setUrl(null)),
                variant("Provenance", "Provenance", "clockOffset", p -> ((Provenance) p).getExtension().clear()));
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("invalidVariants")
    void invalidVariantsAreErrorsAtTheirPlace(String example, String expression, String mentioned, Consumer<Resource> breakIt) {
        Resource resource = ig.examples().entrySet().stream().filter(e -> e.getKey().startsWith(example)).findFirst().orElseThrow().getValue();
        breakIt.accept(resource);
        List<SingleValidationMessage> errors = errors(resource);
        assertThat(errors).as("errors of a broken " + example).isNotEmpty();
        assertThat(errors).as("errors of a broken " + example)
                .anySatisfy(m -> {
                    assertThat(m.getLocationString()).isEqualTo(expression);
                    assertThat(m.getMessage()).contains(mentioned);
                });
    }

    private static Arguments variant(String example, String expression, String mentioned, Consumer<Resource> breakIt) {
        return Arguments.of(example, expression, mentioned, breakIt);
    }

    private static List<SingleValidationMessage> errors(Resource resource) {
        return ig.validate(resource).getMessages().stream()
                .filter(m -> m.getSeverity().ordinal() >= ResultSeverityEnum.ERROR.ordinal())
                .toList();
    }
}
