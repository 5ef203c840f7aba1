package ml.santerurale.server.observability;

import ca.uhn.fhir.interceptor.executor.BaseInterceptorService;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Keeps refusals out of the error log. HAPI logs every exception an interceptor throws at ERROR
 * with its stack trace ({@code BaseInterceptorService}: "Exception thrown by interceptor for
 * pointcut ..."), even when it is the interceptor's answer to the client: a 401 without token, a
 * 403 of the role matrix, a 404 or 410 of the site scope, a 400 for a reference to another
 * site's record. Those are expected and already in the audit trail (every 401 and 403, and every
 * failed access to patient data, with the request id); HAPI still logs most of them on one line
 * at WARN ("Failure during REST processing"), though not the 401s and 403s of the role matrix.
 *
 * <p>Denies exactly that ERROR line when the exception is a client error (a
 * {@link BaseServerResponseException} with a 4xx status); anything else an interceptor throws (a
 * 5xx, a bug such as a NullPointerException) is still logged at ERROR with its stack trace.
 * Installed on logback's context once (by name) and left there: Spring Boot resets logback
 * when an application starts, and every start of this one installs it again.
 */
final class ExpectedRefusalsLogFilter extends TurboFilter {

    static final String NAME = "srm-expected-refusals";
    private static final String HAPI_INTERCEPTOR_LOGGER = BaseInterceptorService.class.getName();

    ExpectedRefusalsLogFilter() {
        setName(NAME);
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
        if (level != Level.ERROR || logger == null || !HAPI_INTERCEPTOR_LOGGER.equals(logger.getName())) {
            return FilterReply.NEUTRAL;
        }
        Throwable thrown = t != null ? t : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last : null;
        return thrown instanceof BaseServerResponseException response && response.getStatusCode() >= 400
                && response.getStatusCode() < 500 ? FilterReply.DENY : FilterReply.NEUTRAL;
    }

    /** Adds a filter to logback's context unless one is there; returns the one in place. */
    static ExpectedRefusalsLogFilter install() {
        ExpectedRefusalsLogFilter filter = new ExpectedRefusalsLogFilter();
        filter.start();
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return filter; // not logback: nothing to filter
        }
        synchronized (context) {
            for (TurboFilter installed : context.getTurboFilterList()) {
                if (installed instanceof ExpectedRefusalsLogFilter existing) {
                    return existing;
                }
            }
            context.addTurboFilter(filter);
            return filter;
        }
    }
}
