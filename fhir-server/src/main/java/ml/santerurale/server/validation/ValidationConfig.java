package ml.santerurale.server.validation;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.rest.server.RestfulServer;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import ml.santerurale.ig.SanteRuraleIg;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The implementation guide built into the server (module {@code ig}): loaded at start from the
 * classpath (a package that cannot be loaded stops the server), its conformance resources served
 * read-only, its profiles named in the CapabilityStatement and, unless
 * {@code srm.validation.enabled=false} (benchmarks only), enforced on every client write.
 */
@Configuration(proxyBeanMethods = false)
class ValidationConfig {

    private static final Logger log = LoggerFactory.getLogger(ValidationConfig.class);

    @Bean
    SanteRuraleIg santeRuraleIg(FhirContext fhirContext, IValidationSupport jpaValidationSupport) {
        long start = System.nanoTime();
        SanteRuraleIg ig;
        try {
            ig = SanteRuraleIg.load(fhirContext);
        } catch (IllegalStateException e) {
            throw new IllegalStateException("The server cannot start without its implementation guide: " + e.getMessage(), e);
        }
        // HAPI's own validator ($validate, a claimed meta.profile) resolves the guide's profiles too.
        if (jpaValidationSupport instanceof ValidationSupportChain chain) {
            chain.addValidationSupport(0, ig.packageSupport());
        }
        log.info("Implementation guide {} loaded: {} conformance resources in {} ms", ig.packageVersion(),
                ig.conformanceResources().size(), (System.nanoTime() - start) / 1_000_000);
        return ig;
    }

    @Bean
    ProfilesInCapabilityStatement profilesInCapabilityStatement(SanteRuraleIg ig, RestfulServer restfulServer,
            IInterceptorService interceptorService) {
        restfulServer.registerProviders(ConformanceResources.providers(ig));
        ProfilesInCapabilityStatement profiles = new ProfilesInCapabilityStatement();
        interceptorService.registerInterceptor(profiles);
        return profiles;
    }

    /**
     * Validates transaction and batch entries on other cores while HAPI stores them (see
     * {@link EntryPrevalidation}); {@code srm.validation.parallel-entries=false} validates them
     * one after the other as HAPI reaches them.
     */
    @Bean(destroyMethod = "close")
    EntryPrevalidation entryPrevalidation(RequestValidations requestValidations, MeterRegistry registry) {
        int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
        EntryPrevalidation prevalidation = new EntryPrevalidation(requestValidations::validate, threads, 4_096);
        String description = "Bundle entries held to the guide: validated ahead on another core, or by the request thread";
        FunctionCounter.builder("srm.validation.bundle.entries", prevalidation, EntryPrevalidation::usedAhead)
                .description(description).tag("validated", "ahead").register(registry);
        FunctionCounter.builder("srm.validation.bundle.entries", prevalidation, EntryPrevalidation::leftToCaller)
                .description(description).tag("validated", "inline").register(registry);
        return prevalidation;
    }

    /**
     * The validator's warm-up (see {@link ValidatorWarmUp}), both steps once the server is ready
     * (during start-up they took a core the start needed: 48.7 s to ready against 32.8 s without
     * validation, bench/foundation.sh): the R4 core definitions, then
     * {@code srm.validation.warm-up-validations} (default 3,000) validations, clients' writes
     * included, giving way to them. A write that comes first waits for the definitions the warm-up
     * is loading, as it would have loaded them itself.
     */
    @Bean
    ValidatorWarmUp validatorWarmUp(SanteRuraleIg ig, RequestValidations requestValidations,
            @Value("${srm.validation.warm-up-validations:3000}") int validations) {
        return new ValidatorWarmUp(List.copyOf(ig.examples().values()), ig::validate, validations, requestValidations);
    }

    /** Clients' writes held to the guide, counted for the warm-up (which gives way to them). */
    @Bean
    RequestValidations requestValidations(SanteRuraleIg ig) {
        return new RequestValidations(ig::validate);
    }

    @Bean
    ApplicationListener<ApplicationReadyEvent> validatorWarmUpWhenReady(ValidatorWarmUp warmUp,
            @Value("${srm.validation.enabled:true}") boolean enabled) {
        return ready -> {
            if (enabled) {
                warmUp.loadDefinitions();
                warmUp.compile();
            }
        };
    }

    @Bean
    ProfileEnforcement profileEnforcement(RequestValidations requestValidations, EntryPrevalidation prevalidation,
            IInterceptorService interceptorService,
            @Value("${srm.validation.enabled:true}") boolean enabled,
            @Value("${srm.validation.parallel-entries:true}") boolean parallelEntries) {
        ProfileEnforcement enforcement = new ProfileEnforcement(requestValidations, parallelEntries ? prevalidation : null);
        if (enabled) {
            interceptorService.registerInterceptor(enforcement);
        } else {
            log.warn("srm.validation.enabled=false: writes are NOT checked against the implementation guide");
        }
        return enforcement;
    }
}
