package ml.santerurale.interceptors.access;

import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Builds the 403 answers of the policy: they name the rule, never the data. */
final class AccessDenied {

    private AccessDenied() {}

    static ForbiddenOperationException forbidden(String message, String expression) {
        OperationOutcome outcome = new OperationOutcome();
        OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.FORBIDDEN)
                .setDiagnostics(message);
        if (expression != null) {
            issue.addExpression(expression);
        }
        return new ForbiddenOperationException(message, outcome);
    }
}
