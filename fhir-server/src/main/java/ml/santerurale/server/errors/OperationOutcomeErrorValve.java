package ml.santerurale.server.errors;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicBoolean;
import ml.santerurale.server.headers.SecurityHeaders;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.coyote.ActionCode;

/**
 * Tomcat's error report for what it answers itself (a request line it cannot parse, a bad
 * encoding in the URL): an OperationOutcome in JSON instead of Tomcat's HTML page. Replaces the
 * host's {@link ErrorReportValve}; Spring's error page (see {@link OperationOutcomeErrorController})
 * answers everything that reaches the application.
 *
 * <p>Does not guarantee: an answer body when Tomcat closes the connection without one (a broken
 * connection, a request it cannot read at all).
 */
final class OperationOutcomeErrorValve extends ErrorReportValve {

    private final ContainerErrorOutcome outcomes;

    OperationOutcomeErrorValve(ContainerErrorOutcome outcomes) {
        this.outcomes = outcomes;
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        AtomicBoolean ioAllowed = new AtomicBoolean(true);
        response.getCoyoteResponse().action(ActionCode.IS_IO_ALLOWED, ioAllowed);
        if (!ioAllowed.get()) {
            return;
        }
        String requestId = ContainerErrorOutcome.requestId(response.getHeader(ContainerErrorOutcome.REQUEST_ID_HEADER),
                request.getHeader(ContainerErrorOutcome.REQUEST_ID_HEADER));
        try {
            response.resetBuffer();
            response.setHeader(ContainerErrorOutcome.REQUEST_ID_HEADER, requestId);
            SecurityHeaders.apply(request, response, SecurityHeaders.API_POLICY);
            response.setContentType(ContainerErrorOutcome.CONTENT_TYPE);
            PrintWriter writer = response.getReporter();
            if (writer != null) {
                writer.write(outcomes.json(status, requestId));
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // The connection is gone or the response committed: nothing more can be said.
        }
    }
}
