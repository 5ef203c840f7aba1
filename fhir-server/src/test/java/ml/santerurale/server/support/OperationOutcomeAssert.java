package ml.santerurale.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Asserts that a response is an error OperationOutcome with the expected status and issue. */
public final class OperationOutcomeAssert {

    private OperationOutcomeAssert() {}

    public static OperationOutcome assertOutcome(FhirContext context, HttpResponse<String> response, int status,
            String issueCode, String diagnosticsContains) {
        assertThat(response.statusCode()).as("status of %s", response.body()).isEqualTo(status);
        OperationOutcome outcome = context.newJsonParser().parseResource(OperationOutcome.class, response.body());
        assertThat(outcome.getIssue()).isNotEmpty();
        OperationOutcome.OperationOutcomeIssueComponent issue = outcome.getIssueFirstRep();
        assertThat(issue.getSeverity()).isIn(OperationOutcome.IssueSeverity.ERROR, OperationOutcome.IssueSeverity.FATAL);
        if (issueCode != null) {
            assertThat(issue.getCode().toCode()).isEqualTo(issueCode);
        }
        assertThat(issue.getDiagnostics()).contains(diagnosticsContains);
        return outcome;
    }
}
