package ml.santerurale.server.fhir;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.api.model.HistoryCountModeEnum;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.entity.StorageSettings;
import ca.uhn.fhir.jpa.subscription.channel.config.SubscriptionChannelConfig;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import jakarta.persistence.EntityManagerFactory;
import java.util.HashMap;
import java.util.Map;
import javax.sql.DataSource;
import ml.santerurale.server.database.HapiSchema;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.boot.autoconfigure.orm.jpa.JpaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * HAPI's JPA storage layer, wired explicitly: the R4 DAOs, batch jobs (reindexing after a
 * search-parameter change), the storage settings this project depends on, and HAPI's entity
 * manager on our data source once HAPI's schema is migrated.
 */
@Configuration(proxyBeanMethods = false)
// SubscriptionChannelConfig supplies the in-memory message broker that batch jobs run on.
@Import({JpaR4Config.class, HapiJpaConfig.class, JpaBatch2Config.class, Batch2JobsConfig.class,
        SubscriptionChannelConfig.class, ThreadPoolFactoryConfig.class})
class FhirJpaConfig {

    /** HAPI's bean of {@code JpaConfig.sqlBuilderFactory()}. */
    private static final String DIRECT_SQL_OBJECTS = "sqlBuilderFactory";

    /** HAPI's repositories are built after the server is ready (see the class). */
    @Bean
    static LazyRepositories lazyRepositories() {
        return new LazyRepositories();
    }

    /** HAPI's per-search builder loads matches in one query (see OneQuerySearchBuilder). */
    @Bean
    static BeanFactoryPostProcessor oneQuerySearchBuilderDefinition() {
        return OneQuerySearchBuilders.replacing("oneQuerySearchBuilders");
    }

    /** HAPI's predicate builders and query executors made without a bean lookup each (see DirectSqlObjects). */
    @Bean
    static BeanFactoryPostProcessor directSqlObjectsDefinition() {
        return beanFactory -> {
            BeanDefinitionRegistry registry =
                    (BeanDefinitionRegistry) beanFactory;
            if (!registry.containsBeanDefinition(DIRECT_SQL_OBJECTS)) {
                throw new IllegalStateException("HAPI's SQL object factory bean '" + DIRECT_SQL_OBJECTS + "' is not defined");
            }
            registry.removeBeanDefinition(DIRECT_SQL_OBJECTS);
            registry.registerBeanDefinition(DIRECT_SQL_OBJECTS,
                    new RootBeanDefinition(DirectSqlObjects.class));
        };
    }

    /** Created at the first search, when every collaborator exists. */
    @Bean
    @org.springframework.context.annotation.Lazy
    @SuppressWarnings({"unchecked", "rawtypes", "checkstyle:ParameterNumber"})
    OneQuerySearchBuilders oneQuerySearchBuilders(JpaStorageSettings settings,
            LocalContainerEntityManagerFactoryBean entityManagerFactoryBean, EntityManagerFactory entityManagerFactory,
            ca.uhn.fhir.jpa.search.builder.sql.SqlObjectFactory sqlObjects,
            ca.uhn.fhir.jpa.config.HibernatePropertiesProvider dialect,
            ca.uhn.fhir.rest.server.util.ISearchParamRegistry searchParams, PartitionSettings partitionSettings,
            ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster interceptors,
            ca.uhn.fhir.jpa.dao.data.IResourceTagDao tagDao, ca.uhn.fhir.jpa.api.dao.DaoRegistry daos, FhirContext context,
            ca.uhn.fhir.jpa.api.svc.IIdHelperService ids, ca.uhn.fhir.jpa.dao.data.IResourceHistoryTableDao historyDao,
            ca.uhn.fhir.jpa.search.BatchResourceLoader loader, DataSource dataSource,
            ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser parser,
            ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc partitionHelper,
            org.springframework.beans.factory.ObjectProvider<ca.uhn.fhir.jpa.dao.IFulltextSearchSvc> fullText) {
        return new OneQuerySearchBuilders(settings,
                (ca.uhn.fhir.jpa.config.HapiFhirLocalContainerEntityManagerFactoryBean) entityManagerFactoryBean, sqlObjects,
                dialect, searchParams, partitionSettings, interceptors, tagDao, daos, context, ids, historyDao, loader,
                org.springframework.orm.jpa.SharedEntityManagerCreator.createSharedEntityManager(entityManagerFactory),
                new org.springframework.jdbc.core.JdbcTemplate(dataSource), parser, partitionHelper, fullText.getIfAvailable());
    }

