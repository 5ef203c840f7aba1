package ml.santerurale.interceptors.access;

import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The role matrix, as data: for each role, what it may do with each kind of resource
 * (clinical types, which belong to one site; reference types, shared by all; the audit trail;
 * conformance resources of the implementation guide, served read-only from the build; aggregate
 * reports, written by the server alone).
 * Built from the policy file and validated whole: an unknown role, type, kind or permission
 * stops the server at start. Anything the file does not grant is denied.
 */
public final class AccessPolicy {

    /** Kinds of resources the matrix speaks of. */
    public enum Kind { CLINICAL, REFERENCE, AUDIT, CONFORMANCE, REPORTING }

    /** Whose audit events a role may read. */
    public enum AuditScope { NONE, OWN_SITES, ALL }

    private final Map<String, Kind> kindOfType;
    private final Map<String, Map<Kind, Set<Permission>>> grants;
    private final Map<String, AuditScope> auditScopes;

    private AccessPolicy(Map<String, Kind> kindOfType, Map<String, Map<Kind, Set<Permission>>> grants,
            Map<String, AuditScope> auditScopes) {
        this.kindOfType = Map.copyOf(kindOfType);
        this.grants = Map.copyOf(grants);
        this.auditScopes = Map.copyOf(auditScopes);
    }

    /**
     * @param typesByKind e.g. {@code clinical -> [Patient, ...]}
     * @param rolesGrants e.g. {@code soignant -> {clinical -> [read, ...]}}
     * @param auditScopes e.g. {@code major -> own-sites}
     * @param knownRoles the roles the identity provider issues; any other role is an error
     * @param knownTypes the resource types the server serves; any other type is an error
     */
    public static AccessPolicy of(Map<String, List<String>> typesByKind, Map<String, Map<String, List<String>>> rolesGrants,
            Map<String, String> auditScopes, Collection<String> knownRoles, Collection<String> knownTypes) {
        Map<String, Kind> kindOfType = new HashMap<>();
        typesByKind.forEach((kindName, types) -> {
            Kind kind = kind(kindName, "types");
            for (String type : types) {
                if (!knownTypes.contains(type)) {
                    throw new PolicyException("types." + kindName + ": unknown resource type '" + type
                            + "' (served: " + knownTypes + ")");
                }
                if (kindOfType.put(type, kind) != null) {
                    throw new PolicyException("types: '" + type + "' is listed under two kinds");
                }
            }
        });
        for (String type : knownTypes) {
            if (!kindOfType.containsKey(type)) {
                throw new PolicyException("types: served type '" + type + "' is under no kind; every served type must be");
            }
        }
        Map<String, Map<Kind, Set<Permission>>> grants = new HashMap<>();
        rolesGrants.forEach((role, byKind) -> {
            requireKnownRole(role, knownRoles, "roles");
            Map<Kind, Set<Permission>> roleGrants = new HashMap<>();
            byKind.forEach((kindName, permissions) -> {
                Set<Permission> set = EnumSet.noneOf(Permission.class);
                permissions.forEach(p -> set.add(Permission.parse(p, "roles." + role + "." + kindName)));
                roleGrants.put(kind(kindName, "roles." + role), set);
            });
            grants.put(role, roleGrants);
        });
        Map<String, AuditScope> scopes = new HashMap<>();
        auditScopes.forEach((role, scope) -> {
            requireKnownRole(role, knownRoles, "audit-scope");
            try {
                scopes.put(role, AuditScope.valueOf(scope.trim().toUpperCase().replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new PolicyException("audit-scope." + role + ": unknown scope '" + scope + "' (none, own-sites, all)");
            }
        });
        grants.forEach((role, byKind) -> {
            boolean readsAudit = !byKind.getOrDefault(Kind.AUDIT, Set.of()).isEmpty();
            if (readsAudit && scopes.getOrDefault(role, AuditScope.NONE) == AuditScope.NONE) {
                throw new PolicyException("roles." + role + ".audit grants access but audit-scope." + role + " is missing");
            }
            Set<Permission> audit = byKind.getOrDefault(Kind.AUDIT, Set.of());
            if (audit.contains(Permission.UPDATE) || audit.contains(Permission.DELETE) || audit.contains(Permission.CREATE)) {
                throw new PolicyException("roles." + role + ".audit: audit events are immutable; only read, search and history may be granted");
            }
            Set<Permission> conformance = byKind.getOrDefault(Kind.CONFORMANCE, Set.of());
            if (!Set.of(Permission.READ, Permission.SEARCH).containsAll(conformance)) {
                throw new PolicyException("roles." + role + ".conformance: the implementation guide is served read-only; only read and search may be granted");
            }
            Set<Permission> reporting = byKind.getOrDefault(Kind.REPORTING, Set.of());
            if (!Set.of(Permission.READ, Permission.SEARCH).containsAll(reporting)) {
                throw new PolicyException("roles." + role + ".reporting: reports are written by the DHIS2 export alone; only read and search may be granted");
            }
        });
        return new AccessPolicy(kindOfType, grants, scopes);
    }

    private static void requireKnownRole(String role, Collection<String> knownRoles, String where) {
        if (!knownRoles.contains(role)) {
            throw new PolicyException(where + ": unknown role '" + role + "' (known: " + knownRoles + ")");
        }
    }

    private static Kind kind(String name, String where) {
        try {
            return Kind.valueOf(name.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new PolicyException(where + ": unknown kind '" + name + "' (clinical, reference, audit, conformance, reporting)");
        }
    }

    public Kind kindOf(String resourceType) {
        return kindOfType.get(resourceType);
    }

    public boolean isClinical(String resourceType) {
        return kindOfType.get(resourceType) == Kind.CLINICAL;
    }

    /** Whether any of these roles grants this permission on this type. */
    public boolean allows(Set<String> roles, String resourceType, Permission permission) {
        Kind kind = kindOfType.get(resourceType);
        if (kind == null) {
            return false;
        }
        for (String role : roles) {
            Map<Kind, Set<Permission>> byKind = grants.get(role);
            if (byKind != null && byKind.getOrDefault(kind, Set.of()).contains(permission)) {
                return true;
            }
        }
        return false;
    }

    /** The widest audit scope among these roles. */
    public AuditScope auditScope(Set<String> roles) {
        AuditScope widest = AuditScope.NONE;
        for (String role : roles) {
            AuditScope scope = auditScopes.getOrDefault(role, AuditScope.NONE);
            if (scope.ordinal() > widest.ordinal()) {
                widest = scope;
            }
        }
        return widest;
    }

    public Set<String> typesOf(Kind kind) {
        Set<String> types = new java.util.TreeSet<>();
        kindOfType.forEach((type, k) -> {
            if (k == kind) {
                types.add(type);
            }
        });
        return types;
    }
}
