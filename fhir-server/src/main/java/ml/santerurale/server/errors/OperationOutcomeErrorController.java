package ml.santerurale.server.errors;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.boot.web.servlet.error.ErrorController;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;

/**
 * Spring's error page ({@code /error}), for every error that reaches the application outside
 * HAPI (a path outside {@code /fhir}, a method the servlet refuses, an exception in a filter): an
 * OperationOutcome in JSON with the request id, never Spring's whitelabel page nor its JSON with
 * exception and path. Found by component scanning (it is a controller).
 */
@org.springframework.web.bind.annotation.RestController
final class OperationOutcomeErrorController implements ErrorController {

    private final ContainerErrorOutcome outcomes;

    OperationOutcomeErrorController(ContainerErrorOutcome outcomes) {
        this.outcomes = outcomes;
    }

    @RequestMapping("${server.error.path:/error}")
    ResponseEntity<String> error(HttpServletRequest request, HttpServletResponse response) {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 ? value : 500;
        String requestId = ContainerErrorOutcome.requestId(
                response.getHeader(ContainerErrorOutcome.REQUEST_ID_HEADER),
                MDC.get("requestId") != null ? MDC.get("requestId") : request.getHeader(ContainerErrorOutcome.REQUEST_ID_HEADER));
        return ResponseEntity.status(status)
                .header(ContainerErrorOutcome.REQUEST_ID_HEADER, requestId)
                .header(HttpHeaders.CONTENT_TYPE, ContainerErrorOutcome.CONTENT_TYPE)
                .body(outcomes.json(status, requestId));
    }
}
