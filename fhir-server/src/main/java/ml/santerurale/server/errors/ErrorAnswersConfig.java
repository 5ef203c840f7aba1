package ml.santerurale.server.errors;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ml.santerurale.interceptors.guard.InternalDetailsNeverLeave;
import org.apache.catalina.Valve;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;

/**
 * Every error answer is an OperationOutcome in JSON without internals: HAPI's (through
 * {@link InternalDetailsNeverLeave}), Spring's error page ({@link OperationOutcomeErrorController}),
 * Tomcat's own ({@link OperationOutcomeErrorValve}) and the refusal of {@code TRACE}
 * ({@link TraceNotAllowed}).
 */
@Configuration(proxyBeanMethods = false)
class ErrorAnswersConfig {

    @Bean
    InternalDetailsNeverLeave internalDetailsNeverLeave(IInterceptorService interceptorService) {
        InternalDetailsNeverLeave guard = new InternalDetailsNeverLeave();
        interceptorService.registerInterceptor(guard);
        return guard;
    }

    @Bean
    ContainerErrorOutcome containerErrorOutcome(FhirContext fhirContext) {
        return new ContainerErrorOutcome(fhirContext);
    }

    @Bean
    TraceNotAllowed traceNotAllowed(ContainerErrorOutcome outcomes) {
        return new TraceNotAllowed(outcomes);
    }

    /**
     * Tomcat's connector refuses TRACE before any valve, filter or servlet runs, with an empty
     * 405 and no way to give it a body; let it through to {@link TraceNotAllowed}, which refuses
     * it in words.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> traceReachesTheFilters() {
        return factory -> factory.addConnectorCustomizers(connector -> connector.setAllowTrace(true));
    }

    @Bean
    ErrorReportValveReplacement operationOutcomeErrorReports(ContainerErrorOutcome outcomes) {
        return new ErrorReportValveReplacement(outcomes);
    }

    /**
     * Puts {@link OperationOutcomeErrorValve} in place of the host's error report valves; runs
     * after Spring Boot's own customizer, which adds a plain {@link ErrorReportValve}.
     */
    static final class ErrorReportValveReplacement implements WebServerFactoryCustomizer<TomcatServletWebServerFactory>, Ordered {

        private final ContainerErrorOutcome outcomes;

        ErrorReportValveReplacement(ContainerErrorOutcome outcomes) {
            this.outcomes = outcomes;
        }

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextCustomizers(context -> {
                if (context.getParent() instanceof StandardHost host) {
                    for (Valve valve : host.getPipeline().getValves()) {
                        if (valve instanceof ErrorReportValve) {
                            host.getPipeline().removeValve(valve);
                        }
                    }
                    host.getPipeline().addValve(new OperationOutcomeErrorValve(outcomes));
                    host.setErrorReportValveClass(OperationOutcomeErrorValve.class.getName());
                }
            });
        }

        @Override
        public int getOrder() {
            return Ordered.LOWEST_PRECEDENCE;
        }
    }
}
