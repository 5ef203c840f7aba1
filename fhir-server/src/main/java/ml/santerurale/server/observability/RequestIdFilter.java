package ml.santerurale.server.observability;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every HTTP request one id, carried in the logs ({@code requestId} in each JSON line) and
 * returned in the {@code X-Request-ID} response header. A caller's own id is kept when it is a
 * short token, so a device can match its log to ours; anything else is replaced.
 *
 * <p>This is correlation, not policy: no request is refused here. HAPI reads the same header,
 * so the id it uses for FHIR requests is the same one.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {

    static final String HEADER = "X-Request-ID";
    private static final Pattern ACCEPTABLE = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String offered = request.getHeader(HEADER);
        String requestId = offered != null && ACCEPTABLE.matcher(offered).matches()
                ? offered
                : UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        MDC.put("requestId", requestId);
        try {
            if (!request.getRequestURI().startsWith(request.getContextPath() + "/fhir")) {
                // HAPI sets the header itself for FHIR requests, from the id seen below.
                response.setHeader(HEADER, requestId);
            }
            chain.doFilter(new WithRequestId(request, requestId), response);
        } finally {
            MDC.remove("requestId");
        }
    }

    private static final class WithRequestId extends HttpServletRequestWrapper {
        private final String requestId;

        WithRequestId(HttpServletRequest request, String requestId) {
            super(request);
            this.requestId = requestId;
        }

        @Override
        public String getHeader(String name) {
            return HEADER.equalsIgnoreCase(name) ? requestId : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            return HEADER.equalsIgnoreCase(name)
                    ? Collections.enumeration(java.util.List.of(requestId))
                    : super.getHeaders(name);
        }
    }
}
