package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.svc.IIdHelperService;
import ca.uhn.fhir.jpa.config.HapiFhirLocalContainerEntityManagerFactoryBean;
import ca.uhn.fhir.jpa.config.HibernatePropertiesProvider;
import ca.uhn.fhir.jpa.dao.IFulltextSearchSvc;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.ISearchBuilder;
import ca.uhn.fhir.jpa.dao.data.IResourceHistoryTableDao;
import ca.uhn.fhir.jpa.dao.data.IResourceTagDao;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.search.BatchResourceLoader;
import ca.uhn.fhir.jpa.search.builder.sql.SqlObjectFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManager;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.RootBeanDefinition;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Makes HAPI's prototype bean {@code SearchBuilder} (the search builder HAPI's
 * {@code SearchBuilderFactory} asks Spring for, once per search and per page) a
 * {@link OneQuerySearchBuilder}, built from the same collaborators HAPI's {@code SearchConfig}
 * injects. Spring still autowires the builder's own fields (entity manager, full-text service,
 * partition helper) as it does for HAPI's.
 *
 * <p>Does not survive a rename of HAPI's bean ({@link ISearchBuilder#SEARCH_BUILDER_BEAN_NAME}): the
 * post-processor then stops the start rather than silently keeping HAPI's loader.
 */
final class OneQuerySearchBuilders {

    private final JpaStorageSettings settings;
    private final HapiFhirLocalContainerEntityManagerFactoryBean entityManagerFactory;
    private final SqlObjectFactory sqlObjects;
    private final HibernatePropertiesProvider dialect;
    private final ISearchParamRegistry searchParams;
    private final PartitionSettings partitionSettings;
    private final IInterceptorBroadcaster interceptors;
    private final IResourceTagDao tagDao;
    private final DaoRegistry daos;
    private final FhirContext context;
    private final IIdHelperService<JpaPid> ids;
    private final IResourceHistoryTableDao historyDao;
    private final BatchResourceLoader loader;
    private final EntityManager entityManager;
    private final JdbcTemplate jdbc;
    private final IJpaStorageResourceParser parser;
    private final IRequestPartitionHelperSvc partitionHelper;
    private final IFulltextSearchSvc fullText;
    private final LongAdder served = new LongAdder();
    private final AtomicBoolean enabled = new AtomicBoolean(true);

    @SuppressWarnings("checkstyle:ParameterNumber")
    OneQuerySearchBuilders(JpaStorageSettings settings, HapiFhirLocalContainerEntityManagerFactoryBean entityManagerFactory,
            SqlObjectFactory sqlObjects, HibernatePropertiesProvider dialect, ISearchParamRegistry searchParams,
            PartitionSettings partitionSettings, IInterceptorBroadcaster interceptors, IResourceTagDao tagDao,
            DaoRegistry daos, FhirContext context, IIdHelperService<JpaPid> ids, IResourceHistoryTableDao historyDao,
            BatchResourceLoader loader, EntityManager entityManager, JdbcTemplate jdbc, IJpaStorageResourceParser parser,
            IRequestPartitionHelperSvc partitionHelper, IFulltextSearchSvc fullText) {
        this.settings = settings;
        this.entityManagerFactory = entityManagerFactory;
        this.sqlObjects = sqlObjects;
        this.dialect = dialect;
        this.searchParams = searchParams;
        this.partitionSettings = partitionSettings;
        this.interceptors = interceptors;
        this.tagDao = tagDao;
        this.daos = daos;
        this.context = context;
        this.ids = ids;
        this.historyDao = historyDao;
        this.loader = loader;
        this.entityManager = entityManager;
        this.jdbc = jdbc;
        this.parser = parser;
        this.partitionHelper = partitionHelper;
        this.fullText = fullText;
    }

    /** The factory method of the replaced {@code SearchBuilder} bean definition. */
    public ISearchBuilder<JpaPid> newSearchBuilder(String resourceName, Class<? extends IBaseResource> resourceType) {
        return new OneQuerySearchBuilder(resourceName, settings, entityManagerFactory, sqlObjects, dialect, searchParams,
                partitionSettings, interceptors, tagDao, daos, context, ids, historyDao, loader, resourceType,
                entityManager, jdbc, parser, served, enabled);
    }

