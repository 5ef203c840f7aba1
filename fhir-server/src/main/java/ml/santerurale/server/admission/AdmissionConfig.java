package ml.santerurale.server.admission;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Admission control of the FHIR endpoint (see {@link AdmissionGate}), with its metrics. */
@Configuration(proxyBeanMethods = false)
class AdmissionConfig {

    @Bean
    AdmissionGate admissionGate(AdmissionProperties properties, IInterceptorService interceptorService,
            MeterRegistry registry) {
        AdmissionGate gate = new AdmissionGate(properties.maxConcurrent(), properties.maxWait(), properties.retryAfter());
        interceptorService.registerInterceptor(gate);
        Gauge.builder("srm.admission.in.flight", gate, AdmissionGate::inFlight)
                .description("FHIR requests being processed now (at most srm.admission.max-concurrent)")
                .register(registry);
        FunctionCounter.builder("srm.admission.refused", gate, AdmissionGate::refused)
                .description("FHIR requests answered 503 because no place freed up in time")
                .register(registry);
        return gate;
    }
}
