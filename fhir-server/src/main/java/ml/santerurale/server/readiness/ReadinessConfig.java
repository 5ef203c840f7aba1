package ml.santerurale.server.readiness;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** FHIR requests wait for the server to be ready ({@link NotReadyGate}). */
@Configuration(proxyBeanMethods = false)
class ReadinessConfig {

    @Bean
    NotReadyGate notReadyGate(ApplicationAvailability availability, IInterceptorService interceptorService) {
        NotReadyGate gate = new NotReadyGate(availability);
        interceptorService.registerInterceptor(gate);
        return gate;
    }
}
