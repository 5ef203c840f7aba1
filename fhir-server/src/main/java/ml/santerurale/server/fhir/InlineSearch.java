package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.model.dao.JpaPid;
import ca.uhn.fhir.jpa.searchparam.SearchParameterMap;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.SearchContainedModeEnum;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.IPreResourceAccessDetails;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.hl7.fhir.instance.model.api.IBaseResource;

/**
 * Runs a REST search of one resource type in the request, without HAPI's persisted search, when
 * all its matches fit in a bound ({@code srm.fhir.inline-search-max}, 1,000): HAPI's own synchronous
 * search (the same query, partition selection and {@code STORAGE_PRESEARCH_*},
 * {@code STORAGE_PREACCESS_RESOURCES} and {@code STORAGE_PRESHOW_RESOURCES} hooks) finds every
 * match, {@link OneQuerySearchBuilder} loads the first page only, and {@link InlineSearchPages}
 * keeps the matches' ids for the later pages (page links serve only the user who searched, and
 * each later page passes the access hooks again). No {@code HFJ_SEARCH} row is written and the
 * request thread waits for no search thread; a search is never reused, so a record written a
 * moment ago is found by the next search.
 *
 * <p>A search with more matches than the bound is run again as HAPI's persisted search, so paging
 * through more matches is HAPI's (the wasted attempt reads at most the bound plus one id, and
 * loads no resource). Also
 * left to HAPI: {@code _include}/{@code _revinclude}, {@code _offset}, {@code _summary=count},
 * full-text ({@code _content}/{@code _text}), {@code _contained}, {@code $everything}, any
 * {@code Cache-Control} header and searches inside a transaction.
 *
 * <p>Does not keep the pages for longer than {@code srm.fhir.inline-pages-ttl} (or once
 * {@code srm.fhir.inline-pages-max-resources} are held): a page link then answers 410, as an
 * expired HAPI search does.
 */
final class InlineSearch {

    private static final String ATTEMPT = InlineSearch.class.getName();

    /**
     * A search being tried inline: its map, how many matches HAPI's synchronous search found, and,
     * once {@link OneQuerySearchBuilder} has loaded only the first page, every match it was given
     * (the ones the access hooks let through), in order.
     */
    static final class Attempt {
        private final SearchParameterMap params;
        private final int pageSize;
        private final int bound;
        private int matches = -1;
        private List<JpaPid> all;

        private Attempt(SearchParameterMap params, int pageSize, int bound) {
            this.params = params;
            this.pageSize = pageSize;
            this.bound = bound;
        }

        /** More matches than the bound: HAPI's persisted search will answer, nothing need be loaded. */
        boolean overBound() {
            return matches > bound;
        }

        /** The first page's size, while the loader may still load only the first page; else 0. */
        int firstPageOnly() {
            return all == null ? pageSize : 0;
        }

        /** The loader loads the first page of these matches only. */
        void loadingFirstPageOf(List<JpaPid> matches) {
            all = List.copyOf(matches);
        }
    }

    /** The attempt of this request, if an inline search is running in it. */
    static Attempt attemptOf(RequestDetails request) {
        return request == null ? null : (Attempt) request.getUserData().get(ATTEMPT);
    }

    private final int max;
    private final int defaultPageSize;
    private final int maxPageSize;
    private final LongAdder inline = new LongAdder();
    private final LongAdder tooMany = new LongAdder();

    InlineSearch(int max, int defaultPageSize, int maxPageSize) {
        this.max = max;
        this.defaultPageSize = defaultPageSize;
        this.maxPageSize = maxPageSize;
    }

