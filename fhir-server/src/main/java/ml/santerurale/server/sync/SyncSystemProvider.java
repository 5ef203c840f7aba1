package ml.santerurale.server.sync;

import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.rest.annotation.Count;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.Since;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.IBundleProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.SimpleBundleProvider;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import java.util.Date;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.interceptors.security.Caller;
import ml.santerurale.server.fhir.PreEncodedEntries;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.InstantType;

/**
 * The system endpoint: transaction and batch (sync batches, see {@link SyncBatch}, go through
 * {@link SyncPush}; any other Bundle straight to HAPI's transaction processing) and
 * {@code _history}, served by the {@link ChangeFeed}.
 */
public final class SyncSystemProvider {

    static final String CURSOR_PARAMETER = "_cursor";

    private final IFhirSystemDao<Bundle, ?> systemDao;
    private final SyncPush push;
    private final ChangeFeed feed;
    private final VersionConflicts conflicts;
    private final BatchOfServedEntries batches;
    private final int defaultPageSize;
    private final int maxPageSize;

    /**
     * @param maxPageSize the largest feed page: at most HAPI's own page limit, which would
     *     otherwise cut the page and lose the changes past it
     */
    SyncSystemProvider(IFhirSystemDao<Bundle, ?> systemDao, SyncPush push, VersionConflicts conflicts, ChangeFeed feed,
            BatchOfServedEntries batches, int defaultPageSize, int maxPageSize) {
        this.systemDao = systemDao;
        this.batches = batches;
        this.conflicts = conflicts;
        this.push = push;
        this.feed = feed;
        this.defaultPageSize = defaultPageSize;
        this.maxPageSize = maxPageSize;
    }

    @Transaction
    public Bundle transaction(RequestDetails requestDetails, @TransactionParam Bundle bundle) {
        return SyncBatch.of(bundle)
                .map(batch -> push.accept(requestDetails, bundle, batch))
                .orElseGet(() -> {
                    if (bundle.getType() == Bundle.BundleType.TRANSACTION) {
                        conflicts.refuseStaleIfMatch(bundle, Caller.of(requestDetails).map(Caller::siteIds).orElse(Set.of()));
                    }
                    if (bundle.getType() == Bundle.BundleType.BATCH) {
                        return batches.run(bundle, served -> systemDao.transaction(requestDetails, served));
                    }
                    return systemDao.transaction(requestDetails, bundle);
                });
    }

    /**
     * A page of the whole feed, its Bundle made by {@link FeedBundle} rather than HAPI's bundle
     * factory (type-level history, {@link #feedPage}, still goes through the factory).
     */
    @History
    public Bundle history(@Since Date since, @Count Integer count, RequestDetails requestDetails) {
        ChangeFeed.Page page = page(since, count, requestDetails, null);
        Bundle bundle = FeedBundle.of(page.resources(), requestDetails.getFhirServerBase(), requestDetails.getFhirContext());
        // HAPI wants an id on what a history method returns; its factory gives a Bundle a random one.
        bundle.setId(UUID.randomUUID().toString());
        return bundle;
    }

    /** A page of the change feed for this request, of one type or (null) of all. */
    IBundleProvider feedPage(Date since, Integer count, RequestDetails requestDetails, String onlyType) {
        ChangeFeed.Page page = page(since, count, requestDetails, onlyType);
        SimpleBundleProvider provider = new SimpleBundleProvider(page.resources());
        provider.setPreferredPageSize(Math.max(1, page.resources().size()));
        provider.setPublished(new InstantType(page.issuedAt()));
        return provider;
    }

    private ChangeFeed.Page page(Date since, Integer count, RequestDetails requestDetails, String onlyType) {
        Caller caller = Caller.of(requestDetails)
                .orElseThrow(() -> new AuthenticationException("The change feed needs an authenticated user"));
        String[] cursorParameter = requestDetails.getParameters().get(CURSOR_PARAMETER);
        FeedCursor cursor = cursorParameter == null || cursorParameter.length == 0
                ? feed.start(since)
                : FeedCursor.decode(cursorParameter[0]);
        int size = Math.min(count == null ? defaultPageSize : Math.max(1, count), maxPageSize);
        ChangeFeed.Page page = feed.page(caller, cursor, size, onlyType);
        FeedLinks.remember(requestDetails, page, since, size);
        PreEncodedEntries.remember(requestDetails, page.encoded());
        return page;
    }
}
