package ml.santerurale.ig;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.NpmPackageValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CodeSystem;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StructureDefinition;
import org.hl7.fhir.r4.model.ValueSet;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * The compiled Santé Rurale Mali implementation guide ({@value #PACKAGE_RESOURCE} in this jar) and
 * a validator for it. Loading is the expensive part (the package, the R4 core definitions, one
 * validation support chain whose caches live as long as this object); {@link #validate} is
 * thread-safe, so one instance serves a whole server.
 *
 * <p>{@link #profileOf} names the profile a resource is held to, whether or not it claims one in
 * {@code meta.profile} (claimed profiles are checked too): one per type, Observations by their
 * LOINC code (a vital sign by its own profile, any other observation by the generic one).
 */
public final class SanteRuraleIg {

    public static final String PACKAGE_RESOURCE = "ig/sante-rurale-mali.tgz";
    public static final String CANONICAL = "https://sante-rurale.ml/fhir";
    private static final String SD = CANONICAL + "/StructureDefinition/";
    private static final String LOINC = "http://loinc.org";

    /** The profile of each profiled type; Observation is the generic one, see {@link #VITAL_SIGNS}. */
    public static final Map<String, String> PROFILE_BY_TYPE = Map.ofEntries(
            Map.entry("Patient", SD + "srm-patient"),
            Map.entry("Encounter", SD + "srm-encounter"),
            Map.entry("Observation", SD + "srm-observation"),
            Map.entry("Condition", SD + "srm-condition"),
            Map.entry("MedicationRequest", SD + "srm-medication-request"),
            Map.entry("Procedure", SD + "srm-procedure"),
            Map.entry("ServiceRequest", SD + "srm-referral"),
            Map.entry("Organization", SD + "srm-organization"),
            Map.entry("Location", SD + "srm-location"),
            Map.entry("DocumentReference", SD + "srm-document-reference"),
            Map.entry("Provenance", SD + "srm-sync-provenance"));

    /** Vital-sign profiles by LOINC code. */
    public static final Map<String, String> VITAL_SIGNS = Map.of(
            "8310-5", SD + "srm-body-temperature",
            "8867-4", SD + "srm-heart-rate",
            "29463-7", SD + "srm-body-weight",
            "8302-2", SD + "srm-body-height",
            "56072-2", SD + "srm-muac",
            "85354-9", SD + "srm-blood-pressure");

    private final FhirContext context;
    private final NpmPackage npmPackage;
    private final NpmPackageValidationSupport packageSupport;
    private final List<Resource> conformance;
    private final ValidationSupportChain chain;
    private final FhirValidator validator;

    private SanteRuraleIg(FhirContext context, NpmPackage npmPackage, NpmPackageValidationSupport packageSupport,
            List<Resource> conformance, ValidationSupportChain chain, FhirValidator validator) {
        this.context = context;
        this.npmPackage = npmPackage;
        this.packageSupport = packageSupport;
        this.conformance = conformance;
        this.chain = chain;
        this.validator = validator;
    }

    /**
     * Loads the package from the classpath and checks it: every profile named above is in it, with
     * a snapshot. Throws {@link IllegalStateException} saying what is wrong otherwise.
     */
    public static SanteRuraleIg load(FhirContext context) {
        return load(context, PACKAGE_RESOURCE);
    }

    /** {@link #load(FhirContext)} from another classpath resource (tests of a broken package). */
    static SanteRuraleIg load(FhirContext context, String packageResource) {
        NpmPackage npmPackage;
        try (InputStream in = SanteRuraleIg.class.getClassLoader().getResourceAsStream(packageResource)) {
            if (in == null) {
                throw new IllegalStateException("The implementation guide package " + packageResource
                        + " is not on the classpath (build the ig module)");
            }
            npmPackage = NpmPackage.fromPackage(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The implementation guide package " + packageResource + " cannot be read: " + e.getMessage(), e);
        }
        NpmPackageValidationSupport packageSupport = new NpmPackageValidationSupport(context);
        try {
            packageSupport.loadPackageFromClasspath("classpath:" + packageResource);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("The implementation guide package " + packageResource + " cannot be loaded: " + e.getMessage(), e);
        }
        List<Resource> conformance = new ArrayList<>();
        for (IBaseResource resource : packageSupport.fetchAllConformanceResources()) {
            conformance.add((Resource) resource);
        }
        List<String> problems = new ArrayList<>();
        List<String> wanted = new ArrayList<>(PROFILE_BY_TYPE.values());
        wanted.addAll(VITAL_SIGNS.values());
        for (String url : wanted) {
            IBaseResource found = packageSupport.fetchStructureDefinition(url);
            if (!(found instanceof StructureDefinition sd)) {
                problems.add(url + " is missing");
            } else if (!sd.hasSnapshot()) {
                problems.add(url + " has no snapshot");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The implementation guide package " + packageResource + " is not usable: "
                    + String.join("; ", problems));
        }

        UnknownCodeSystemWarningValidationSupport unknownCodeSystems = new UnknownCodeSystemWarningValidationSupport(context);
        unknownCodeSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
        ValidationSupportChain chain = new ValidationSupportChain(
                packageSupport,
                new CoreTypesListed(context, new DefaultProfileValidationSupport(context)),
                new CommonCodeSystemsTerminologyService(context),
                new InMemoryTerminologyServerValidationSupport(context),
                unknownCodeSystems);
        ReusingInstanceValidator module = new ReusingInstanceValidator(chain);
        module.setNoTerminologyChecks(false);
        module.setAnyExtensionsAllowed(true);
        // Best-practice advice (narrative, performer) never refuses a write; not computing it saves time.
        module.setBestPracticeWarningLevel(BestPracticeWarningLevel.Ignore);
        // A reference that cannot be resolved here (Patient/<id>) is judged by the type in its URL.
        module.setAssumeValidRestReferences(true);
        FhirValidator validator = context.newValidator();
        validator.setValidateAgainstStandardSchema(false);
        validator.setValidateAgainstStandardSchematron(false);
        validator.registerValidatorModule(module);
        return new SanteRuraleIg(context, npmPackage, packageSupport, Collections.unmodifiableList(conformance), chain, validator);
    }

    /** The profile a resource is held to, if its type has one. */
    public static Optional<String> profileOf(IBaseResource resource) {
        String type = resource.fhirType();
        if (resource instanceof Observation observation) {
            for (Coding coding : observation.getCode().getCoding()) {
                if (LOINC.equals(coding.getSystem()) && VITAL_SIGNS.containsKey(coding.getCode())) {
                    return Optional.of(VITAL_SIGNS.get(coding.getCode()));
                }
            }
        }
        return Optional.ofNullable(PROFILE_BY_TYPE.get(type));
    }

    /** Validates against {@link #profileOf} (and any profile the resource claims). Thread-safe. */
    public ValidationResult validate(IBaseResource resource) {
        ValidationOptions options = new ValidationOptions();
        profileOf(resource).ifPresent(options::addProfile);
        return validator.validateWithResult(resource, options);
    }

    /** The validation support chain (package, core definitions, terminology), cached. */
    public IValidationSupport validationSupport() {
        return chain;
    }

    /** The guide's own conformance resources alone, as a validation support (for another chain). */
    public IValidationSupport packageSupport() {
        return packageSupport;
    }

    /** Every StructureDefinition, CodeSystem and ValueSet of the guide. */
    public List<Resource> conformanceResources() {
        return conformance;
    }

    public List<StructureDefinition> structureDefinitions() {
        return conformance.stream().filter(StructureDefinition.class::isInstance).map(StructureDefinition.class::cast).toList();
    }

    public List<CodeSystem> codeSystems() {
        return conformance.stream().filter(CodeSystem.class::isInstance).map(CodeSystem.class::cast).toList();
    }

    public List<ValueSet> valueSets() {
        return conformance.stream().filter(ValueSet.class::isInstance).map(ValueSet.class::cast).toList();
    }

    /** The guide's examples (package folder {@code example}), by file name, parsed afresh on each call. */
    public Map<String, Resource> examples() {
        Map<String, Resource> examples = new LinkedHashMap<>();
        try {
            for (String file : npmPackage.list("example")) {
                try (InputStream in = npmPackage.load("example", file)) {
                    String json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    examples.put(file, (Resource) context.newJsonParser().parseResource(json));
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the examples of " + PACKAGE_RESOURCE, e);
        }
        return examples;
    }

    public String packageVersion() {
        return npmPackage.version();
    }
}
