package ml.santerurale.server.access;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.RoleMatrixEnforcer;
import ml.santerurale.interceptors.access.SearchOwners;
import ml.santerurale.interceptors.access.SitePartitioning;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.partition.IPartitionLookupSvc;
import java.time.Clock;
import java.time.Duration;
import org.springframework.jdbc.core.JdbcTemplate;
import ml.santerurale.server.fhir.ServedResourceTypes;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The access policy read from its file at start, sites as partitions, and the interceptors that enforce them. */
@Configuration(proxyBeanMethods = false)
class AccessConfig {

    /**
     * The FHIR operations ({@code $name}) clients may call: terminology operations on the
     * implementation guide's value sets and code systems (served read-only from the build;
     * {@code $validate} is an interaction of its own, see RoleMatrixEnforcer).
     */
    static final Set<String> ALLOWED_OPERATIONS = Set.of("$expand", "$validate-code");

    @Bean
    AccessPolicy accessPolicy(AccessProperties properties) {
        return AccessPolicyFile.read(properties.policyFile(), properties.knownRoles(), ServedResourceTypes.ALL);
    }

    @Bean
    JdbcSiteDirectory siteDirectory(IPartitionLookupSvc partitions, JdbcTemplate jdbc) {
        return new JdbcSiteDirectory(partitions, jdbc);
    }

    @Bean
    JdbcReferralGrants referralGrants(JdbcTemplate jdbc, IInterceptorService interceptorService) {
        JdbcReferralGrants grants = new JdbcReferralGrants(jdbc);
        interceptorService.registerInterceptor(grants);
        return grants;
    }

    @Bean
    SitePartitioning sitePartitioning(AccessPolicy policy, JdbcSiteDirectory directory, FhirContext fhirContext,
            JdbcReferralGrants referralGrants, IInterceptorService interceptorService) {
        SitePartitioning partitioning = new SitePartitioning(policy, directory,
                new SearchOwners(Clock.systemUTC(), Duration.ofHours(2), 100_000), fhirContext, referralGrants);
        interceptorService.registerInterceptor(partitioning);
        return partitioning;
    }

    @Bean
    RoleMatrixEnforcer roleMatrixEnforcer(AccessPolicy policy, IInterceptorService interceptorService) {
        RoleMatrixEnforcer enforcer = new RoleMatrixEnforcer(policy, ALLOWED_OPERATIONS);
        interceptorService.registerInterceptor(enforcer);
        return enforcer;
    }
}
