package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.SitePartitioning;
import ml.santerurale.interceptors.audit.AuditCapture;
import ml.santerurale.interceptors.audit.AuditEventFactory;
import ml.santerurale.interceptors.audit.AuditSink;
import org.hl7.fhir.r4.model.AuditEvent;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The audit trail: {@link AuditCapture} registered on HAPI's interceptor service (so storage
 * hooks see transaction entries), writing to the outbox; the drainer that moves the outbox into
 * the audit store ({@code srm_audit_event}); the store served read-only as AuditEvent
 * ({@link AuditTrailProvider}, in place of HAPI's JPA provider for that type), in the
 * CapabilityStatement and in other types' {@code _revinclude}; the retention purge; their
 * schedule; the outbox lag as metrics; the one-time move of AuditEvents that earlier versions
 * stored through HAPI. Audited types are the access policy's clinical kind.
 *
 * <p>AuditEvents name patients ({@code entity.what}); {@link AuditReferencesDoNotBlockDeletes}
 * keeps an audited patient deletable.
 */
@Configuration(proxyBeanMethods = false)
class AuditConfig {

    @Bean
    AuditEventFactory auditEventFactory(AuditProperties properties) {
        return new AuditEventFactory(properties.observer(), Clock.systemUTC());
    }

    @Bean
    OutboxAuditSink outboxAuditSink(DataSource dataSource, FhirContext fhirContext, AuditProperties properties,
            MeterRegistry registry) {
        return new OutboxAuditSink(dataSource, fhirContext, properties.synchronousCommit(), registry);
    }

    @Bean
    AuditCapture auditCapture(AuditEventFactory factory, AuditSink sink, AccessPolicy policy,
            AuditProperties properties, IInterceptorService interceptorService) {
        interceptorService.registerInterceptor(new AuditReferencesDoNotBlockDeletes());
        AuditCapture capture = new AuditCapture(factory, sink, policy.typesOf(AccessPolicy.Kind.CLINICAL),
                properties.trustForwardedFor());
        interceptorService.registerInterceptor(capture);
        return capture;
    }

    @Bean
    AuditEventStore auditEventStore(DataSource dataSource) {
        return new AuditEventStore(dataSource);
    }

    @Bean
    AuditOutboxDrainer auditOutboxDrainer(DataSource dataSource, PlatformTransactionManager transactionManager,
            AuditEventStore store, FhirContext fhirContext, AuditProperties properties, MeterRegistry registry,
            ObjectProvider<Tracer> tracer) {
        // No tracer at all when tracing is off (tracing/OtlpSwitch): the drain spans cost nothing then.
        return new AuditOutboxDrainer(dataSource, transactionManager, store, fhirContext,
                properties.drainBatchSize(), registry, tracer.getIfAvailable(() -> Tracer.NOOP));
    }

    @Bean
    AuditTrailProvider auditTrailProvider(AuditEventStore store, SitePartitioning sitePartitioning, FhirContext fhirContext,
            DatabaseBackedPagingProvider pagingProvider, RestfulServer restfulServer, IInterceptorService interceptorService) {
        AuditTrailProvider provider = new AuditTrailProvider(store, sitePartitioning, fhirContext, pagingProvider);
        restfulServer.registerProvider(provider);
        interceptorService.registerInterceptor(new AuditTrailInCapabilityStatement());
        interceptorService.registerInterceptor(new AuditTrailInOtherSearches(store, sitePartitioning, fhirContext));
        return provider;
    }

    @Bean
    LegacyAuditEvents legacyAuditEvents(DaoRegistry daoRegistry, AuditEventStore store,
            PlatformTransactionManager transactionManager, FhirContext fhirContext, AuditProperties properties) {
        return new LegacyAuditEvents(auditEventDao(daoRegistry), store, transactionManager, fhirContext,
                properties.drainBatchSize());
    }

    @Bean
    AuditOutboxMetrics auditOutboxMetrics(DataSource dataSource) {
        return new AuditOutboxMetrics(dataSource);
    }

    @Bean
    AuditRetentionJob auditRetentionJob(AuditEventStore store, PlatformTransactionManager transactionManager,
            AuditSink sink, AuditEventFactory factory, AuditProperties properties) {
        return new AuditRetentionJob(store, transactionManager, sink, factory,
                properties.retention(), properties.drainBatchSize(), Clock.systemUTC());
    }

    @Bean
    AuditSchedule auditSchedule(AuditOutboxDrainer drainer, AuditRetentionJob retentionJob, AuditProperties properties) {
        Duration behind = properties.extraDrainsAfter();
        return new AuditSchedule(drainer::drainQuietly, () -> drainer.drainQuietlyWhenBehind(behind),
                properties.drainThreads(), properties.drainInterval(), retentionJob::purgeQuietly, properties.retentionCron());
    }

    private static IFhirResourceDao<AuditEvent> auditEventDao(DaoRegistry daoRegistry) {
        return daoRegistry.getResourceDao(AuditEvent.class);
    }
}
