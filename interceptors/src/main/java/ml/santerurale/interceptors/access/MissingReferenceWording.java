package ml.santerurale.interceptors.access;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.BaseServerResponseException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * One wording for a reference HAPI cannot resolve (HAPI-1094). HAPI names the path of whichever
 * search parameter it resolved first ({@code Encounter.subject} or
 * {@code Encounter.subject.where(resolve() is Patient)}), and that order is not the same from one
 * request to the next: a client could tell two refusals apart by it, e.g. another site's record
 * from a missing one. The answer always names the element path ({@code Encounter.subject}).
 *
 * <p>Does not change the status (400) or the issue code (processing), only the path's wording.
 */
@Interceptor
public class MissingReferenceWording {

    private static final Pattern UNRESOLVED = Pattern.compile(
            "(HAPI-1094: Resource \\S+ not found, specified in path: )(\\S+?)\\.where\\(resolve\\(\\) is \\w+\\)");

    @Hook(Pointcut.SERVER_PRE_PROCESS_OUTGOING_EXCEPTION)
    public BaseServerResponseException oneWording(RequestDetails requestDetails, Throwable failure) {
        if (!(failure instanceof InvalidRequestException refused) || refused.getMessage() == null) {
            return null;
        }
        Matcher matcher = UNRESOLVED.matcher(refused.getMessage());
        if (!matcher.find()) {
            return null;
        }
        String message = matcher.replaceAll("$1$2");
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.PROCESSING).setDiagnostics(message);
        return new InvalidRequestException(message, outcome);
    }
}
