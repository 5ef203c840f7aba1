package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Resource;

/**
 * Checks every entry of a transaction Bundle for consistency before the first one runs, and
 * names the first bad entry by its index: a method and URL on each entry, a resource on each
 * POST and PUT, the resource's type equal to the type its URL addresses, and a PUT's resource id
 * equal to the id in its URL.
 *
 * <p>HAPI on its own lets the URL win in the last two cases (a Patient posted to
 * {@code url=Observation} is stored as a Patient); a device sending such a Bundle has a bug that
 * must surface, not be papered over.
 *
 * <p>Batches are not checked here: their entries succeed or fail one by one.
 * Does not guarantee: that entries which pass are valid FHIR content; HAPI's own processing still
 * rejects those, and the whole transaction is then rolled back.
 */
@Interceptor
public class TransactionBundleGuard {

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void checkTransaction(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.TRANSACTION || !(requestDetails.getResource() instanceof Bundle bundle)) {
            return;
        }
        if (bundle.getType() != Bundle.BundleType.TRANSACTION) {
            return;
        }
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            checkEntry(i, entries.get(i));
        }
    }

    private void checkEntry(int index, Bundle.BundleEntryComponent entry) {
        String at = "Bundle.entry[" + index + "]";
        Bundle.BundleEntryRequestComponent request = entry.getRequest();
        if (request.getMethod() == null || request.getMethod() == Bundle.HTTPVerb.NULL) {
            throw invalid(at + ".request.method", "has no method (GET, POST, PUT, PATCH or DELETE)");
        }
        if (request.getUrl() == null || request.getUrl().isBlank()) {
            throw invalid(at + ".request.url", "has no URL");
        }
        Bundle.HTTPVerb method = request.getMethod();
        if (method != Bundle.HTTPVerb.POST && method != Bundle.HTTPVerb.PUT) {
            return;
        }
        Resource resource = entry.getResource();
        if (resource == null) {
            throw invalid(at + ".resource", "is missing: a " + method + " entry must carry a resource");
        }
        String urlType = BundleEntryUrls.resourceType(request.getUrl());
        if (!resource.fhirType().equals(urlType)) {
            throw invalid(at + ".resource", "is a " + resource.fhirType() + " but its request.url '"
                    + request.getUrl() + "' addresses " + urlType);
        }
        if (method == Bundle.HTTPVerb.PUT && !request.getUrl().contains("?")) {
            String urlId = BundleEntryUrls.resourceId(request.getUrl());
            String bodyId = resource.getIdElement().getIdPart();
            if (urlId == null) {
                throw invalid(at + ".request.url", "'" + request.getUrl() + "' names no id: a PUT needs Type/id or a match URL");
            }
            if (bodyId != null && !resource.getIdElement().isUuid() && !bodyId.equals(urlId)) {
                throw invalid(at + ".resource.id", "is '" + bodyId + "' but its request.url '"
                        + request.getUrl() + "' names '" + urlId + "'");
            }
        }
    }

    private static InvalidRequestException invalid(String where, String problem) {
        String message = where + " " + problem + ". Nothing in this transaction was written.";
        return new InvalidRequestException(message,
                OperationOutcomes.error(OperationOutcome.IssueType.INVALID, message, where));
    }
}
