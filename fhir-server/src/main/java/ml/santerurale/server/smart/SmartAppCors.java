package ml.santerurale.server.smart;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Lets the registered browser-based SMART apps ({@code srm.smart.allowed-origins}) call
 * {@code /fhir} from their own origin: CORS headers for those origins, and their preflight
 * requests answered here (204) before any authentication. Requests from other origins pass
 * through unchanged (no CORS headers, so a browser withholds the answer from the page); nothing
 * is ever refused by this filter.
 *
 * <p>Does not authenticate nor authorise: a cross-origin request still needs its bearer token.
 */
final class SmartAppCors extends OncePerRequestFilter {

    private final Set<String> allowedOrigins;

    SmartAppCors(Set<String> allowedOrigins) {
        this.allowedOrigins = Set.copyOf(allowedOrigins);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String origin = request.getHeader("Origin");
        if (origin == null || !allowedOrigins.contains(origin)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", origin);
        response.addHeader("Vary", "Origin");
        response.setHeader("Access-Control-Expose-Headers", "Location, ETag, Content-Location, X-Request-ID, WWW-Authenticate");
        if ("OPTIONS".equals(request.getMethod()) && request.getHeader("Access-Control-Request-Method") != null) {
            response.setHeader("Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE");
            response.setHeader("Access-Control-Allow-Headers",
                    "Authorization, Content-Type, Accept, If-Match, If-None-Exist, If-None-Match, Prefer, X-Request-ID");
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        chain.doFilter(request, response);
    }
}
