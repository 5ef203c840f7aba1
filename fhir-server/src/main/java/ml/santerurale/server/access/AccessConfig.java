package ml.santerurale.server.access;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.ReachedTypes;
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
import org.springframework.beans.factory.ObjectProvider;
import ca.uhn.fhir.jpa.interceptor.CascadingDeleteInterceptor;
import ml.santerurale.interceptors.access.CascadeDeleteRoles;
import ml.santerurale.server.security.SecurityProperties;
import ml.santerurale.interceptors.access.CapabilityStatementFromPolicy;
import org.springframework.context.annotation.Configuration;

/** The access policy read from its file at start, sites as partitions, and the interceptors that enforce them. */
@Configuration(proxyBeanMethods = false)
class AccessConfig {

    /**
     * The FHIR operations ({@code $name}) clients may call: terminology operations on the
     * implementation guide's value sets and code systems (served read-only from the build;
     * {@code $validate} is an interaction of its own, see RoleMatrixEnforcer); the reporting
     * operations, which check their callers themselves (reporting/).
     */
    static final Set<String> ALLOWED_OPERATIONS = Set.of("$expand", "$validate-code", "$evaluate-measure", "$dhis2-export",
            "$dhis2-export-journal");

    /** Who may delete a patient together with every record that refers to it. */
    static final Set<String> CASCADE_DELETE_ROLES = Set.of("medecin");

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
            JdbcReferralGrants referralGrants, IInterceptorService interceptorService, JdbcTemplate jdbc,
            MeterRegistry registry,
            org.springframework.beans.factory.ObjectProvider<ca.uhn.fhir.jpa.searchparam.extractor.IResourceLinkResolver> linkResolver) {
        SitePartitioning partitioning = new SitePartitioning(policy, directory,
                new SearchOwners(Clock.systemUTC(), Duration.ofHours(2), 100_000), fhirContext, referralGrants,
                linkResolver::getObject, new JdbcStoredMatches(jdbc));
        String description = "Passes of the site backstop over matches about to be returned: decided from where"
                + " they are stored, or after loading them";
        FunctionCounter.builder("srm.site.backstop.passes", partitioning, SitePartitioning::passesWithoutLoading)
                .description(description).tag("loaded", "false").register(registry);
        FunctionCounter.builder("srm.site.backstop.passes", partitioning, SitePartitioning::passesLoading)
                .description(description).tag("loaded", "true").register(registry);
        FunctionCounter.builder("srm.site.lookups", partitioning, SitePartitioning::siteLookups)
                .description("Lookups of where one stored resource lives that went to the database").register(registry);
        interceptorService.registerInterceptor(partitioning);
        interceptorService.registerInterceptor(new ml.santerurale.interceptors.access.MissingReferenceWording());
        return partitioning;
    }

    /** The CapabilityStatement says what the policy allows and where tokens come from (the first issuer: the realm). */
    @Bean
    CapabilityStatementFromPolicy capabilityStatementFromPolicy(AccessPolicy policy, AccessProperties properties,
            SecurityProperties security, IInterceptorService interceptorService) {
        CapabilityStatementFromPolicy statement = new CapabilityStatementFromPolicy(policy, properties.knownRoles(),
                ALLOWED_OPERATIONS, security.issuers().get(0).issuer());
        interceptorService.registerInterceptor(statement);
        return statement;
    }

    /**
     * {@code DELETE ...?_cascade=delete}: HAPI's cascading delete (each referring record deleted
     * through its DAO, so site checks and audit apply), for médecins only.
     */
    @Bean
    CascadeDeleteRoles cascadeDeleteRoles(ObjectProvider<CascadingDeleteInterceptor> cascadingDelete,
            IInterceptorService interceptorService) {
        CascadeDeleteRoles roles = new CascadeDeleteRoles(CASCADE_DELETE_ROLES);
        interceptorService.registerInterceptor(roles);
        interceptorService.registerInterceptor(cascadingDelete.getObject());
        return roles;
    }

    @Bean
    RoleMatrixEnforcer roleMatrixEnforcer(AccessPolicy policy, FhirContext fhirContext, IInterceptorService interceptorService) {
        RoleMatrixEnforcer enforcer = new RoleMatrixEnforcer(policy, ALLOWED_OPERATIONS,
                new ReachedTypes(fhirContext, ServedResourceTypes.ALL));
        interceptorService.registerInterceptor(enforcer);
        return enforcer;
    }
}
