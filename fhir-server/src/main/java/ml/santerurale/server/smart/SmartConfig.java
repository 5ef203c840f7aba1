package ml.santerurale.server.smart;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import ml.santerurale.interceptors.access.ReachedTypes;
import ml.santerurale.interceptors.smart.ScopeEnforcer;
import ml.santerurale.server.fhir.ServedResourceTypes;
import ml.santerurale.server.security.SecurityProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * SMART on FHIR: the discovery document beside the FHIR endpoint, and the scope enforcer on
 * HAPI's interceptor service (so transaction and batch entries and storage writes are covered).
 */
@Configuration(proxyBeanMethods = false)
class SmartConfig {

    static final String DISCOVERY_PATH = "/fhir/.well-known/smart-configuration";

    /** An exact servlet mapping: it wins over HAPI's {@code /fhir/*}, so HAPI never sees the path. */
    @Bean
    ServletRegistrationBean<SmartConfigurationEndpoint> smartConfiguration(SecurityProperties security,
            SmartProperties properties, ObjectMapper json) throws IOException {
        ServletRegistrationBean<SmartConfigurationEndpoint> registration = new ServletRegistrationBean<>(
                new SmartConfigurationEndpoint(security.issuers().get(0).issuer(), properties, json), DISCOVERY_PATH);
        registration.setName("smart-configuration");
        return registration;
    }

    /** Ahead of every servlet, so a preflight never meets the bearer-token check. */
    @Bean
    FilterRegistrationBean<SmartAppCors> smartAppCors(SmartProperties properties) {
        FilterRegistrationBean<SmartAppCors> registration = new FilterRegistrationBean<>(
                new SmartAppCors(new java.util.HashSet<>(properties.allowedOrigins())), new ServletRegistrationBean<?>[0]);
        registration.addUrlPatterns("/fhir/*");
        registration.setOrder(org.springframework.core.Ordered.HIGHEST_PRECEDENCE + 10);
        registration.setName("smart-app-cors");
        return registration;
    }

    @Bean
    ScopeEnforcer scopeEnforcer(FhirContext fhirContext, SecurityProperties security, IInterceptorService interceptorService) {
        ScopeEnforcer enforcer = new ScopeEnforcer(fhirContext, ServedResourceTypes.ALL,
                new ReachedTypes(fhirContext, ServedResourceTypes.ALL), security.realm());
        interceptorService.registerInterceptor(enforcer);
        return enforcer;
    }
}
