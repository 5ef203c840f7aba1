package ml.santerurale.server.fhir;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.springframework.util.ClassUtils;

/**
 * Puts a proxy in front of a REST provider's DAO that answers some calls itself and passes every
 * other call to HAPI's DAO unchanged. The proxy implements every interface of the DAO (providers
 * cast theirs to {@code IFhirResourceDaoPatient} and the like), and {@code equals}, {@code hashCode}
 * and {@code toString} are the proxy's own.
 *
 * <p>Used by the reads in one query and the inline searches (wired in {@code FhirRestConfig}) and by
 * type-level history from the change feed ({@code sync.TypeHistoryFromFeed}). Does not intercept
 * the DAO's calls to itself: only what the provider calls through the proxy.
 */
public final class DaoProxy {

    /** What an intercepted call returns when the DAO is to answer it. */
    public static final Object PASS = new Object();

    /** A call the proxy may answer: its answer, or {@link #PASS}. */
    @FunctionalInterface
    public interface Call {
        Object answer(Method method, Object[] arguments) throws Throwable;
    }

    private DaoProxy() {}

    @SuppressWarnings("unchecked")
    public static <T extends IBaseResource> IFhirResourceDao<T> wrap(IFhirResourceDao<T> dao, String name, Call call) {
        ClassLoader loader = dao.getClass().getClassLoader();
        InvocationHandler handler = (proxy, method, arguments) -> {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == arguments[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> name + "(" + dao + ")";
                };
            }
            Object answer = call.answer(method, arguments);
            if (answer != PASS) {
                return answer;
            }
            try {
                return method.invoke(dao, arguments);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (IFhirResourceDao<T>) Proxy.newProxyInstance(loader, ClassUtils.getAllInterfacesForClass(dao.getClass(), loader),
                handler);
    }

    /** Whether the method is {@code name(parameterTypes...)}, exactly. */
    public static boolean is(Method method, String name, Class<?>... parameterTypes) {
        return method.getName().equals(name) && java.util.Arrays.equals(method.getParameterTypes(), parameterTypes);
    }
}
