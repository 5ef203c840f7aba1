package ml.santerurale.server.fhir;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.IInterceptorBroadcaster;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.dao.SearchBuilderFactory;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SimplePreResourceAccessDetails;
import ca.uhn.fhir.rest.server.interceptor.ServerInterceptorUtil;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * HAPI's database-backed paging, plus the pages of inline searches ({@link InlineSearch}) kept in
 * memory: a search whose matches do not fit in one page gets a random search id, bound to the
 * user who searched; a page link answers only that user, and anyone else (or anyone after
 * {@code srm.fhir.inline-pages-ttl}) gets HAPI's own 410 for an unknown search id. What is kept is
 * the ids of the matches, in order (a snapshot of which records matched, as HAPI's persisted
 * search keeps); a later page loads its records when asked for, as they are then (a record
 * deleted since is left out), and passes {@code STORAGE_PREACCESS_RESOURCES} and
 * {@code STORAGE_PRESHOW_RESOURCES} again with the page request (site backstop, SMART scopes), as
 * HAPI's persisted pages do.
 *
 * <p>Bounded: {@code srm.fhir.inline-pages-max-resources} (ten ids weigh one resource); the oldest
 * searches are forgotten first. Does not survive a restart and is not shared between server nodes
 * (a page link then answers 410, as an expired HAPI search does).
 */
class InlineSearchPages extends DatabaseBackedPagingProvider {

    /**
     * One inline search, for the user who ran it: every match loaded ({@code loaded}), or the id of
     * every match ({@code ids}, the resources loaded page by page), of one resource type.
     */
    private record Kept(String subject, List<IBaseResource> loaded, List<JpaPid> ids, Class<? extends IBaseResource> type,
            Integer pageSize, IPrimitiveType<Date> published, long keptMillis) {

        int size() {
            return ids != null ? ids.size() : loaded.size();
        }

        /** What this entry weighs against the bound: a loaded resource counts as ten ids. */
        int weight() {
            return ids != null ? Math.max(1, ids.size() / 10) : loaded.size();
        }
    }

    private final IInterceptorBroadcaster interceptors;
    private final ObjectProvider<SearchBuilderFactory<JpaPid>> builders;
    private final ObjectProvider<PlatformTransactionManager> transactions;
    private final FhirContext context;
    private final Clock clock;
    private final Duration ttl;
    private final int maxResources;
    private final Map<String, Kept> kept = new LinkedHashMap<>();
    private int heldResources;

    InlineSearchPages(IInterceptorBroadcaster interceptors, ObjectProvider<SearchBuilderFactory<JpaPid>> builders,
            ObjectProvider<PlatformTransactionManager> transactions, FhirContext context, Clock clock, Duration ttl,
            int maxResources) {
        this.interceptors = interceptors;
        this.builders = builders;
        this.transactions = transactions;
        this.context = context;
        this.clock = clock;
        this.ttl = ttl;
        this.maxResources = maxResources;
    }

    @Override
    public String storeResultList(RequestDetails request, IBundleProvider list) {
        if (!(list instanceof InlineSearch.InlineResult result)) {
            return super.storeResultList(request, list);
        }
        Optional<Caller> caller = Caller.of(request);
        Kept entry = new Kept(caller.map(Caller::subject).orElse(null),
                result.all() == null ? List.copyOf(result.getAllResources()) : null, result.all(), result.type(),
                result.preferredPageSize(), result.getPublished(), clock.millis());
        if (caller.isEmpty() || entry.weight() > maxResources) {
            return null;
        }
        String id = UUID.randomUUID().toString();
        keep(id, entry);
        return id;
    }

    private synchronized void keep(String id, Kept entry) {
        long now = clock.millis();
        for (Iterator<Kept> it = kept.values().iterator(); it.hasNext(); ) {
            Kept oldest = it.next();
            if (heldResources + entry.weight() <= maxResources && now - oldest.keptMillis() <= ttl.toMillis()) {
                break;
            }
            heldResources -= oldest.weight();
            it.remove();
        }
        kept.put(id, entry);
        heldResources += entry.weight();
    }

    private synchronized Kept kept(String id) {
        return kept.get(id);
    }

    @Override
    public IBundleProvider retrieveResultList(RequestDetails request, String id) {
        Kept entry = kept(id);
        if (entry == null) {
            return super.retrieveResultList(request, id);
        }
        boolean owner = Caller.of(request).map(Caller::subject).filter(entry.subject()::equals).isPresent();
        if (!owner || clock.millis() - entry.keptMillis() > ttl.toMillis()) {
            // HAPI answers an unknown or expired search id with 410: so does another user's.
            return null;
        }
        return new Page(id, entry, request, this);
    }

    /** The resources of some matches' ids, in their order (deleted ones left out), loaded as a search loads them. */
    private List<IBaseResource> load(Kept entry, List<JpaPid> ids, RequestDetails request) {
        TransactionTemplate readOnly = new TransactionTemplate(transactions.getObject());
        readOnly.setReadOnly(true);
        List<IBaseResource> resources = new ArrayList<>(ids.size());
        readOnly.executeWithoutResult(status -> builders.getObject()
                .newSearchBuilder(context.getResourceType(entry.type()), entry.type())
                .loadResourcesByPid(ids, List.of(), resources, false, request));
        resources.removeIf(java.util.Objects::isNull);
        return resources;
    }

    /** A page request's view of kept matches: each page passes the access hooks again. */
    private static final class Page implements IBundleProvider {
        private final String id;
        private final Kept entry;
        private final RequestDetails request;
        private final InlineSearchPages pages;

        private Page(String id, Kept entry, RequestDetails request, InlineSearchPages pages) {
            this.id = id;
            this.entry = entry;
            this.request = request;
            this.pages = pages;
        }

        @Override
        public List<IBaseResource> getResources(int from, int to) {
            int end = Math.min(to, entry.size());
            if (from >= end) {
                return new ArrayList<>();
            }
            List<IBaseResource> page = entry.ids() != null
                    ? pages.load(entry, entry.ids().subList(from, end), request)
                    : new ArrayList<>(entry.loaded().subList(from, end));
            if (page.isEmpty()) {
                return page;
            }
            IInterceptorBroadcaster interceptors = pages.interceptors;
            SimplePreResourceAccessDetails access = new SimplePreResourceAccessDetails(page);
            // The shared service, once per hook (the request's view holds no storage hooks: RequestBroadcaster).
            interceptors.callHooks(Pointcut.STORAGE_PREACCESS_RESOURCES, new HookParams()
                    .add(IPreResourceAccessDetails.class, access)
                    .add(RequestDetails.class, request)
                    .addIfMatchesType(ServletRequestDetails.class, request));
            for (int i = page.size() - 1; i >= 0; i--) {
                if (access.isDontReturnResourceAtIndex(i)) {
                    page.remove(i);
                }
            }
            return ServerInterceptorUtil.fireStoragePreshowResource(page, request, interceptors);
        }

        @Override
        public IPrimitiveType<Date> getPublished() {
            return entry.published();
        }

        @Override
        public String getUuid() {
            return id;
        }

        @Override
        public Integer preferredPageSize() {
            return entry.pageSize();
        }

        @Override
        public Integer size() {
            return entry.size();
        }
    }
}
