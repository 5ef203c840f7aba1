package ml.santerurale.server.headers;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The security headers every answer carries: {@code X-Content-Type-Options: nosniff},
 * {@code Referrer-Policy: no-referrer}, a Content-Security-Policy (the app's for its files,
 * {@link #API_POLICY} for everything else, which is data and never runs) and, on HTTPS requests,
 * {@code Strict-Transport-Security}. Behind the reverse proxy a request is HTTPS when the proxy
 * says so ({@code X-Forwarded-Proto: https} from a trusted proxy address, Tomcat's RemoteIpValve,
 * {@code server.tomcat.remoteip.internal-proxies} / {@code SRM_TRUSTED_PROXIES}).
 *
 * <p>Does not guarantee: headers on what Tomcat answers before any valve runs (a request line it
 * cannot read at all), nor HSTS on plain HTTP (browsers ignore it there, RFC 6797 §8.1).
 */
public final class SecurityHeaders {

    /** API answers, error pages and probes: nothing may load, run or frame them. */
    public static final String API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    /** One year; browsers then refuse plain HTTP to this host. */
    static final String HSTS = "max-age=31536000";

    private SecurityHeaders() {}

    /** Sets the headers on {@code response} (replacing any earlier value). */
    public static void apply(HttpServletRequest request, HttpServletResponse response, String contentSecurityPolicy) {
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Content-Security-Policy", contentSecurityPolicy);
        if (request.isSecure()) {
            response.setHeader("Strict-Transport-Security", HSTS);
        }
    }
}
