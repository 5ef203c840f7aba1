package ml.santerurale.server.validation;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.ValidationResult;
import ca.uhn.fhir.validation.SingleValidationMessage;
import java.util.List;
import ml.santerurale.ig.SanteRuraleIg;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Resource;

/**
 * Holds every create and update a client makes to the implementation guide: the resource is
 * validated against the profile of its type ({@link SanteRuraleIg#profileOf}, whether or not it
 * claims one) at the storage layer, so entries of transactions, batches and sync batches are
 * checked too; a resource with errors is refused with 422 and an OperationOutcome listing every
 * error, each with its FHIRPath location in {@code expression}. Inside a transaction the refusal
 * rolls the whole Bundle back, and the locations name the entry ({@code Bundle.entry[2].resource…}).
 * Warnings and information never refuse.
 *
 * <p>{@code POST [type]/$validate} is answered the same way before HAPI runs it: 422 with the
 * errors, else HAPI's own answer (200). Nothing is written.
 *
 * <p>Writes made by the server itself ({@link SystemRequestDetails}: the sites catalogue, the
 * sync Provenance, AuditEvents) are not validated here; tests hold them to the profiles.
 */
@Interceptor
public class ProfileEnforcement {

    private final RequestValidations validations;
    /** Null: every resource is validated when HAPI is about to store it, one after the other. */
    private final EntryPrevalidation prevalidation;

    ProfileEnforcement(RequestValidations validations, EntryPrevalidation prevalidation) {
        this.validations = validations;
        this.prevalidation = prevalidation;
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
    public void validateCreate(IBaseResource resource, RequestDetails requestDetails) {
        check(resource, requestDetails);
    }

    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void validateUpdate(IBaseResource oldResource, IBaseResource newResource, RequestDetails requestDetails) {
        check(newResource, requestDetails);
    }

    private static final String BUNDLE = ProfileEnforcement.class.getName() + ".bundle";
    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void validateOperation(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        // The warm-up gives way while any client's request is processed (see RequestValidations).
        validations.requestStarted(requestDetails.getUserData());
        if (requestDetails.getResource() instanceof Bundle bundle
                && (operation == RestOperationTypeEnum.TRANSACTION || operation == RestOperationTypeEnum.BATCH)) {
            // Kept to name the entry of a refused resource (HAPI hands the storage hooks no index).
            requestDetails.getUserData().put(BUNDLE, bundle);
            if (prevalidation != null) {
                prevalidation.start(bundle, requestDetails.getUserData(), r -> SanteRuraleIg.profileOf(r).isPresent());
            }
            return;
        }
        if (operation != RestOperationTypeEnum.VALIDATE && !"$validate".equals(requestDetails.getOperation())) {
            return;
        }
        IBaseResource body = requestDetails.getResource();
        if (body instanceof Parameters parameters && !"Parameters".equals(requestDetails.getResourceName())) {
            body = parameters.getParameter().stream()
                    .filter(p -> "resource".equals(p.getName()) && p.getResource() != null)
                    .map(p -> (IBaseResource) p.getResource())
                    .findFirst().orElse(null);
        }
        if (body != null && SanteRuraleIg.profileOf(body).isPresent()) {
            refuseErrors(body, null);
        }
    }

    @Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
    public void dropPrevalidation(RequestDetails requestDetails) {
        if (requestDetails != null) {
            validations.requestEnded(requestDetails.getUserData());
        }
        if (prevalidation != null && requestDetails != null) {
            prevalidation.finish(requestDetails.getUserData());
        }
    }

    private void check(IBaseResource resource, RequestDetails requestDetails) {
        if (requestDetails == null || requestDetails instanceof SystemRequestDetails
                || SanteRuraleIg.profileOf(resource).isEmpty()) {
            return;
        }
        Integer entry = entryIndex(resource, requestDetails);
        ValidationResult done = prevalidation == null ? null
                : prevalidation.resultFor(entry, resource, requestDetails.getUserData());
        refuseErrors(resource, entry, done != null ? done : validations.validate(resource));
    }

    private void refuseErrors(IBaseResource resource, Integer entry) {
        refuseErrors(resource, entry, validations.validate(resource));
    }

    private void refuseErrors(IBaseResource resource, Integer entry, ValidationResult result) {
        List<SingleValidationMessage> errors = result.getMessages().stream()
                .filter(m -> m.getSeverity() == ResultSeverityEnum.ERROR || m.getSeverity() == ResultSeverityEnum.FATAL)
                .toList();
        if (errors.isEmpty()) {
            return;
        }
        String profile = SanteRuraleIg.profileOf(resource).orElseThrow();
        String what = resource.fhirType() + (resource.getIdElement().hasIdPart() ? "/" + resource.getIdElement().getIdPart() : "");
        String where = entry == null ? "" : "Bundle.entry[" + entry + "] : ";
        OperationOutcome outcome = new OperationOutcome();
        for (SingleValidationMessage error : errors) {
            String location = location(error.getLocationString(), resource.fhirType(), entry);
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.addIssue()
                    .setSeverity(OperationOutcome.IssueSeverity.ERROR)
                    .setCode(OperationOutcome.IssueType.PROCESSING)
                    .setDiagnostics(where + what + " n'est pas conforme au profil " + shortName(profile)
                            + " (" + location + ") : " + error.getMessage());
            issue.addExpression(location);
        }
        String summary = where + what + " refusé : " + errors.size() + " erreur(s) de conformité au profil " + profile
                + (entry == null ? "" : ". Rien de ce Bundle n'a été enregistré.");
        throw new UnprocessableEntityException(summary, outcome);
    }

    private static String shortName(String profile) {
        return profile.substring(profile.lastIndexOf('/') + 1);
    }

    /** The validator's location, rooted at the Bundle entry when the resource is one. */
    private static String location(String location, String type, Integer entry) {
        String path = location == null || location.isBlank() ? type : location;
        if (entry == null) {
            return path;
        }
        String prefix = "Bundle.entry[" + entry + "].resource";
        return path.equals(type) ? prefix : path.startsWith(type + ".") ? prefix + path.substring(type.length()) : prefix;
    }

    /** Which entry of the request's transaction or batch this resource is, if it is one. */
    private static Integer entryIndex(IBaseResource resource, RequestDetails requestDetails) {
        Object kept = requestDetails.getUserData().get(BUNDLE);
        Bundle bundle = kept instanceof Bundle b ? b : requestDetails.getResource() instanceof Bundle b ? b : null;
        if (bundle == null || !(resource instanceof Resource r)) {
            return null;
        }
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).getResource() == resource) {
                return i;
            }
        }
        String id = r.getIdElement().getIdPart();
        for (int i = 0; i < entries.size(); i++) {
            Resource candidate = entries.get(i).getResource();
            if (id != null && candidate != null && candidate.fhirType().equals(r.fhirType())
                    && id.equals(candidate.getIdElement().getIdPart())) {
                return i;
            }
        }
        return null;
    }
}
