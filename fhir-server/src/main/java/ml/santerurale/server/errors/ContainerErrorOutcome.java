package ml.santerurale.server.errors;

import ca.uhn.fhir.context.FhirContext;
import java.util.UUID;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * The OperationOutcome (JSON) for an error the servlet container or Spring answers itself,
 * before or outside HAPI: a plain sentence chosen by the status, never the container's own
 * message (it may quote the request or name a class), and the request id.
 */
final class ContainerErrorOutcome {

    static final String CONTENT_TYPE = "application/fhir+json;charset=utf-8";
    static final String REQUEST_ID_HEADER = "X-Request-ID";
    private static final Pattern ACCEPTABLE_ID = Pattern.compile("[A-Za-z0-9._-]{8,64}");

    private final FhirContext fhirContext;

    ContainerErrorOutcome(FhirContext fhirContext) {
        this.fhirContext = fhirContext;
    }

    String json(int status, String requestId) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(code(status))
                .setDiagnostics(sentence(status) + " (HTTP " + status + ", request id " + requestId + ")");
        return fhirContext.newJsonParser().encodeResourceToString(outcome);
    }

    /** The id already given to this request, the caller's own if well formed, else a new one. */
    static String requestId(String alreadySet, String offered) {
        if (alreadySet != null && ACCEPTABLE_ID.matcher(alreadySet).matches()) {
            return alreadySet;
        }
        if (offered != null && ACCEPTABLE_ID.matcher(offered).matches()) {
            return offered;
        }
        return UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    }

    private static OperationOutcome.IssueType code(int status) {
        return switch (status) {
            case 400 -> OperationOutcome.IssueType.INVALID;
            case 401 -> OperationOutcome.IssueType.LOGIN;
            case 403 -> OperationOutcome.IssueType.FORBIDDEN;
            case 404 -> OperationOutcome.IssueType.NOTFOUND;
            case 405, 501 -> OperationOutcome.IssueType.NOTSUPPORTED;
            case 413, 414, 431 -> OperationOutcome.IssueType.TOOLONG;
            default -> status >= 500 ? OperationOutcome.IssueType.EXCEPTION : OperationOutcome.IssueType.PROCESSING;
        };
    }

    private static String sentence(int status) {
        return switch (status) {
            case 400 -> "The request is malformed (its URL, headers or encoding): check characters that must be"
                    + " percent-encoded";
            case 404 -> "Nothing is served at this address; the FHIR endpoint is /fhir";
            case 405 -> "This HTTP method is not accepted here";
            case 413, 414, 431 -> "The request, its URL or its headers are larger than this server accepts";
            default -> status >= 500
                    ? "The server failed to complete this request; the operators can find the cause in the server"
                            + " log under the request id"
                    : "The request was refused";
        };
    }
}
