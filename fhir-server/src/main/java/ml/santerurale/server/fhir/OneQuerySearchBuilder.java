package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.svc.IIdHelperService;
import ca.uhn.fhir.jpa.config.HapiFhirLocalContainerEntityManagerFactoryBean;
import ca.uhn.fhir.jpa.config.HibernatePropertiesProvider;
import ca.uhn.fhir.jpa.dao.IJpaStorageResourceParser;
import ca.uhn.fhir.jpa.dao.data.IResourceHistoryTableDao;
import ca.uhn.fhir.jpa.dao.data.IResourceTagDao;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.search.BatchResourceLoader;
import ca.uhn.fhir.jpa.search.builder.SearchBuilder;
import ca.uhn.fhir.jpa.search.builder.sql.SqlObjectFactory;
import ca.uhn.fhir.model.api.ResourceMetadataKeyEnum;
import ca.uhn.fhir.model.valueset.BundleEntrySearchModeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import jakarta.persistence.EntityManager;
import java.sql.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * HAPI's search builder, except that the matches of a search are loaded with one SQL statement
 * ({@link CurrentVersions}: resource rows, current versions and tags) and HAPI's own storage
 * parser, instead of a JPQL query that loads the version entities into Hibernate's session, a
 * second query for their tags and HAPI's batch loader (two thirds of the database work of an
 * inline name search, issue 17). The resources are the ones HAPI's loader makes (same meta, tag
 * order, source, partition, search mode).
 *
 * <p>Only a REST client's own request (not an entry of a transaction, where Hibernate may hold
 * writes not yet flushed, nor HAPI's internal work) is served. Everything else is HAPI's: the query
 * for the matches, counts, includes, and every load this class does not serve — history, specific versions, included resources, more than
 * {@value #MAX_PIDS} matches at once, and any batch in which one match is missing, deleted or not
 * stored as JSON text (then the whole batch goes to HAPI's loader, which knows how to answer).
 */
class OneQuerySearchBuilder extends SearchBuilder {

    static final int MAX_PIDS = 800;
    private static final String BY_PIDS = CurrentVersions.SELECT + " where r.res_id = any(?)";

    private final JdbcTemplate jdbc;
    private final IJpaStorageResourceParser parser;
    private final FhirContext context;
    private final JpaStorageSettings settings;
    private final LongAdder served;
    private final AtomicBoolean enabled;

    @SuppressWarnings("checkstyle:ParameterNumber")
    OneQuerySearchBuilder(String resourceName, JpaStorageSettings settings,
            HapiFhirLocalContainerEntityManagerFactoryBean entityManagerFactory, SqlObjectFactory sqlObjects,
            HibernatePropertiesProvider dialect, ISearchParamRegistry searchParams, PartitionSettings partitionSettings,
            IInterceptorBroadcaster interceptors, IResourceTagDao tagDao, DaoRegistry daos, FhirContext context,
            IIdHelperService<JpaPid> ids, IResourceHistoryTableDao historyDao, BatchResourceLoader loader,
            Class<? extends IBaseResource> resourceType, EntityManager entityManager, JdbcTemplate jdbc,
            IJpaStorageResourceParser parser, LongAdder served, AtomicBoolean enabled) {
        super(resourceName, settings, entityManagerFactory, sqlObjects, dialect, searchParams, partitionSettings,
                interceptors, tagDao, daos, context, ids, historyDao, loader, resourceType);
        this.myEntityManager = entityManager;
        this.jdbc = jdbc;
        this.parser = parser;
        this.context = context;
        this.settings = settings;
        this.served = served;
        this.enabled = enabled;
    }

    @Override
    public void loadResourcesByPid(Collection<JpaPid> pids, Collection<JpaPid> includedPids,
            List<IBaseResource> resources, boolean forHistoryOperation, RequestDetails request) {
        InlineSearch.Attempt inline = InlineSearch.attemptOf(request);
        if (inline != null && inline.overBound() && includedPids.isEmpty() && !forHistoryOperation) {
            // The attempt is thrown away for HAPI's persisted search: nothing to load.
            return;
        }
        int firstPage = inline == null ? 0 : inline.firstPageOnly();
        if (firstPage > 0 && pids.size() > firstPage && includedPids.isEmpty() && !forHistoryOperation) {
            // An inline search's matches: the first page now, the others when their page is asked for.
            List<JpaPid> all = new ArrayList<>(pids);
            inline.loadingFirstPageOf(all);
            loadResourcesByPid(new ArrayList<>(all.subList(0, firstPage)), includedPids, resources, false, request);
            return;
        }
        List<IBaseResource> loaded = !enabled.get() || !(request instanceof ServletRequestDetails) || request.isSubRequest()
                || forHistoryOperation || !includedPids.isEmpty() || pids.isEmpty() || pids.size() > MAX_PIDS
                || versioned(pids) ? null : load(pids, request);
        if (loaded == null) {
            super.loadResourcesByPid(pids, includedPids, resources, forHistoryOperation, request);
            return;
        }
        served.add(loaded.size());
        resources.addAll(loaded);
    }

    private boolean versioned(Collection<JpaPid> pids) {
        if (!settings.isRespectVersionsForSearchIncludes()) {
            return false;
        }
        for (JpaPid pid : pids) {
            if (pid.getVersion() != null) {
                return true;
            }
        }
        return false;
    }

    /** The resources in the order of the pids, or null when HAPI's loader must answer. */
    private List<IBaseResource> load(Collection<JpaPid> pids, RequestDetails request) {
        Long[] ids = new Long[pids.size()];
        int i = 0;
        for (JpaPid pid : pids) {
            ids[i++] = pid.getId();
        }
        Map<Long, CurrentVersions.Current> rows = new HashMap<>();
        jdbc.query(BY_PIDS, statement -> {
            Array array = statement.getConnection().createArrayOf("bigint", ids);
            statement.setArray(1, array);
        }, rs -> {
            CurrentVersions.Current row = CurrentVersions.row(rs);
            rows.put(row.version().getResourceId().getId(), row);
        });
        List<IBaseResource> resources = new ArrayList<>(ids.length);
        for (Long id : ids) {
            CurrentVersions.Current row = rows.get(id);
            if (row == null || !row.servable()) {
                return null;
            }
            Class<? extends IBaseResource> type =
                    context.getResourceDefinition(row.version().getResourceType()).getImplementingClass();
            IBaseResource resource = parser.toResource(request, type, row.version(), row.tags(), false);
            if (resource == null) {
                return null;
            }
            ResourceMetadataKeyEnum.ENTRY_SEARCH_MODE.put(resource, BundleEntrySearchModeEnum.MATCH);
            if (PreEncodedEntries.wanted(request)) {
                PreEncodedEntries.remember(request, resource, StoredJson.of(resource, row.version().getResourceTextVc()));
            }
            resources.add(resource);
        }
        return resources;
    }
}
