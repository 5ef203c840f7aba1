package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.partition.IRequestPartitionHelperSvc;
import ca.uhn.fhir.jpa.provider.BaseJpaResourceProvider;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.narrative.INarrativeGenerator;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.ApacheProxyAddressStrategy;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IServerAddressStrategy;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.util.List;
import javax.sql.DataSource;
import ml.santerurale.interceptors.guard.ContainsOnlyOnReferenceData;
import ml.santerurale.interceptors.guard.DeleteConflictsExplained;
import ml.santerurale.interceptors.guard.RequestSizeGuard;
import ml.santerurale.interceptors.guard.ServedTypesGuard;
import ml.santerurale.interceptors.guard.TransactionBundleGuard;
import ml.santerurale.interceptors.versioning.IfMatchOnMissingResource;
import ml.santerurale.interceptors.versioning.StaleVersionAsPreconditionFailed;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The FHIR REST endpoint at {@code /fhir}: one resource provider per served type, the capability
 * statement, and the guards. The system-level interactions (transaction, batch, history) are the
 * sync module's ({@code sync.SyncConfig} registers them).
 *
 * <p>HAPI keeps a DAO for every R4 type (its own services need some, such as Task for
 * {@code $merge}); what clients reach is decided here: providers only for served types, and the
 * {@link ServedTypesGuard} on every path, transaction entries and storage writes included.
 *
 * <p>Guards are registered on HAPI's interceptor service, not only on the servlet, so that their
 * storage-level hooks also see writes made inside transactions.
 */
@Configuration(proxyBeanMethods = false)
class FhirRestConfig {

    @Bean
    @SuppressWarnings("unchecked")
    RestfulServer restfulServer(
            IFhirSystemDao<?, ?> systemDao,
            ResourceProviderFactory resourceProviderFactory,
            JpaStorageSettings storageSettings,
            ISearchParamRegistry searchParamRegistry,
            IValidationSupport validationSupport,
            DatabaseBackedPagingProvider pagingProvider,
            IInterceptorService interceptorService,
            FhirProperties properties,
            ServedTypesGuard servedTypesGuard,
            ReadInOneQuery reads,
            InlineSearch searches,
            PreEncodedEntries preEncodedEntries) {
        // The requests' view of the shared service: each storage hook runs once (see RequestBroadcaster).
        RestfulServer server = new RestfulServer(systemDao.getContext(), new RequestBroadcaster(interceptorService));
        systemDao.getContext().setNarrativeGenerator((INarrativeGenerator) null);
        List<IResourceProvider> providers = resourceProviderFactory.createProviders().stream()
                .filter(IResourceProvider.class::isInstance)
                .map(IResourceProvider.class::cast)
                .filter(p -> ServedResourceTypes.STORED.contains(p.getResourceType().getSimpleName()))
                // The audit trail is not in HAPI's tables: audit.AuditTrailProvider serves it.
                .filter(p -> !"AuditEvent".equals(p.getResourceType().getSimpleName()))
                .toList();
        // A read of a current version in one query (ReadInOneQuery), a search with few matches in the
        // request (InlineSearch); everything else is HAPI's.
        providers.stream()
                .filter(BaseJpaResourceProvider.class::isInstance)
                .map(p -> (BaseJpaResourceProvider<IBaseResource>) p)
                .forEach(p -> {
                    IFhirResourceDao<IBaseResource> dao = p.getDao();
                    String type = systemDao.getContext().getResourceType(p.getResourceType());
                    p.setDao(DaoProxy.wrap(dao, "RestDao", (method, arguments) -> {
                        Object read = reads.answer(dao, type, method, arguments);
                        return read != DaoProxy.PASS ? read : searches.answer(dao, method, arguments);
                    }));
                });
        interceptorService.registerInterceptor(searches);
        // Stored resources of a search or a feed page written from their stored JSON.
        interceptorService.registerInterceptor(preEncodedEntries);
        server.registerProviders(providers);
        JpaCapabilityStatementProvider capabilities = new JpaCapabilityStatementProvider(
                server, systemDao, storageSettings, searchParamRegistry, validationSupport);
        // No count of stored resources by type (fhir.NoResourceCounts): /metadata is public, counts would span every site.
        capabilities.setIncludeResourceCounts(false);
        server.setServerConformanceProvider(capabilities);
        server.setPagingProvider(pagingProvider);
        server.setDefaultResponseEncoding(EncodingEnum.JSON);
        server.setServerAddressStrategy(addressStrategy(properties));

        interceptorService.registerInterceptor(new RequestSizeGuard(properties.maxRequestBytes()));
        interceptorService.registerInterceptor(servedTypesGuard);
        interceptorService.registerInterceptor(new TransactionBundleGuard());
        interceptorService.registerInterceptor(new DeleteConflictsExplained());
        interceptorService.registerInterceptor(new EveryReferenceNamedOnDelete());
        interceptorService.registerInterceptor(new ContainsOnlyOnReferenceData(
                List.of("Organization", "Location", "Practitioner", "PractitionerRole")));
        interceptorService.registerInterceptor(new StaleVersionAsPreconditionFailed());
        interceptorService.registerInterceptor(new IfMatchOnMissingResource());
        return server;
    }

    @Bean
    PreEncodedEntries preEncodedEntries() {
        return new PreEncodedEntries();
    }

    /**
     * Where links and {@code Location} point: the configured public address; else the proxy's
     * {@code X-Forwarded-*} headers when they are trusted; else the address the request came to.
     */
    static IServerAddressStrategy addressStrategy(FhirProperties properties) {
        if (properties.serverAddress() != null && !properties.serverAddress().isBlank()) {
            return new HardcodedServerAddressStrategy(properties.serverAddress());
        }
        return properties.trustForwardedHeaders() ? new ApacheProxyAddressStrategy(false) : new IncomingRequestAddressStrategy();
    }

    @Bean
    ReadInOneQuery readInOneQuery(DataSource dataSource, IRequestPartitionHelperSvc partitionHelper,
            IJpaStorageResourceParser storageParser, IInterceptorService interceptorService) {
        return new ReadInOneQuery(new JdbcTemplate(dataSource), partitionHelper, storageParser, interceptorService);
    }

    @Bean
    InlineSearch inlineSearch(FhirProperties properties) {
        return new InlineSearch(properties.inlineSearchMax(), properties.defaultPageSize(), properties.maxPageSize());
    }

    /** Also answers the unserved entries of a batch one by one ({@code sync.BatchOfServedEntries}). */
    @Bean
    ServedTypesGuard servedTypesGuard() {
        return new ServedTypesGuard(ServedResourceTypes.ALL);
    }

    @Bean
    ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer restfulServer) {
        ServletRegistrationBean<RestfulServer> registration = new ServletRegistrationBean<>(restfulServer, "/fhir/*");
        registration.setName("fhir");
        registration.setLoadOnStartup(1);
        return registration;
    }
}
