package ml.santerurale.interceptors.access;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.exceptions.AuthenticationException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import ml.santerurale.interceptors.guard.BundleEntryUrls;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Applies the role matrix before an interaction runs: the caller's roles must grant the
 * permission the interaction needs on the resource type, for a plain request and for every
 * entry of a transaction or batch (checked before the first entry runs). Operations
 * ({@code $name}) are refused unless listed as allowed. Deny by default: an interaction the
 * matrix does not know is refused.
 *
 * <p>Runs after the structural guards (order 100), so an unserved type or a malformed entry is
 * answered as such rather than as a refusal.
 *
 * <p>A search must also be allowed on every type it reaches through {@code _include},
 * {@code _revinclude}, {@code _has} or a chain ({@link ReachedTypes}), and a filter through the
 * audit trail needs the national audit scope.
 *
 * <p>Does not check sites: which resources of a permitted type the caller may see or change is
 * the site scope's concern. Setting a record's status to entered-in-error needs the delete
 * permission, judged on the resource as it would be stored (so a PATCH cannot go around it). System-level search and history are allowed to any role that may
 * search (or read history of) something; their results are filtered per resource. {@code $validate}
 * on a type is allowed to a role that may create or update it.
 */
@Interceptor
public class RoleMatrixEnforcer {

    private static final String AUDIT_EVENT = "AuditEvent";

    private final AccessPolicy policy;
    private final Set<String> allowedOperations;
    private final ReachedTypes reachedTypes;

    public RoleMatrixEnforcer(AccessPolicy policy, Set<String> allowedOperations, ReachedTypes reachedTypes) {
        this.policy = policy;
        this.allowedOperations = Set.copyOf(allowedOperations);
        this.reachedTypes = reachedTypes;
    }

    @Hook(value = Pointcut.SERVER_INCOMING_REQUEST_PRE_HANDLED, order = 100)
    public void checkRoles(RequestDetails requestDetails, RestOperationTypeEnum operation) {
        if (operation == RestOperationTypeEnum.METADATA) {
            return;
        }
        Caller caller = Caller.of(requestDetails).orElseThrow(
                () -> new AuthenticationException("This server needs a bearer access token"));
        switch (operation) {
            case TRANSACTION, BATCH -> checkEntries(caller, requestDetails);
            case SEARCH_SYSTEM -> {
                requireAny(caller, Permission.SEARCH);
                requireReached(caller, null, requestDetails.getParameters(), null);
            }
            case GET_PAGE -> requireAny(caller, Permission.SEARCH);
            case HISTORY_SYSTEM -> requireAny(caller, Permission.HISTORY);
            case VALIDATE -> requireValidate(caller, requestDetails.getResourceName());
            case EXTENDED_OPERATION_SERVER, EXTENDED_OPERATION_TYPE, EXTENDED_OPERATION_INSTANCE -> {
                if ("$validate".equals(requestDetails.getOperation()) && requestDetails.getResourceName() != null) {
                    requireValidate(caller, requestDetails.getResourceName());
                } else if (!allowedOperations.contains(requestDetails.getOperation())) {
                    throw AccessDenied.forbidden("The operation " + requestDetails.getOperation()
                            + " is not available here", null);
                }
            }
            default -> {
                Permission permission = Permission.forOperation(operation);
                if (permission == null) {
                    throw AccessDenied.forbidden("The interaction " + operation.getCode() + " is not available here", null);
                }
                require(caller, requestDetails.getResourceName(), permission, null);
                if (permission == Permission.SEARCH) {
                    requireReached(caller, requestDetails.getResourceName(), requestDetails.getParameters(), null);
                }
                if (permission == Permission.UPDATE && marksEnteredInError(requestDetails.getResource())) {
                    require(caller, requestDetails.getResourceName(), Permission.DELETE, null);
                }
            }
        }
    }

    private void checkEntries(Caller caller, RequestDetails requestDetails) {
        if (!(requestDetails.getResource() instanceof Bundle bundle)) {
            return;
        }
        List<Bundle.BundleEntryComponent> entries = bundle.getEntry();
        for (int i = 0; i < entries.size(); i++) {
            Bundle.BundleEntryRequestComponent request = entries.get(i).getRequest();
            String type = entryType(entries.get(i));
            Permission permission = switch (request.getMethod() == null ? Bundle.HTTPVerb.NULL : request.getMethod()) {
                case GET, HEAD -> request.getUrl() != null && request.getUrl().contains("_history")
                        ? Permission.HISTORY
                        : (request.getUrl() != null && request.getUrl().matches("[^/?]+/[^/?]+.*") ? Permission.READ : Permission.SEARCH);
                case POST -> Permission.CREATE;
                case PUT, PATCH -> Permission.UPDATE;
                case DELETE -> Permission.DELETE;
                default -> null;
            };
            if (permission == null || type == null) {
                continue; // TransactionBundleGuard answers malformed entries
            }
            if (bundle.getType() == Bundle.BundleType.BATCH && policy.kindOf(type) == null) {
                continue; // a type not served: that batch entry alone is answered (ServedTypesGuard)
            }
            if (type.startsWith("$")) {
                throw AccessDenied.forbidden("Bundle.entry[" + i + "]: operations are not available in a Bundle",
                        "Bundle.entry[" + i + "].request.url");
            }
            require(caller, type, permission, "Bundle.entry[" + i + "]");
            if (permission == Permission.SEARCH && request.getUrl() != null && request.getUrl().contains("?")) {
                requireReached(caller, type, BundleEntryUrls.queryParameters(request.getUrl(), "Bundle.entry[" + i + "]"),
                        "Bundle.entry[" + i + "]");
            }
            if ((permission == Permission.UPDATE || permission == Permission.CREATE)
                    && marksEnteredInError(entries.get(i).getResource())) {
                require(caller, type, Permission.DELETE, "Bundle.entry[" + i + "]");
            }
        }
    }

