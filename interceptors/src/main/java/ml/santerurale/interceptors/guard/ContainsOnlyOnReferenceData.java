package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Keeps the {@code :contains} modifier to the shared reference data it is enabled for (finding
 * "Konobougou" in "CSCOM de Konobougou", a practitioner by part of a name): on a site's
 * clinical records a substring match cannot use an index and would scan the whole register.
 *
 * <p>Does not guarantee: anything about the cost of a {@code :contains} search on reference
 * data, which is small (the sites catalogue, the staff).
 */
@Interceptor
public final class ContainsOnlyOnReferenceData {

    private static final String MODIFIER = ":contains";

    private final List<String> referenceTypes;

    /** @param referenceTypes the types {@code :contains} may be used on, in the order the answer names them */
    public ContainsOnlyOnReferenceData(List<String> referenceTypes) {
        this.referenceTypes = List.copyOf(referenceTypes);
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED)
    public void refuseContainsOnClinicalData(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.SEARCH_TYPE && operation != RestOperationTypeEnum.SEARCH_SYSTEM) {
            return;
        }
        boolean reference = Set.copyOf(referenceTypes).contains(requestDetails.getResourceName());
        for (String parameter : requestDetails.getParameters().keySet()) {
            if (parameter.endsWith(MODIFIER) && (!reference || parameter.contains("."))) {
                String message = "'" + MODIFIER + "' is available on " + String.join(", ",
                        referenceTypes.subList(0, referenceTypes.size() - 1)) + " and " + referenceTypes.get(referenceTypes.size() - 1)
                        + " only (parameter '" + parameter + "'). To find a patient, use name= (matches the start of any"
                        + " name, accents and case ignored) or phonetic=.";
                throw new InvalidRequestException(message,
                        OperationOutcomes.error(OperationOutcome.IssueType.NOTSUPPORTED, message, null));
            }
        }
    }
}
