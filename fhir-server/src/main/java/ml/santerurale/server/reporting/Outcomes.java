package ml.santerurale.server.reporting;

import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import org.hl7.fhir.r4.model.OperationOutcome;

/** The refusals of the reporting operations, each an OperationOutcome with its issue code. */
final class Outcomes {

    private Outcomes() {}

    static BaseServerResponseException invalid(String diagnostics) {
        return new InvalidRequestException(diagnostics, outcome(OperationOutcome.IssueType.INVALID, diagnostics));
    }

    static BaseServerResponseException forbidden(String diagnostics) {
        return new ForbiddenOperationException(diagnostics, outcome(OperationOutcome.IssueType.FORBIDDEN, diagnostics));
    }

    static BaseServerResponseException notFound(String diagnostics) {
        return new ResourceNotFoundException(diagnostics, outcome(OperationOutcome.IssueType.NOTFOUND, diagnostics));
    }

    static BaseServerResponseException notSupported(String diagnostics) {
        return new UnprocessableEntityException(diagnostics, outcome(OperationOutcome.IssueType.NOTSUPPORTED, diagnostics));
    }

    private static OperationOutcome outcome(OperationOutcome.IssueType code, String diagnostics) {
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR).setCode(code).setDiagnostics(diagnostics);
        return outcome;
    }
}
