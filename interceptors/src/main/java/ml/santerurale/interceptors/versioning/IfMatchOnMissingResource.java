package ml.santerurale.interceptors.versioning;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Refuses {@code PUT Type/id} with an {@code If-Match} header when the resource does not exist:
 * the client believes it is changing a version it has seen, so creating the resource instead
 * (HAPI's default) would hide a lost record. Answered 412 with an OperationOutcome.
 *
 * <p>Covers plain REST updates. Transaction entries carrying {@code request.ifMatch} are checked,
 * all at once, before the transaction runs (the server's {@code VersionConflicts}).
 */
@Interceptor
public class IfMatchOnMissingResource {

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void refuseCreateUnderIfMatch(IBaseResource resource, RequestDetails requestDetails) {
        if (requestDetails == null
                || requestDetails.getRestOperationType() != RestOperationTypeEnum.UPDATE
                || requestDetails.getHeader("If-Match") == null
                || requestDetails.getId() == null
                || !resource.fhirType().equals(requestDetails.getResourceName())
                || !requestDetails.getId().getIdPart().equals(resource.getIdElement().getIdPart())) {
            return;
        }
        String message = requestDetails.getResourceName() + "/" + requestDetails.getId().getIdPart()
                + " does not exist, so it cannot match If-Match " + requestDetails.getHeader("If-Match")
                + ". To create it, send the PUT without If-Match.";
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.NOTFOUND).setDiagnostics(message);
        PreconditionFailedException exception = new PreconditionFailedException(message);
        exception.setOperationOutcome(outcome);
        throw exception;
    }
}