    /**
     * A change that marks a record entered-in-error, however it arrives (PUT, PATCH in JSON Patch
     * or FHIRPath Patch, conditional update, transaction entry), judged on the resource as it would
     * be stored: it needs the delete permission.
     */
    @Hook(Pointcut.STORAGE_PRESTORAGE_RESOURCE_UPDATED)
    public void withdrawalNeedsDelete(IBaseResource oldResource, IBaseResource newResource, RequestDetails requestDetails) {
        Optional<Caller> caller = Caller.of(requestDetails);
        if (caller.isPresent() && marksEnteredInError(newResource) && !marksEnteredInError(oldResource)) {
            require(caller.get(), newResource.fhirType(), Permission.DELETE, null);
        }
    }

    /**
     * Every type a search returns or filters on besides its own passes the role matrix as a direct
     * search of that type would; filtering another type's search through the audit trail (a
     * chain or {@code _has} into AuditEvent) needs the national audit scope, since such a filter
     * cannot be confined to the caller's own sites' events.
     */
    private void requireReached(Caller caller, String type, Map<String, String[]> parameters, String where) {
        ReachedTypes.Reach reach = reachedTypes.of(type, parameters);
        if (reach.isEmpty()) {
            return;
        }
        Set<String> refused = new TreeSet<>();
        for (String reached : ReachedTypes.all(reach)) {
            if (!policy.allows(caller.roles(), reached, Permission.SEARCH)) {
                refused.add(reached);
            }
        }
        String prefix = where == null ? "" : where + ": ";
        if (!refused.isEmpty()) {
            throw AccessDenied.forbidden(prefix + "your role (" + String.join(", ", caller.roles()) + ") may not search "
                    + ReachedTypes.list(refused) + ", which this search would " + (reach.filtered().stream().anyMatch(refused::contains)
                            ? "filter on" : "return") + " (_include, _revinclude, _has or a chained parameter)",
                    where == null ? null : where + ".request");
        }
        if (!AUDIT_EVENT.equals(type) && reach.filtered().contains(AUDIT_EVENT)
                && policy.auditScope(caller.roles()) != AccessPolicy.AuditScope.ALL) {
            throw AccessDenied.forbidden(prefix + "filtering a search through the audit trail (AuditEvent) is not available to your role;"
                    + " search AuditEvent directly", where == null ? null : where + ".request");
        }
    }

    /**
     * Marking a record entered-in-error withdraws it as surely as deleting it, so it needs the
     * delete permission.
     */
    private static boolean marksEnteredInError(IBaseResource resource) {
        if (!(resource instanceof org.hl7.fhir.r4.model.Resource r)) {
            return false;
        }
        org.hl7.fhir.r4.model.Property status = r.getNamedProperty("status");
        return status != null && status.hasValues()
                && status.getValues().get(0) instanceof org.hl7.fhir.r4.model.PrimitiveType<?> value
                && "entered-in-error".equals(value.getValueAsString());
    }

    private static String entryType(Bundle.BundleEntryComponent entry) {
        String type = BundleEntryUrls.resourceType(entry.getRequest().getUrl());
        return type != null ? type : entry.getResource() == null ? null : entry.getResource().fhirType();
    }

    private void require(Caller caller, String type, Permission permission, String where) {
        if (!policy.allows(caller.roles(), type, permission)) {
            throw AccessDenied.forbidden((where == null ? "" : where + ": ") + "your role ("
                    + String.join(", ", caller.roles()) + ") may not " + permission.name().toLowerCase()
                    + " " + type, where == null ? null : where + ".request");
        }
    }

    /** {@code $validate} writes nothing: whoever may create or update the type may ask. */
    private void requireValidate(Caller caller, String type) {
        if (!policy.allows(caller.roles(), type, Permission.CREATE) && !policy.allows(caller.roles(), type, Permission.UPDATE)) {
            throw AccessDenied.forbidden("your role (" + String.join(", ", caller.roles())
                    + ") may not validate " + type + ": it may neither create nor update it", null);
        }
    }

    private void requireAny(Caller caller, Permission permission) {
        for (AccessPolicy.Kind kind : AccessPolicy.Kind.values()) {
            for (String type : policy.typesOf(kind)) {
                if (policy.allows(caller.roles(), type, permission)) {
                    return;
                }
            }
        }
        throw AccessDenied.forbidden("your role may not " + permission.name().toLowerCase() + " anything here", null);
    }
}
