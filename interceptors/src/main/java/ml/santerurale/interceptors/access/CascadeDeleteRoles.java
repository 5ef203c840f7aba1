package ml.santerurale.interceptors.access;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.Constants;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.util.Collections;
import java.util.Set;
import java.util.TreeSet;
import ml.santerurale.interceptors.security.Caller;

/**
 * Only the roles named here may delete a whole record at once ({@code DELETE
 * Patient/<id>?_cascade=delete}: the patient and every record that refers to it); anyone else
 * gets a 403 before anything is deleted. Each cascaded delete is an ordinary delete at the storage
 * layer: the site checks and the audit trail see every one of them.
 *
 * <p>Does not guarantee: that the caller may delete each cascaded record's type; the role matrix
 * has already allowed the delete of the first, and the roles allowed here delete every clinical type.
 */
@Interceptor
public final class CascadeDeleteRoles {

    private final Set<String> roles;

    public CascadeDeleteRoles(Set<String> roles) {
        this.roles = Set.copyOf(roles);
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = 110)
    public void refuseCascadeToOtherRoles(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation != RestOperationTypeEnum.DELETE) {
            return;
        }
        String[] cascade = requestDetails.getParameters().get(Constants.PARAMETER_CASCADE_DELETE);
        if ((cascade == null || cascade.length == 0) && requestDetails.getHeader(Constants.HEADER_CASCADE) == null) {
            return;
        }
        Set<String> callerRoles = Caller.of(requestDetails).map(Caller::roles).orElse(Set.of());
        if (Collections.disjoint(callerRoles, roles)) {
            throw AccessDenied.forbidden(Constants.PARAMETER_CASCADE_DELETE + "=delete (deleting a record with every"
                    + " record that refers to it) is reserved to the role(s) " + new TreeSet<>(roles)
                    + "; delete the referring records one by one first", null);
        }
    }
}
