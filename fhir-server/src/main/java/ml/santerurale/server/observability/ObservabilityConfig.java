package ml.santerurale.server.observability;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Per-interaction FHIR metrics, registered on HAPI's interceptor service like every interceptor;
 * refusals kept out of the error log ({@link ExpectedRefusalsLogFilter}).
 */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfig {

    /** Installed once the logging system is configured (beans come after it). */
    @Bean
    ExpectedRefusalsLogFilter expectedRefusalsLogFilter() {
        return ExpectedRefusalsLogFilter.install();
    }

    @Bean
    FhirInteractionMetrics fhirInteractionMetrics(MeterRegistry registry, IInterceptorService interceptorService) {
        FhirInteractionMetrics metrics = new FhirInteractionMetrics(registry);
        interceptorService.registerInterceptor(metrics);
        return metrics;
    }
}
