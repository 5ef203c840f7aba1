package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
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
 * all its matches fit in a bound ({@code srm.fhir.inline-search-max}, 100): HAPI's own synchronous
 * search (the same query, partition selection and {@code STORAGE_PRESEARCH_*},
 * {@code STORAGE_PREACCESS_RESOURCES} and {@code STORAGE_PRESHOW_RESOURCES} hooks) loads every match,
 * and the response pages through them in memory ({@link InlineSearchPages}: page links serve only
 * the user who searched, and each later page passes the access hooks again). No
 * {@code HFJ_SEARCH} row is written and the request thread waits for no search thread; a search is
 * never reused, so a record written a moment ago is found by the next search.
 *
 * <p>A search with more matches than the bound is run again as HAPI's persisted search, so paging
 * through thousands of matches is HAPI's (the wasted attempt loads at most the bound plus one
 * match). Also left to HAPI: {@code _include}/{@code _revinclude}, {@code _offset},
 * {@code _summary=count}, full-text ({@code _content}/{@code _text}), {@code _contained},
 * {@code $everything}, any {@code Cache-Control} header and searches inside a transaction.
 *
 * <p>Does not guarantee the snapshot HAPI's persisted search gives across pages for longer than
 * the pages are kept ({@code srm.fhir.inline-pages-ttl}, or until
 * {@code srm.fhir.inline-pages-max-resources} are held): after that a page link answers 410, as an
 * expired HAPI search does. Later pages show the matches as they were when the search ran.
 */
final class InlineSearch {

    private static final String ATTEMPT = InlineSearch.class.getName();

    /** A search being tried inline: its map, and how many matches HAPI's synchronous search found. */
    private static final class Attempt {
        private final SearchParameterMap params;
        private int matches = -1;

        private Attempt(SearchParameterMap params) {
            this.params = params;
        }
    }

    private final int max;
    private final LongAdder inline = new LongAdder();
    private final LongAdder tooMany = new LongAdder();

    InlineSearch(int max) {
        this.max = max;
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
        Attempt attempt = new Attempt(params);
        request.getUserData().put(ATTEMPT, attempt);
        IBundleProvider result;
        try {
            result = dao.search(params, request, response);
        } finally {
            request.getUserData().remove(ATTEMPT);
        }
        if (attempt.matches >= 0 && attempt.matches <= max && result instanceof SimpleBundleProvider) {
            inline.increment();
            return new InlineResult(result.getAllResources(), pageSize);
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
        Attempt attempt = request == null ? null : (Attempt) request.getUserData().get(ATTEMPT);
        if (attempt != null && attempt.params == params) {
            params.setCount(max + 1);
        }
    }

    /** The number of matches the synchronous search found, before any is dropped. */
    @Hook(Pointcut.STORAGE_PREACCESS_RESOURCES)
    public void countMatches(IPreResourceAccessDetails details, RequestDetails request) {
        Attempt attempt = request == null ? null : (Attempt) request.getUserData().get(ATTEMPT);
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

    /** Every match of an inline search, which {@link InlineSearchPages} keeps for the next pages. */
    static final class InlineResult extends SimpleBundleProvider {
        InlineResult(List<IBaseResource> matches, Integer pageSize) {
            super(matches);
            setSize(matches.size());
            setPreferredPageSize(pageSize);
        }
    }
}
