package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseOperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Rewords HAPI's refusal to delete a record that others refer to (409): one {@code conflict}
 * issue per referring record, naming it, the path of the reference, and the two ways forward
 * (delete or change that record first, or delete the whole record with {@code _cascade=delete}).
 *
 * <p>Does not guarantee: that every referring record is named when there are very many (HAPI
 * stops looking after {@code JpaStorageSettings.maximumDeleteConflictQueryCount}).
 */
@Interceptor
public final class DeleteConflictsExplained {

    private static final Pattern HAPI_CONFLICT = Pattern.compile(
            "Unable to delete (\\S+) because at least one resource has a reference to this resource\\."
                    + " First reference found was resource (\\S+) in path (\\S+)");

    @Hook(Pointcut.SERVER_OUTGOING_FAILURE_OPERATIONOUTCOME)
    public void explainDeleteConflicts(IBaseOperationOutcome failure) {
        if (!(failure instanceof OperationOutcome outcome)) {
            return;
        }
        for (OperationOutcome.OperationOutcomeIssueComponent issue : outcome.getIssue()) {
            Matcher conflict = issue.getDiagnostics() == null ? null : HAPI_CONFLICT.matcher(issue.getDiagnostics());
            if (conflict != null && conflict.find()) {
                String target = conflict.group(1).replaceAll("/_history/.*", "");
                String source = conflict.group(2).replaceAll("/_history/.*", "");
                issue.setCode(OperationOutcome.IssueType.CONFLICT);
                issue.setDiagnostics(target + " is not deleted: " + source + " refers to it (" + conflict.group(3)
                        + "). Delete or change that record first, or delete the whole record with DELETE " + target
                        + "?_cascade=delete (médecin).");
            }
        }
    }
}
