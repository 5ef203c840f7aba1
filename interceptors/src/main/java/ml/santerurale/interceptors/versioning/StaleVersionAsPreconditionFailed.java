package ml.santerurale.interceptors.versioning;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceVersionConflictException;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Answers an update whose {@code If-Match} names a version that is no longer current with
 * 412 Precondition Failed, as FHIR's RESTful API specifies, where HAPI answers 409.
 *
 * <p>HAPI reports the stale version with its stable error code {@code HAPI-0989}; other version
 * conflicts (a delete blocked by references, concurrent writers) keep their 409.
 */
@Interceptor
public class StaleVersionAsPreconditionFailed {

    static final String STALE_VERSION_CODE = "HAPI-0989";

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException answerStaleVersionWith412(Throwable exception) {
        if (!(exception instanceof ResourceVersionConflictException conflict)
                || conflict.getMessage() == null
                || !conflict.getMessage().contains(STALE_VERSION_CODE)) {
            return null;
        }
        String message = conflict.getMessage()
                + ". Read the current version, merge your change into it and send it with that version in If-Match.";
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue()
                .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.CONFLICT)
                .setDiagnostics(message);
        PreconditionFailedException answer = new PreconditionFailedException(message);
        answer.setOperationOutcome(outcome);
        return answer;
    }
}
