package ml.santerurale.server.sync;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.provider.BaseJpaResourceProvider;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.RestfulServer;
import jakarta.persistence.EntityManager;
import javax.sql.DataSource;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.guard.ServedTypesGuard;
import ml.santerurale.server.database.HapiSchema;
import ml.santerurale.server.fhir.FhirProperties;
import org.flywaydb.core.Flyway;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Provenance;
import org.springframework.boot.autoconfigure.flyway.FlywayMigrationStrategy;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The offline sync protocol (docs/SYNC.md): the system endpoint's transaction interaction with
 * idempotent sync batches, conflict lists and Provenance; the purge of expired idempotency keys.
 */
@Configuration(proxyBeanMethods = false)
class SyncConfig {

    /**
     * Our migrations run after HAPI's: the change feed's trigger sits on HAPI's version table.
     */
    @Bean
    FlywayMigrationStrategy migrateAfterHapiSchema(HapiSchema migratedSchema) {
        return Flyway::migrate;
    }

    @Bean
    IdempotencyKeys idempotencyKeys(DataSource dataSource) {
        return new IdempotencyKeys(new JdbcTemplate(dataSource));
    }

    @Bean
    SyncSystemProvider syncSystemProvider(IFhirSystemDao<Bundle, ?> systemDao, IdempotencyKeys keys, DataSource dataSource,
            DaoRegistry daoRegistry, FhirContext fhirContext, RestfulServer restfulServer,
            IInterceptorService interceptorService, AccessPolicy policy, SyncProperties properties,
            FhirProperties fhirProperties, EntityManager entityManager, IJpaStorageResourceParser storageParser,
            PlatformTransactionManager transactions, ServedTypesGuard servedTypes) {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        interceptorService.registerInterceptor(new SyncBatchCommit(keys, new WrittenVersions(jdbc),
                new BatchProvenance(daoRegistry.getResourceDao(Provenance.class)), fhirContext));
        VersionConflicts conflicts = new VersionConflicts(jdbc);
        SyncPush push = new SyncPush(systemDao, keys, conflicts, fhirContext);
        interceptorService.registerInterceptor(new FeedLinks());
        interceptorService.registerInterceptor(new ProvenanceDoesNotBlockDeletes());
        ChangeFeed feed = new ChangeFeed(jdbc, new StoredVersions(jdbc, fhirContext, entityManager, storageParser, transactions), daoRegistry,
                policy, fhirContext);
        // HAPI cuts every page at srm.fhir.max-page-size: a larger feed page would lose its tail.
        int maxPage = Math.min(properties.feedMaxPageSize(), fhirProperties.maxPageSize());
        SyncSystemProvider provider = new SyncSystemProvider(systemDao, push, conflicts, feed, new BatchOfServedEntries(servedTypes),
                Math.min(properties.feedPageSize(), maxPage), maxPage);
        restfulServer.registerProvider(provider);
        for (IResourceProvider resourceProvider : restfulServer.getResourceProviders()) {
            if (resourceProvider instanceof BaseJpaResourceProvider<?> jpaProvider) {
                TypeHistoryFromFeed.install(jpaProvider, provider);
            }
        }
        return provider;
    }

    @Bean
    IdempotencyKeyPurge idempotencyKeyPurge(IdempotencyKeys keys, SyncProperties properties) {
        return new IdempotencyKeyPurge(keys, properties.idempotencyWindow(), properties.purgeInterval());
    }

    @Bean
    FeedPositions feedPositions(DataSource dataSource, SyncProperties properties) {
        return new FeedPositions(new JdbcTemplate(dataSource), properties.feedPositionInterval(),
                properties.feedPositionsThinAfter());
    }
}
