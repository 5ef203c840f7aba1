package ml.santerurale.server.sync;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.provider.BaseJpaResourceProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Date;
import ml.santerurale.server.fhir.DaoProxy;

/**
 * Serves type-level {@code _history} ({@code Patient/_history?_since=}) from the change feed, so
 * it misses no late commit either. HAPI's resource providers answer it by calling their DAO's
 * {@code history(since, until, offset, request)}; this puts a proxy in front of each provider's
 * DAO that sends exactly that call to the feed (narrowed to the provider's type) and every other
 * call, instance history included, to HAPI's DAO unchanged.
 *
 * <p>Does not support {@code _at} on type-level history (the feed is a change cursor, not a
 * point-in-time query): it is refused by the feed's paging rules like any unknown cursor.
 */
final class TypeHistoryFromFeed {

    private TypeHistoryFromFeed() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    static void install(BaseJpaResourceProvider<?> provider, SyncSystemProvider feed) {
        String type = provider.getResourceType().getSimpleName();
        ((BaseJpaResourceProvider) provider).setDao(DaoProxy.wrap((IFhirResourceDao) provider.getDao(), "TypeHistoryFromFeed",
                (method, arguments) -> DaoProxy.is(method, "history", Date.class, Date.class, Integer.class, RequestDetails.class)
                        ? feed.feedPage((Date) arguments[0], countOf((RequestDetails) arguments[3]), (RequestDetails) arguments[3], type)
                        : DaoProxy.PASS));
    }

    private static Integer countOf(RequestDetails requestDetails) {
        String[] count = requestDetails.getParameters().get("_count");
        try {
            return count == null || count.length == 0 ? null : Integer.valueOf(count[0]);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
