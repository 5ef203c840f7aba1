package ml.santerurale.server.fhir;

import ca.uhn.fhir.interceptor.api.HookParams;
import ca.uhn.fhir.interceptor.api.IAnonymousInterceptor;
import ca.uhn.fhir.interceptor.api.IInterceptorService;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The interceptor service the REST server hands every request, so that each hook runs once.
 *
 * <p>The REST server and the JPA layer share one interceptor service (every interceptor of ours is
 * registered there once). HAPI's storage code broadcasts a storage pointcut to a composite of the
 * DAO's service and the request's: with the same service twice, every storage hook ran twice per
 * resource (validation, access checks, labels, audit capture). Seen through this view, the
 * request's service contributes no invokers of non-{@code SERVER_*} pointcuts to such a composite,
 * because the DAO's side already holds them; a pointcut the plain REST server fires directly on
 * the request's service ({@code callHooks}, as for resources served from memory) still reaches
 * every hook. Registration and everything else is the shared service's.
 *
 * <p>It relies on HAPI's storage code reaching the request's service only through
 * {@code CompositeInterceptorBroadcaster} next to the DAO's (true of HAPI 8.8.0); a storage pointcut
 * HAPI broadcast through the request's service alone inside a composite would be lost.
 */
final class RequestBroadcaster implements IInterceptorService {

    private final IInterceptorService shared;

    RequestBroadcaster(IInterceptorService shared) {
        this.shared = shared;
    }

    private static boolean server(Pointcut pointcut) {
        return pointcut.name().startsWith("SERVER_");
    }

    @Override
    public List<IInvoker> getInvokersForPointcut(Pointcut pointcut) {
        return server(pointcut) ? shared.getInvokersForPointcut(pointcut) : List.of();
    }

    @Override
    public boolean hasHooks(Pointcut pointcut) {
        return shared.hasHooks(pointcut);
    }

    @Override
    public boolean callHooks(Pointcut pointcut, HookParams params) {
        return shared.callHooks(pointcut, params);
    }

    @Override
    public Object callHooksAndReturnObject(Pointcut pointcut, HookParams params) {
        return shared.callHooksAndReturnObject(pointcut, params);
    }

    @Override
    public boolean ifHasCallHooks(Pointcut pointcut, Supplier<HookParams> params) {
        return shared.ifHasCallHooks(pointcut, params);
    }

    @Override
    public Object ifHasCallHooksAndReturnObject(Pointcut pointcut, Supplier<HookParams> params) {
        return shared.ifHasCallHooksAndReturnObject(pointcut, params);
    }

    @Override
    public void runWithFilterHooks(Pointcut pointcut, HookParams params, Runnable runnable) {
        shared.runWithFilterHooks(pointcut, params, runnable);
    }

    @Override
    public <T> T runWithFilterHooks(Pointcut pointcut, HookParams params, Supplier<T> supplier) {
        return shared.runWithFilterHooks(pointcut, params, supplier);
    }

    @Override
    public void registerAnonymousInterceptor(Pointcut pointcut, IAnonymousInterceptor interceptor) {
        shared.registerAnonymousInterceptor(pointcut, interceptor);
    }

    @Override
    public void registerAnonymousInterceptor(Pointcut pointcut, int order, IAnonymousInterceptor interceptor) {
        shared.registerAnonymousInterceptor(pointcut, order, interceptor);
    }

    @Override
    public boolean registerInterceptor(Object interceptor) {
        return shared.registerInterceptor(interceptor);
    }

    @Override
    public boolean unregisterInterceptor(Object interceptor) {
        return shared.unregisterInterceptor(interceptor);
    }

    @Override
    public List<Object> getAllRegisteredInterceptors() {
        return shared.getAllRegisteredInterceptors();
    }

    @Override
    public boolean hasRegisteredInterceptor(Class<?> type) {
        return shared.hasRegisteredInterceptor(type);
    }

    @Override
    public void unregisterAllInterceptors() {
        shared.unregisterAllInterceptors();
    }

    @Override
    public void unregisterInterceptors(Collection<?> interceptors) {
        shared.unregisterInterceptors(interceptors);
    }

    @Override
    public void registerInterceptors(Collection<?> interceptors) {
        shared.registerInterceptors(interceptors);
    }

    @Override
    public void unregisterInterceptorsIf(Predicate<Object> predicate) {
        shared.unregisterInterceptorsIf(predicate);
    }

    @Override
    public void unregisterAllAnonymousInterceptors() {
        shared.unregisterAllAnonymousInterceptors();
    }
}
