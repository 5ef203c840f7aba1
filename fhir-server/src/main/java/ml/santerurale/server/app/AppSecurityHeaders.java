package ml.santerurale.server.app;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import ml.santerurale.server.headers.SecurityHeaders;
import ml.santerurale.server.security.SecurityProperties;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * The security headers of every answer ({@link SecurityHeaders}: nosniff, no referrer, HSTS on
 * HTTPS), set before anything else runs so that refusals and error answers carry them too (401,
 * 404, 422, 429, 503 OperationOutcomes, TRACE refused). The app's files (everything outside
 * {@code /fhir} and {@code /actuator}) get the app's Content-Security-Policy, with no inline
 * script and connections only to this server and the Keycloak realm, and caching that lets a new
 * version reach phones (the shell and the service worker are revalidated every time; hashed
 * assets are immutable); the rest gets {@link SecurityHeaders#API_POLICY}.
 *
 * <p>A header decides nothing, so this is a filter: it must also reach answers HAPI never makes
 * (SMART discovery, probes, Spring's error page). Policy stays in HAPI interceptors.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class AppSecurityHeaders extends OncePerRequestFilter {

    private static final Set<String> REVALIDATED = Set.of(
            "/", "/index.html", "/sw.js", "/registerSW.js", "/manifest.webmanifest", "/app-config.json");

    private final String contentSecurityPolicy;

    AppSecurityHeaders(SecurityProperties security) {
        String realmOrigin = origin(realmIssuer(security));
        this.contentSecurityPolicy = String.join("; ",
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                "img-src 'self' data:",
                "font-src 'self'",
                "connect-src 'self' " + realmOrigin,
                "manifest-src 'self'",
                "worker-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self' " + realmOrigin,
                "frame-ancestors 'none'");
    }

    /** The realm the browser signs in at: the first trusted issuer. */
    static String realmIssuer(SecurityProperties security) {
        return security.issuers().get(0).issuer().toString().replaceAll("/$", "");
    }

    private static String origin(String url) {
        URI uri = URI.create(url);
        return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
    }

    String contentSecurityPolicy() {
        return contentSecurityPolicy;
    }

    private static boolean isApi(String path) {
        return path.equals("/fhir") || path.startsWith("/fhir/") || path.equals("/actuator") || path.startsWith("/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (isApi(path)) {
            SecurityHeaders.apply(request, response, SecurityHeaders.API_POLICY);
            chain.doFilter(request, response);
            return;
        }
        SecurityHeaders.apply(request, response, contentSecurityPolicy);
        if (REVALIDATED.contains(path)) {
            response.setHeader("Cache-Control", "no-cache");
        } else if (path.startsWith("/assets/")) {
            response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        }
        chain.doFilter(request, response);
    }
}
