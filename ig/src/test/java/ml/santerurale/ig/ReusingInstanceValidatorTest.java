package ml.santerurale.ig;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ValidationOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The pooled validator says exactly what HAPI's own {@link FhirInstanceValidator} says (same
 * settings, and a support chain listing every core definition where the guide's lists only the
 * core's types, {@link CoreTypesListed}) on the guide's examples and on broken variants, also when one
 * validator has just judged another resource and when many threads validate at once.
 */
class ReusingInstanceValidatorTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static SanteRuraleIg ig;
    private static FhirValidator hapis;

    @BeforeAll
    static void load() {
        ig = SanteRuraleIg.load(FHIR);
        UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(FHIR);
        unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
        ValidationSupportChain everyCoreDefinitionListed = new ValidationSupportChain(ig.packageSupport(),
                new DefaultProfileValidationSupport(FHIR), new CommonCodeSystemsTerminologyService(FHIR),
                new InMemoryTerminologyServerValidationSupport(FHIR), unknownCodeSystems);
        FhirInstanceValidator module = new FhirInstanceValidator(everyCoreDefinitionListed);
        module.setAnyExtensionsAllowed(true);
        module.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
        module.setAssumeValidRestReferences(true);
        hapis = FHIR.newValidator();
        hapis.setValidateAgainstStandardSchema(false);
        hapis.setValidateAgainstStandardSchematron(false);
        hapis.registerValidatorModule(module);
    }

    /** The examples, each followed by a broken copy, so a reused validator alternates good and bad. */
    private static List<Resource> goodAndBroken() {
        List<Resource> resources = new ArrayList<>();
        for (Resource example : ig.examples().values()) {
            resources.add(example);
            Resource broken = example.copy();
            if (broken instanceof Patient patient) {
                patient.setGender(null).setBirthDateElement(null);
                // A core extension (not listed, found by URL) with the wrong type of value.
                patient.addExtension("http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
                        new org.hl7.fhir.r4.model.StringType("Konobougou"));
            } else if (broken instanceof Observation observation && observation.hasValueQuantity()) {
                observation.getValueQuantity().setValue(-1).setCode("bogus");
            } else {
                broken.getMeta().addProfile("https://sante-rurale.ml/fhir/StructureDefinition/no-such-profile");
            }
            resources.add(broken);
        }
        return resources;
    }

    private static List<String> byHapi(Resource resource) {
        ValidationOptions options = new ValidationOptions();
        SanteRuraleIg.profileOf(resource).ifPresent(options::addProfile);
        return describe(hapis.validateWithResult(resource, options));
    }

    private static List<String> describe(ca.uhn.fhir.validation.ValidationResult result) {
        return result.getMessages().stream()
                .map(m -> m.getSeverity() + " " + m.getLocationString() + " " + m.getMessage())
                .sorted().toList();
    }

    /** What keeps the R5 copies of unused core definitions out of the heap (CoreTypesListed). */
    @Test
    void theChainListsTheCoreTypesButNotTheCoreExtensionsWhichItStillFindsByUrl() {
        String birthPlace = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace";
        List<String> listed = ig.validationSupport().fetchAllStructureDefinitions().stream()
                .map(sd -> ((org.hl7.fhir.r4.model.StructureDefinition) sd).getUrl()).toList();
        assertThat(listed).contains("http://hl7.org/fhir/StructureDefinition/Patient",
                "http://hl7.org/fhir/StructureDefinition/string", SanteRuraleIg.PROFILE_BY_TYPE.get("Patient"));
        assertThat(listed).doesNotContain(birthPlace, "http://hl7.org/fhir/StructureDefinition/vitalsigns");
        assertThat(ig.validationSupport().fetchStructureDefinition(birthPlace)).isNotNull();
    }

    @Test
    void saysWhatHapisValidatorSaysOnExamplesAndBrokenVariants() {
        int errors = 0;
        List<String> all = new ArrayList<>();
        for (Resource resource : goodAndBroken()) {
            List<String> expected = byHapi(resource);
            assertThat(describe(ig.validate(resource))).as(resource.fhirType()).isEqualTo(expected);
            errors += (int) expected.stream().filter(m -> m.startsWith("ERROR")).count();
            all.addAll(expected);
        }
        assertThat(errors).as("the broken variants are broken").isGreaterThan(ig.examples().size());
        assertThat(all).as("the core extension's definition was found and applied")
                .anyMatch(m -> m.startsWith("ERROR") && m.contains("patient-birthPlace"));
    }

    @Test
    void manyThreadsGetTheSameAnswersAsOne() throws Exception {
        List<Resource> resources = goodAndBroken();
        List<List<String>> expected = resources.stream().map(ReusingInstanceValidatorTest::byHapi).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int offset = t;
                runs.add(pool.submit(() -> {
                    for (int round = 0; round < 3; round++) {
                        for (int i = 0; i < resources.size(); i++) {
                            int k = (i + offset) % resources.size();
                            if (!describe(ig.validate(resources.get(k))).equals(expected.get(k))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> run : runs) {
                assertThat(run.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
