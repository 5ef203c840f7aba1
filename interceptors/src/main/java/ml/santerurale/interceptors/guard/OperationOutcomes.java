package ml.santerurale.interceptors.guard;

import org.hl7.fhir.r4.model.OperationOutcome;

/** Builds the one-issue OperationOutcomes the guards answer with. */
final class OperationOutcomes {

    private OperationOutcomes() {}

    static OperationOutcome error(OperationOutcome.IssueType code, String diagnostics, String expression) {
        OperationOutcome outcome = new OperationOutcome();
        OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(code)
                .setDiagnostics(diagnostics);
        if (expression != null) {
            issue.addExpression(expression);
        }
        return outcome;
    }
}