    /**
     * Answers {@code search(SearchParameterMap, RequestDetails, HttpServletResponse)} of the DAO;
     * {@link DaoProxy#PASS} for every other call and every search HAPI must run as it does.
     */
    Object answer(IFhirResourceDao<?> dao, Method method, Object[] arguments) {
        if (max <= 0 || !DaoProxy.is(method, "search", SearchParameterMap.class, RequestDetails.class, HttpServletResponse.class)
                || !(arguments[0] instanceof SearchParameterMap params) || !(arguments[1] instanceof RequestDetails request)
                || !eligible(params, request)) {
            return DaoProxy.PASS;
        }
        HttpServletResponse response = (HttpServletResponse) arguments[2];
        SearchParameterMap asked = params.clone();
        Integer pageSize = params.getCount();
        params.setLoadSynchronous(true);
        params.setLoadSynchronousUpTo(max + 1);
        // The REST layer's page size (RestfulServer: no _count or 0 is the default page).
        Attempt attempt = new Attempt(params,
                pageSize == null || pageSize <= 0 ? defaultPageSize : Math.min(pageSize, maxPageSize), max);
        request.getUserData().put(ATTEMPT, attempt);
        IBundleProvider result;
        try {
            result = dao.search(params, request, response);
        } finally {
            request.getUserData().remove(ATTEMPT);
        }
        if (attempt.matches >= 0 && attempt.matches <= max && result instanceof SimpleBundleProvider) {
            inline.increment();
            return attempt.all == null
                    ? new InlineResult(result.getAllResources(), null, pageSize, dao.getResourceType())
                    : new InlineResult(result.getAllResources(), attempt.all, pageSize, dao.getResourceType());
        }
        tooMany.increment();
        return dao.search(asked, request, response);
    }

    private static boolean eligible(SearchParameterMap params, RequestDetails request) {
        return !request.isSubRequest()
                && request.getHeaders(Constants.HEADER_CACHE_CONTROL).isEmpty()
                && !params.isLoadSynchronous() && params.getLoadSynchronousUpTo() == null && params.getOffset() == null
                && params.getIncludes().isEmpty() && params.getRevIncludes().isEmpty()
                && params.getEverythingMode() == null
                && (params.getSearchContainedMode() == null || params.getSearchContainedMode() == SearchContainedModeEnum.FALSE)
                && params.getSummaryMode() != SummaryEnum.COUNT
                && !params.containsKey(Constants.PARAM_CONTENT) && !params.containsKey(Constants.PARAM_TEXT);
    }

    /**
     * HAPI's DAO has set the page size as the search's count, which would make its synchronous
     * search load one page and drop the rest: the attempt loads every match up to the bound plus
     * one (also the SQL limit), and the REST layer pages (by the request's {@code _count}).
     */
    @Hook(Pointcut.STORAGE_PRESEARCH_REGISTERED)
    public void loadEveryMatch(SearchParameterMap params, RequestDetails request) {
        Attempt attempt = attemptOf(request);
        if (attempt != null && attempt.params == params) {
            params.setCount(max + 1);
        }
    }

    /** The number of matches the synchronous search found, before any is dropped. */
    @Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
    public void countMatches(IPreResourceAccessDetails details, RequestDetails request) {
        Attempt attempt = attemptOf(request);
        if (attempt != null && attempt.matches < 0) {
            attempt.matches = details.size();
        }
    }

    /** Searches answered inline. */
    long inline() {
        return inline.sum();
    }

    /** Searches that had more matches than the bound and went to HAPI's persisted search. */
    long tooMany() {
        return tooMany.sum();
    }

    /**
     * An inline search's answer, which {@link InlineSearchPages} keeps for the next pages: every
     * match loaded, or the first page loaded and every match's id ({@code all}), the later pages
     * to be loaded when asked for.
     */
    static final class InlineResult extends SimpleBundleProvider {
        private final List<JpaPid> all;
        private final Class<? extends IBaseResource> type;

        InlineResult(List<IBaseResource> loaded, List<JpaPid> all, Integer pageSize, Class<? extends IBaseResource> type) {
            super(loaded);
            this.all = all;
            this.type = type;
            setSize(all == null ? loaded.size() : all.size());
            setPreferredPageSize(pageSize);
        }

        /** Every match's id, in order, when only the first page was loaded; else null. */
        List<JpaPid> all() {
            return all;
        }

        Class<? extends IBaseResource> type() {
            return type;
        }
    }
}