    /**
     * A builder made without Spring, wired as Spring wires HAPI's prototype (entity manager, full-text
     * service, partition helper; no Elasticsearch here): what {@link Direct} hands HAPI at every
     * search and page, without a bean lookup, autowiring and the post-processors (a tenth of an
     * inline search's request thread, issue 17).
     */
    ISearchBuilder<JpaPid> build(String resourceName, Class<? extends IBaseResource> resourceType) {
        OneQuerySearchBuilder builder = (OneQuerySearchBuilder) newSearchBuilder(resourceName, resourceType);
        builder.setFullTextSearch(fullText);
        try {
            PARTITION_HELPER.set(builder, partitionHelper);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("HAPI's SearchBuilder.myPartitionHelperSvc cannot be set", e);
        }
        return builder;
    }

    /** HAPI 8.8's {@code @Autowired private IRequestPartitionHelperSvc myPartitionHelperSvc} of SearchBuilder. */
    private static final java.lang.reflect.Field PARTITION_HELPER = partitionHelperField();

    private static java.lang.reflect.Field partitionHelperField() {
        try {
            java.lang.reflect.Field field = ca.uhn.fhir.jpa.search.builder.SearchBuilder.class.getDeclaredField("myPartitionHelperSvc");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("HAPI's SearchBuilder has no myPartitionHelperSvc any more", e);
        }
    }

    /** HAPI's {@code searchBuilderFactory}, building every search builder with {@link #build}. */
    static final class Direct extends ca.uhn.fhir.jpa.dao.SearchBuilderFactory<JpaPid> {
        private final org.springframework.beans.factory.ObjectProvider<OneQuerySearchBuilders> builders;

        Direct(org.springframework.beans.factory.ObjectProvider<OneQuerySearchBuilders> builders) {
            this.builders = builders;
        }

        @Override
        public ISearchBuilder<JpaPid> newSearchBuilder(String resourceName, Class<? extends IBaseResource> resourceType) {
            return builders.getObject().build(resourceName, resourceType);
        }
    }

    /** Matches loaded by {@link OneQuerySearchBuilder} itself (the others by HAPI's loader). */
    long served() {
        return served.sum();
    }

    /** Whether loads from now on are done in one query (tests compare with HAPI's loader). */
    void enabled(boolean on) {
        enabled.set(on);
    }

    /** HAPI's bean of {@code JpaConfig.searchBuilderFactory()}. */
    static final String FACTORY = "searchBuilderFactory";

    /**
     * Points HAPI's {@code SearchBuilder} prototype at {@link #newSearchBuilder} of the named bean
     * (for whoever asks Spring for it), and HAPI's {@code searchBuilderFactory} at {@link Direct}.
     */
    static BeanFactoryPostProcessor replacing(String factoryBeanName) {
        return beanFactory -> {
            BeanDefinitionRegistry registry = (BeanDefinitionRegistry) beanFactory;
            String name = ISearchBuilder.SEARCH_BUILDER_BEAN_NAME;
            if (!registry.containsBeanDefinition(name)) {
                throw new IllegalStateException("HAPI's search builder bean '" + name + "' is not defined");
            }
            registry.removeBeanDefinition(name);
            RootBeanDefinition builder = new RootBeanDefinition();
            builder.setFactoryBeanName(factoryBeanName);
            builder.setFactoryMethodName("newSearchBuilder");
            builder.setScope(BeanDefinition.SCOPE_PROTOTYPE);
            registry.registerBeanDefinition(name, builder);
            if (!registry.containsBeanDefinition(FACTORY)) {
                throw new IllegalStateException("HAPI's search builder factory bean '" + FACTORY + "' is not defined");
            }
            registry.removeBeanDefinition(FACTORY);
            RootBeanDefinition factory = new RootBeanDefinition(Direct.class);
            factory.setAutowireMode(org.springframework.beans.factory.support.AbstractBeanDefinition.AUTOWIRE_CONSTRUCTOR);
            registry.registerBeanDefinition(FACTORY, factory);
        };
    }
}