    @Bean
    JpaStorageSettings jpaStorageSettings(FhirProperties properties) {
        JpaStorageSettings settings = new JpaStorageSettings();
        // Devices create records offline with UUIDs; any client id is accepted, server ids are UUIDs.
        settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ANY);
        settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.UUID);
        // A patient registered a moment ago must be found by the next identical search.
        settings.setReuseCachedSearchResultsForMillis(null);
        // The first pass of a search loads up to 101 matches (HAPI: 13, for pages of 10), at least a
        // default page plus one, so a first page takes one query and one save of the result list.
        // A first pass that finds every match ends the search with its size known; one that stops
        // at the threshold leaves HAPI re-reading the search's row (and its serialized parameters)
        // from the database each time the REST layer asks the page for its size, several times a
        // page: 7 % of a name search's request-thread samples with 25 matches and a threshold of 21
        // (issue 17, quiet machine). 101 covers five default pages, a care worker's name searches;
        // larger searches save 101 rows in their first pass instead of 21. Later passes are HAPI's.
        int firstPass = Math.min(Math.max(properties.defaultPageSize() + 1, 101), 502);
        settings.setSearchPreFetchThresholds(java.util.List.of(firstPass, 503, 2003, 1000003, -1));
        // Bundle.total of an instance's history is its exact count (HAPI's default may serve a cached one).
        settings.setHistoryCountMode(HistoryCountModeEnum.COUNT_ACCURATE);
        settings.setAllowMultipleDelete(false);
        // A delete looks this far for records that still refer to the resource; AuditEvent and
        // Provenance references are passed over (audit.AuditReferencesDoNotBlockDeletes), and a
        // patient's audit trail can be long.
        settings.setMaximumDeleteConflictQueryCount(1000);
        settings.setExpungeEnabled(false);
        settings.setAutoCreatePlaceholderReferenceTargets(false);
        settings.setEnforceReferentialIntegrityOnWrite(true);
        // The phonetic name search replaces the built-in Patient "phonetic" parameter.
        settings.setDefaultSearchParamsCanBeOverridden(true);
        // _content, _text and :text are answered by Hibernate Search (Lucene).
        settings.setHibernateSearchIndexFullText(true);
        // :contains finds a site by a word of its name; only on reference data (ContainsOnlyOnReferenceData).
        settings.setAllowContainsSearches(true);
        settings.setHibernateSearchIndexSearchParams(false);
        settings.setIndexMissingFields(StorageSettings.IndexEnabledEnum.DISABLED);
        return settings;
    }

    /**
     * One partition per site, shared reference data in the default partition: confinement to a
     * site happens in storage, before any query runs (see {@code access.SitePartitioning}).
     * References across partitions are allowed (clinical data points at shared Organizations);
     * references to another site's clinical data are refused by the access interceptor.
     */
    @Bean
    PartitionSettings partitionSettings() {
        PartitionSettings settings = new PartitionSettings();
        settings.setPartitioningEnabled(true);
        settings.setAllowReferencesAcrossPartitions(PartitionSettings.CrossPartitionReferenceMode.ALLOWED_UNQUALIFIED);
        settings.setIncludePartitionInSearchHashes(false);
        // Conditional creates are unique per site (HFJ_RES_SEARCH_URL keyed by the resource's
        // partition): a patient registered at one CSCOM is registered again at another, never
        // refused because of the first (cross-site duplicates are a matter for record linkage).
        settings.setConditionalCreateDuplicateIdentifiersEnabled(true);
        return settings;
    }

    /** Replaces HAPI's bean of the same name: no resource counts, no counting job (see NoResourceCounts). */
    @Bean(name = "myResourceCountsCache")
    ca.uhn.fhir.jpa.util.ResourceCountCache resourceCountsCache() {
        return new NoResourceCounts();
    }

    /** Replaces HAPI's bean of the same name: its FHIRPath engine is made on first use ({@link FhirPathOnFirstUse}). */
    @Bean
    ca.uhn.fhir.jpa.searchparam.extractor.ISearchParamExtractor searchParamExtractor() {
        return new FhirPathOnFirstUse();
    }

    @Bean
    DatabaseBackedPagingProvider databaseBackedPagingProvider(FhirProperties properties, IInterceptorService interceptors,
            org.springframework.beans.factory.ObjectProvider<ca.uhn.fhir.jpa.dao.SearchBuilderFactory<ca.uhn.fhir.jpa.model.dao.JpaPid>> builders,
            org.springframework.beans.factory.ObjectProvider<org.springframework.transaction.PlatformTransactionManager> transactions,
            FhirContext fhirContext) {
        // HAPI's persisted pages, and in memory the pages of searches run inline (InlineSearch).
        DatabaseBackedPagingProvider paging = new InlineSearchPages(interceptors, builders, transactions, fhirContext,
                java.time.Clock.systemUTC(), properties.inlinePagesTtl(), properties.inlinePagesMaxResources());
        paging.setDefaultPageSize(properties.defaultPageSize());
        paging.setMaximumPageSize(properties.maxPageSize());
        return paging;
    }

    @Primary
    @Bean
    LocalContainerEntityManagerFactoryBean entityManagerFactory(
            HapiSchema migratedSchema,
            DataSource dataSource,
            JpaProperties jpaProperties,
            FhirProperties fhirProperties,
            ConfigurableListableBeanFactory beanFactory,
            FhirContext fhirContext,
            JpaStorageSettings storageSettings) {
        LocalContainerEntityManagerFactoryBean factory =
                HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
        Map<String, Object> properties = new HashMap<>(jpaProperties.getProperties());
        properties.put("hibernate.search.backend.directory.root",
                fhirProperties.luceneDirectory().toAbsolutePath().toString());
        factory.setPersistenceUnitName("HAPI_PU");
        factory.setJpaPropertyMap(properties);
        factory.setDataSource(dataSource);
        return factory;
    }

    @Primary
    @Bean
    JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
        return new JpaTransactionManager(entityManagerFactory);
    }
}
