package ml.santerurale.server.tracing;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.tracing.Tracer;
import io.opentelemetry.sdk.trace.SpanProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Traces, when {@link OtlpSwitch} turned them on: the request id on every span, a span per FHIR
 * interaction. HTTP server spans come from Spring's observation filter and JDBC spans from
 * datasource-micrometer, both configured by Spring Boot.
 */
@Configuration(proxyBeanMethods = false)
class TracingConfig {

    @Bean
    SpanProcessor requestIdOnSpans() {
        return new RequestIdOnSpans();
    }

    /** Only when tracing is on ({@link OtlpSwitch}): otherwise no interceptor runs at all. */
    @Bean
    @ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "true")
    FhirInteractionSpans fhirInteractionSpans(Tracer tracer, IInterceptorService interceptorService) {
        FhirInteractionSpans spans = new FhirInteractionSpans(tracer);
        interceptorService.registerInterceptor(spans);
        return spans;
    }
}
