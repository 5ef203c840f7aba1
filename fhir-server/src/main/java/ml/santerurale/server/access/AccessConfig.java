package ml.santerurale.server.access;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.RoleMatrixEnforcer;
import ml.santerurale.server.fhir.ServedResourceTypes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The access policy read from its file at start, and the interceptors that enforce it. */
@Configuration(proxyBeanMethods = false)
class AccessConfig {

    /** No FHIR operation ({@code $name}) is enabled for clients yet. */
    static final Set<String> ALLOWED_OPERATIONS = Set.of();

    @Bean
    AccessPolicy accessPolicy(AccessProperties properties) {
        return AccessPolicyFile.read(properties.policyFile(), properties.knownRoles(), ServedResourceTypes.ALL);
    }

    @Bean
    RoleMatrixEnforcer roleMatrixEnforcer(AccessPolicy policy, IInterceptorService interceptorService) {
        RoleMatrixEnforcer enforcer = new RoleMatrixEnforcer(policy, ALLOWED_OPERATIONS);
        interceptorService.registerInterceptor(enforcer);
        return enforcer;
    }
}
