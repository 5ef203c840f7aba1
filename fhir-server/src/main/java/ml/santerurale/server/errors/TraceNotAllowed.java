package ml.santerurale.server.errors;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers {@code TRACE} on every path with a 405 OperationOutcome in JSON (and an {@code Allow}
 * header), before any servlet runs. Tomcat would refuse TRACE itself, in the connector, with an
 * empty 405 that no error page can change; {@link ErrorAnswersConfig} lets TRACE through the
 * connector so that it reaches this filter instead. Nothing else may answer it: the servlet
 * API's own {@code doTrace} (Spring's dispatcher falls back to it) echoes the request, headers
 * included.
 *
 * <p>Runs right after the request id filter, so the answer names the request's id. Does not
 * guarantee that {@code Allow} lists exactly what each path accepts: it lists the FHIR
 * interactions' methods under {@code /fhir}, and what the app's static files accept elsewhere.
 */
final class TraceNotAllowed extends OncePerRequestFilter implements Ordered {

    static final String FHIR_METHODS = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    static final String STATIC_METHODS = "GET, HEAD, OPTIONS";

    private final ContainerErrorOutcome outcomes;

    TraceNotAllowed(ContainerErrorOutcome outcomes) {
        this.outcomes = outcomes;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"TRACE".equalsIgnoreCase(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String requestId = ContainerErrorOutcome.requestId(response.getHeader(ContainerErrorOutcome.REQUEST_ID_HEADER),
                request.getHeader(ContainerErrorOutcome.REQUEST_ID_HEADER));
        boolean fhir = request.getRequestURI().startsWith(request.getContextPath() + "/fhir");
        response.setStatus(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        response.setHeader("Allow", fhir ? FHIR_METHODS : STATIC_METHODS);
        response.setHeader(ContainerErrorOutcome.REQUEST_ID_HEADER, requestId);
        response.setContentType(ContainerErrorOutcome.CONTENT_TYPE);
        response.getWriter().write(outcomes.json(HttpServletResponse.SC_METHOD_NOT_ALLOWED, requestId));
    }

    /** Right after {@code observability.RequestIdFilter} (highest precedence). */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 1;
    }
}
