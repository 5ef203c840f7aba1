package ml.santerurale.ig;

import ca.uhn.fhir.context.ConfigurationException;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.IValidationContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r5.context.IWorkerContext;
import org.hl7.fhir.r5.elementmodel.JsonParser;
import org.hl7.fhir.r5.elementmodel.ParserBase;
import org.hl7.fhir.r5.elementmodel.ValidatedFragment;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r5.fhirpath.IHostApplicationServices;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.i18n.I18nConstants;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;

/**
 * HAPI's {@link FhirInstanceValidator} with one difference: core {@link InstanceValidator}s are
 * kept in a small pool and reused, instead of one being built per validated resource. Building one costs
 * more than validating a small resource (its constructor parses a 1.5 MB OID registry, sets up a
 * FHIRPath engine and profile utilities), which made every create 10–20 ms slower.
 *
 * <p>Reuse is what the core validator is made for: its main entry point clears the per-resource
 * state (fetch cache, resource trackers, tracked messages) before each validation. What it keeps —
 * canonical lookups, the set of code/text pairs it has seen — grows with the variety of input, so
 * a validator is dropped after {@value #USES_BEFORE_RENEWAL} validations to bound that growth. One
 * validator serves one validation at a time; the pool keeps at most {@link #maxIdle} idle ones
 * (twice the processors), so a burst of concurrent writes builds extra validators that are then
 * dropped rather than kept by every request thread. Only JSON input is handled (the server validates what it parsed, encoded as JSON);
 * the settings are those of {@code ValidatorWrapper} in HAPI 8.8.0 and must be kept in step with
 * it when HAPI is upgraded. It does not make validation of a large resource faster.
 */
final class ReusingInstanceValidator extends FhirInstanceValidator {

    static final int USES_BEFORE_RENEWAL = 1_000;

    private final ConcurrentLinkedDeque<Pooled> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger idleCount = new AtomicInteger();
    private final int maxIdle = 2 * Runtime.getRuntime().availableProcessors();
    /** Resource types' definitions by name, for every pooled parser (see {@link DefinitionCachingJsonParser}). */
    private final Map<String, StructureDefinition> definitions = new ConcurrentHashMap<>();

    private static final class Pooled {
        final InstanceValidator validator;
        /** Kept too: building one sets up a FHIRPath engine and profile utilities, as the validator does. */
        final JsonParser parser;
        int uses;

        Pooled(InstanceValidator validator, JsonParser parser) {
            this.validator = validator;
            this.parser = parser;
        }
    }

    ReusingInstanceValidator(IValidationSupport support) {
        super(support);
    }

    @Override
    protected List<ValidationMessage> validate(IValidationContext<?> context) {
        if (context.getResourceAsStringEncoding() != EncodingEnum.JSON) {
            return super.validate(context);
        }
        WorkerContextValidationSupportAdapter worker = provideWorkerContext();
        Pooled pooled = borrow(worker);
        try {
            return validate(context, worker, pooled);
        } finally {
            giveBack(pooled);
        }
    }

