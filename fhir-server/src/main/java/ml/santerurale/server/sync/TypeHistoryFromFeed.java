package ml.santerurale.server.sync;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.jpa.provider.BaseJpaResourceProvider;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Date;

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
        IFhirResourceDao<?> hapi = provider.getDao();
        String type = provider.getResourceType().getSimpleName();
        InvocationHandler handler = (proxy, method, arguments) -> {
            if (isTypeHistory(method)) {
                return feed.feedPage((Date) arguments[0], countOf((RequestDetails) arguments[3]), (RequestDetails) arguments[3], type);
            }
            try {
                return method.invoke(hapi, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        ((BaseJpaResourceProvider) provider).setDao((IFhirResourceDao) Proxy.newProxyInstance(
                TypeHistoryFromFeed.class.getClassLoader(),
                // Every interface of the DAO: providers cast it to IFhirResourceDaoPatient and the like.
                org.springframework.util.ClassUtils.getAllInterfacesForClass(hapi.getClass(), TypeHistoryFromFeed.class.getClassLoader()),
                handler));
    }

    private static boolean isTypeHistory(Method method) {
        Class<?>[] parameters = method.getParameterTypes();
        return method.getName().equals("history") && parameters.length == 4 && parameters[0] == Date.class
                && parameters[1] == Date.class && parameters[2] == Integer.class && parameters[3] == RequestDetails.class;
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
