package ml.santerurale.server.app;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.Set;
import ml.santerurale.server.security.SecurityProperties;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Headers of the app's files (everything outside {@code /fhir} and {@code /actuator}, which keep
 * their own): a Content-Security-Policy with no inline script and connections only to this
 * server and the Keycloak realm, and caching that lets a new version reach phones (the shell and
 * the service worker are revalidated every time; hashed assets are immutable).
 */
@Component
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

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return path.equals("/fhir") || path.startsWith("/fhir/") || path.equals("/actuator") || path.startsWith("/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        response.setHeader("Content-Security-Policy", contentSecurityPolicy);
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        if (REVALIDATED.contains(path)) {
            response.setHeader("Cache-Control", "no-cache");
        } else if (path.startsWith("/assets/")) {
            response.setHeader("Cache-Control", "public, max-age=31536000, immutable");
        }
        chain.doFilter(request, response);
    }
}
