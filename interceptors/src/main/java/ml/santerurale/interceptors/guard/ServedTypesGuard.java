package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.hl7.fhir.instance.model.api.IBaseConformance;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Keeps every resource type the server does not serve out of reach of clients: in the request
 * URL, in the entries of a transaction (all checked before any entry runs, all named in one
 * answer), in the entries of a batch (each answered on its own, see {@link #unservedEntries}),
 * and at the storage layer, where it also catches writes that reach a DAO by another path. The
 * CapabilityStatement lists exactly the served types.
 *
 * <p>Writes made by the server itself ({@link SystemRequestDetails}, or no request at all) are
 * allowed at the storage layer: HAPI stores its own SearchParameter resources that way.
 *
 * <p>Does not guarantee: that operations (those named {@code $...}) only touch served types;
 * each enabled operation is reviewed on its own.
 */
@Interceptor
public class ServedTypesGuard {

    private final Set<String> servedTypes;

    public ServedTypesGuard(Set<String> servedTypes) {
        if (servedTypes.isEmpty()) {
            throw new IllegalArgumentException("At least one served resource type is required");
        }
        this.servedTypes = Set.copyOf(servedTypes);
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void refuseUnservedTypes(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        String type = requestDetails.getResourceName();
        if (type != null && !servedTypes.contains(type)) {
            throw unknownType(type);
        }
        if ((operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH)
                && requestDetails.getResource() instanceof Bundle bundle
                && bundle.getType() != Bundle.BundleType.BATCH) {
            refuseUnservedEntries(bundle);
        }
    }

    /**
     * The entries of a Bundle that name a type not served here, each with its one-issue
     * OperationOutcome, by entry index (in entry order). A batch answers each of them on its own
     * (FHIR batch rules) and runs the others; a transaction is refused as a whole.
     */
    public Map<Integer, OperationOutcome> unservedEntries(Bundle bundle) {
        Map<Integer, OperationOutcome> unserved = new LinkedHashMap<>();
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryComponent entry = entries.get(i);
            String type = null;
            String where = null;
            // A PATCH entry carries its FHIRPath Patch as Parameters: the patch, not a stored resource.
            boolean patch = entry.getRequest().getMethod() == Bundle.HTTPVerb.PATCH && entry.getResource() != null
                    && "Parameters".equals(entry.getResource().fhirType());
            if (entry.getResource() != null && !patch && !servedTypes.contains(entry.getResource().fhirType())) {
                type = entry.getResource().fhirType();
                where = "Bundle.entry[" + i + "].resource";
            } else {
                String urlType = BundleEntryUrls.resourceType(entry.getRequest().getUrl());
                if (urlType != null && !urlType.startsWith("$") && !servedTypes.contains(urlType)) {
                    type = urlType;
                    where = "Bundle.entry[" + i + "].request.url";
                }
            }
            if (type != null) {
                String message = where + ": resource type '" + type + "' is not served here. Served types: "
                        + new TreeSet<>(servedTypes) + ".";
                unserved.put(i, OperationOutcomes.error(OperationOutcome.IssueType.NOTSUPPORTED, message, where));
            }
        }
        return unserved;
    }

    /** HAPI lists OperationDefinition (the definitions of operations) too; only served types stay. */
    @Hook(Pointcut.SERVER_CAPABILITY_STATEMENT_GENERATED)
    public void listOnlyServedTypes(IBaseConformance capabilityStatement) {
        if (capabilityStatement instanceof CapabilityStatement statement) {
            statement.getRest().forEach(rest -> rest.getResource().removeIf(r -> !servedTypes.contains(r.getType())));
        }
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void refuseUnservedCreate(IBaseResource resource, RequestDetails requestDetails) {
        refuseClientWrite(resource, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void refuseUnservedUpdate(IBaseResource oldResource, IBaseResource newResource,
            RequestDetails requestDetails) {
        refuseClientWrite(newResource, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_DELETED)
    public void refuseUnservedDelete(IBaseResource resource, RequestDetails requestDetails) {
        refuseClientWrite(resource, requestDetails);
    }

    private void refuseClientWrite(IBaseResource resource, RequestDetails requestDetails) {
        if (requestDetails == null || requestDetails instanceof SystemRequestDetails) {
            return;
        }
        String type = resource.fhirType();
        if (!servedTypes.contains(type)) {
            throw unknownType(type);
        }
    }

    /** Refuses the whole Bundle, naming every entry of an unserved type in one OperationOutcome. */
    private void refuseUnservedEntries(Bundle bundle) {
        Map<Integer, OperationOutcome> unserved = unservedEntries(bundle);
        if (unserved.isEmpty()) {
            return;
        }
        OperationOutcome outcome = new OperationOutcome();
        for (OperationOutcome single : unserved.values()) {
            OperationOutcome.OperationOutcomeIssueComponent issue = single.getIssueFirstRep();
            issue.setDiagnostics(issue.getDiagnostics() + " Nothing in this Bundle was processed.");
            outcome.addIssue(issue);
        }
        String message = outcome.getIssueFirstRep().getDiagnostics()
                + (unserved.size() > 1 ? " (" + unserved.size() + " entries name types not served here)" : "");
        throw new InvalidRequestException(message, outcome);
    }

    private ResourceNotFoundException unknownType(String type) {
        String message = "Resource type '" + type + "' is not served here. Served types: "
                + new TreeSet<>(servedTypes);
        ResourceNotFoundException exception = new ResourceNotFoundException(message);
        exception.setOperationOutcome(OperationOutcomes.error(OperationOutcome.IssueType.NOTSUPPORTED, message, null));
        return exception;
    }
}
