package ml.santerurale.interceptors.smart;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import ml.santerurale.interceptors.access.AccessPolicy;
import ml.santerurale.interceptors.access.Permission;

/**
 * The SMART resource scopes of one token and what they permit, as pure data: no request, no
 * storage. A token with no resource scope ({@link #isEmpty()}: the care workers' app) is not
 * narrowed at all; otherwise an interaction on a type needs a scope that covers it, and what
 * the scopes permit is intersected with the role matrix ({@link #allows}) and, at run time, with
 * the caller's sites (which scopes never touch).
 *
 * <p>A permission may come with restrictions: the launch patient's compartment (a
 * {@code patient/} scope) and a category ({@code ?category=}). Several scopes covering the same
 * type and action are alternatives: a resource passes when it satisfies one of them.
 *
 * <p>Does not guarantee by itself that a search returns only permitted resources: the
 * enforcer narrows searches with parameters and drops anything else before it is returned.
 */
public final class SmartScopes {

    /** A way a type and action are permitted: within the patient's compartment or not, of one category or any. */
    public record Alternative(boolean patientCompartment, SmartScope.Category category) {

        boolean unrestricted() {
            return !patientCompartment && category == null;
        }
    }

    /** Everything the scopes permit for one type and action; empty when nothing does. */
    public record Grant(List<Alternative> alternatives) {

        public boolean any() {
            return !alternatives.isEmpty();
        }

        /** Some scope permits it with no restriction at all. */
        public boolean unrestricted() {
            return alternatives.stream().anyMatch(Alternative::unrestricted);
        }

        /** Every alternative keeps to the patient's compartment (so a search may be narrowed to it). */
        public boolean compartmentOnly() {
            return any() && alternatives.stream().allMatch(Alternative::patientCompartment);
        }

        /** The categories every alternative keeps to, or null when some alternative allows any category. */
        public List<SmartScope.Category> categoriesOnly() {
            if (!any() || alternatives.stream().anyMatch(a -> a.category() == null)) {
                return null;
            }
            return alternatives.stream().map(Alternative::category).distinct().toList();
        }

        /**
         * Whether the narrowing parameters ({@link #compartmentOnly()}, {@link #categoriesOnly()})
         * select exactly what the alternatives permit, no more: then a search's count is honest.
         * Not so for, e.g., {@code patient/Observation.rs} with {@code user/Observation.rs?category=laboratory}
         * (the launch patient's records, or anyone's laboratory results: no one set of parameters).
         */
        public boolean exact() {
            if (!any()) {
                return true;
            }
            boolean patientOnly = compartmentOnly();
            List<SmartScope.Category> categories = categoriesOnly();
            if (categories == null) {
                return alternatives.stream().anyMatch(a -> a.patientCompartment() == patientOnly && a.category() == null);
            }
            return categories.stream().allMatch(c -> alternatives.stream()
                    .anyMatch(a -> a.patientCompartment() == patientOnly && c.equals(a.category())));
        }
    }

    /** The scope that lets a token read the user's own FHIR resource ({@code fhirUser} claim). */
    public static final String FHIR_USER_SCOPE = "fhirUser";

    private static final SmartScopes NONE = new SmartScopes(List.of(), null, null);

    private final List<SmartScope> scopes;
    private final String patient;
    private final String fhirUser;

    private SmartScopes(List<SmartScope> scopes, String patient, String fhirUser) {
        this.scopes = List.copyOf(scopes);
        this.patient = patient;
        this.fhirUser = fhirUser;
    }

    /**
     * Reads the resource scopes among a token's scopes.
     *
     * @param patient the token's launch patient ({@code patient} claim), or null
     * @throws InvalidScopeException for the first scope that cannot be honoured
     */
    public static SmartScopes of(Collection<String> tokenScopes, String patient, Set<String> fhirTypes, Set<String> servedTypes) {
        List<SmartScope> parsed = new ArrayList<>();
        for (String text : tokenScopes.stream().sorted().toList()) {
            if (!SmartScope.isResourceScope(text)) {
                continue;
            }
            SmartScope scope = SmartScope.parse(text, fhirTypes, servedTypes);
            if (scope.context() == SmartScope.Context.PATIENT && (patient == null || patient.isBlank())) {
                throw new InvalidScopeException(text, "a patient/ scope needs the launch patient, and the token carries no patient claim");
            }
            parsed.add(scope);
        }
        return parsed.isEmpty() ? NONE : new SmartScopes(parsed, patient, null);
    }

    /**
     * These scopes, plus the user's own FHIR resource when the token holds the {@code fhirUser}
     * scope and claim: SMART's "permission to retrieve information about the current logged-in
     * user", a read of exactly that resource (a relative reference, or a URL whose last two
     * segments are its type and id). A token without resource scopes stays unrestricted.
     */
    public SmartScopes withFhirUser(Collection<String> tokenScopes, String fhirUserClaim) {
        if (isEmpty() || fhirUserClaim == null || !tokenScopes.contains(FHIR_USER_SCOPE)) {
            return this;
        }
        String[] segments = fhirUserClaim.trim().split("/");
        if (segments.length < 2) {
            return this;
        }
        return new SmartScopes(scopes, patient, segments[segments.length - 2] + "/" + segments[segments.length - 1]);
    }

    /** Whether this is the user's own resource ({@code fhirUser}), which the token may read. */
    public boolean isFhirUser(String type, String id) {
        return fhirUser != null && id != null && fhirUser.equals(type + "/" + id);
    }

    /** No resource scope: the token is not narrowed by scopes (today's behaviour). */
    public boolean isEmpty() {
        return scopes.isEmpty();
    }

    /** The launch patient's id, or null. */
    public String patient() {
        return patient;
    }

    public List<SmartScope> scopes() {
        return scopes;
    }

    /** What the scopes permit for this type and action. */
    public Grant grant(String type, SmartAction action) {
        List<Alternative> alternatives = new ArrayList<>();
        for (SmartScope scope : scopes) {
            if (scope.covers(type, action)) {
                Alternative alternative = new Alternative(scope.context() == SmartScope.Context.PATIENT, scope.category());
                if (!alternatives.contains(alternative)) {
                    alternatives.add(alternative);
                }
            }
        }
        return new Grant(List.copyOf(alternatives));
    }

    /**
     * Whether the scopes let this interaction on this type run at all (before any restriction to
     * a compartment or category is applied to its results). Type and system history, and
     * system-wide search, cannot be narrowed by parameters: they need a scope without restriction.
     */
    public boolean permits(String type, RestOperationTypeEnum operation) {
        if (isEmpty()) {
            return true;
        }
        SmartAction action = SmartAction.forOperation(operation);
        if (action == null) {
            return false;
        }
        Grant grant = grant(type, action);
        return switch (operation) {
            case HISTORY_TYPE, HISTORY_SYSTEM, SEARCH_SYSTEM -> grant.unrestricted();
            default -> grant.any();
        };
    }

    /**
     * The intersection the server enforces: the roles' matrix and these scopes must both let the
     * interaction run. A scope never adds a permission the roles lack.
     */
    public boolean allows(AccessPolicy policy, Set<String> roles, String type, RestOperationTypeEnum operation) {
        Permission permission = Permission.forOperation(operation);
        return permission != null && policy.allows(roles, type, permission) && permits(type, operation);
    }
}