    private List<ValidationMessage> validate(IValidationContext<?> context, IWorkerContext worker, Pooled pooled) {

        List<ValidationMessage> messages = new ArrayList<>();
        List<ValidationMessage> unknownProfiles = new ArrayList<>();
        List<StructureDefinition> profiles = new ArrayList<>();
        Set<String> urls = new LinkedHashSet<>(context.getOptions().getProfiles());
        Object validated = context.getResource();
        if (validated instanceof IBaseResource resource) {
            for (IPrimitiveType<String> claimed : resource.getMeta().getProfile()) {
                urls.add(claimed.getValueAsString());
            }
        }
        for (String url : urls) {
            StructureDefinition profile = worker.fetchResource(StructureDefinition.class, url);
            if (profile != null) {
                profiles.add(profile);
            } else {
                ValidationMessage unknown = new ValidationMessage();
                unknown.setMessageId(I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN);
                unknown.setLevel(ValidationMessage.IssueSeverity.ERROR);
                unknown.setMessage("Invalid profile. Failed to retrieve profile with url=" + url);
                unknownProfiles.add(unknown);
            }
        }
        // What InstanceValidator.validate(InputStream, JSON, profiles) does, with this slot's parser
        // instead of a new one per call (JSON has no logical model nor implied profile).
        byte[] json = context.getResourceAsString().getBytes(StandardCharsets.UTF_8);
        List<ValidatedFragment> fragments;
        try {
            fragments = pooled.parser.parse(new ByteArrayInputStream(json));
        } catch (IOException e) {
            throw new FHIRException(e);
        }
        for (ValidatedFragment fragment : fragments) {
            if (fragment.getElement() != null) {
                pooled.validator.validate(context.getOptions().getAppContext(), fragment.getErrors(),
                        fragments.size() > 1 ? fragment.path() : null, fragment.getElement(), profiles);
            }
            messages.addAll(fragment.getErrors());
        }
        // What HAPI's ValidatorWrapper does after validating, in the same order.
        if (profiles.isEmpty()) {
            messages.addAll(unknownProfiles);
        }
        messages.removeIf(m -> I18nConstants.TERMINOLOGY_TX_BINDING_NOSOURCE.equals(m.getMessageId())
                || (I18nConstants.TERMINOLOGY_TX_VALUESET_NOTFOUND.equals(m.getMessageId())
                        && m.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes")));
        for (ValidationMessage m : messages) {
            if (I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN.equals(m.getMessageId())
                    || I18nConstants.VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY.equals(m.getMessageId())) {
                m.setLevel(isErrorForUnknownProfiles() ? ValidationMessage.IssueSeverity.ERROR
                        : ValidationMessage.IssueSeverity.WARNING);
            }
        }
        return messages;
    }

    private Pooled borrow(IWorkerContext worker) {
        Pooled pooled = idle.pollFirst();
        if (pooled == null) {
            JsonParser parser = new DefinitionCachingJsonParser(worker, definitions);
            parser.setupValidation(ParserBase.ValidationPolicy.EVERYTHING);
            return new Pooled(build(worker), parser);
        }
        idleCount.decrementAndGet();
        return pooled;
    }

    private void giveBack(Pooled pooled) {
        pooled.uses++;
        if (pooled.uses < USES_BEFORE_RENEWAL && idleCount.incrementAndGet() <= maxIdle) {
            idle.offerFirst(pooled);
        } else if (pooled.uses < USES_BEFORE_RENEWAL) {
            idleCount.decrementAndGet();
        }
    }

    private IHostApplicationServices hostServices() {
        IHostApplicationServices configured = getHostApplicationServices();
        return configured != null ? configured : new FhirInstanceValidator.NullEvaluationContext();
    }

    private InstanceValidator build(IWorkerContext worker) {
        InstanceValidator v;
        try {
            v = new InstanceValidator(worker, hostServices(),
                    new XVerExtensionManagerOld(worker), new ValidatorSession(), new ValidatorSettings());
        } catch (Exception e) {
            throw new ConfigurationException("The instance validator cannot be built: " + e.getMessage(), e);
        }
        v.setAssumeValidRestReferences(isAssumeValidRestReferences());
        v.setBestPracticeWarningLevel(getBestPracticeWarningLevel());
        v.setAnyExtensionsAllowed(isAnyExtensionsAllowed());
        v.setResourceIdRule(IdStatus.OPTIONAL);
        v.setNoTerminologyChecks(isNoTerminologyChecks());
        v.setErrorForUnknownProfiles(isErrorForUnknownProfiles());
        // As HAPI's ValidatorWrapper: unknown code systems are judged by UnknownCodeSystemWarningValidationSupport.
        v.setUnknownCodeSystemsCauseErrors(true);
        v.getExtensionDomains().addAll(getExtensionDomains());
        v.setFetcher(getValidatorResourceFetcher());
        v.setPolicyAdvisor(getValidatorPolicyAdvisor());
        v.setNoExtensibleWarnings(isNoExtensibleWarnings());
        v.setNoBindingMsgSuppressed(isNoBindingMsgSuppressed());
        v.setAllowExamples(isAllowExamples());
        v.setAllowXsiLocation(true);
        return v;
    }
}
