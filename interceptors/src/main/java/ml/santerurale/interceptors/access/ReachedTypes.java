package ml.santerurale.interceptors.access;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.context.RuntimeSearchParam;
import ca.uhn.fhir.rest.api.RestSearchParameterTypeEnum;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The resource types a search reaches besides its own, read from its parameters: types it
 * <em>returns</em> ({@code _include}, {@code _revinclude}, their {@code :iterate} forms and
 * {@code *} wildcards) and types it <em>filters on</em> (chained parameters such as
 * {@code subject.family} or {@code patient:Patient.family}, reverse chains {@code _has:Type:ref:param},
 * nested to any depth). A reference parameter with several target types reaches every served target
 * that has the chained parameter; a wildcard reaches every served type.
 *
 * <p>Only the served types are reported. An unknown parameter or type is not reported: HAPI refuses
 * the search itself. Does not look at parameter values (a {@code _type} value, for example), only names.
 */
public final class ReachedTypes {

    /** What one search reaches: returned types and filtered-on types (neither holds the primary type unless reached again). */
    public record Reach(Set<String> returned, Set<String> filtered) {

        public boolean isEmpty() {
            return returned.isEmpty() && filtered.isEmpty();
        }
    }

    private final FhirContext fhirContext;
    private final Set<String> servedTypes;

    public ReachedTypes(FhirContext fhirContext, Collection<String> servedTypes) {
        this.fhirContext = fhirContext;
        this.servedTypes = Set.copyOf(servedTypes);
    }

    /**
     * @param primaryType the searched type, or null for a system-level search
     * @param parameters the request's parameters, names with their modifiers ({@code _include:iterate})
     */
    public Reach of(String primaryType, Map<String, String[]> parameters) {
        Set<String> returned = new TreeSet<>();
        Set<String> filtered = new TreeSet<>();
        Set<String> sources = primaryType == null ? servedTypes : Set.of(primaryType);
        for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            String base = name.contains(":") ? name.substring(0, name.indexOf(':')) : name;
            String[] values = parameter.getValue() == null ? new String[0] : parameter.getValue();
            switch (base) {
                case "_include" -> {
                    for (String value : values) {
                        returned.addAll(included(primaryType, value, name.contains(":iterate") || name.contains(":recurse")));
                    }
                }
                case "_revinclude" -> {
                    for (String value : values) {
                        returned.addAll(revincluded(value));
                    }
                }
                case "_has" -> filtered.addAll(reverseChain(name));
                default -> {
                    if (!name.startsWith("_")) {
                        for (String source : sources) {
                            filtered.addAll(chained(source, name));
                        }
                    }
                }
            }
        }
        return new Reach(returned, filtered);
    }

    /**
     * {@code Type:param[:Target]} or {@code *}: the types an include may return ({@code *} on a
     * type search: the targets of all its references; anywhere else: every served type).
     */
    private Set<String> included(String primaryType, String value, boolean iterate) {
        String[] parts = value.split(":");
        if (value.trim().equals("*") && primaryType != null && !iterate) {
            return targetsOfAllReferences(primaryType);
        }
        if (value.trim().startsWith("*") || parts.length < 2 || iterate && parts[1].equals("*")) {
            return servedTypes;
        }
        if (parts.length >= 3) {
            return served(Set.of(parts[2]));
        }
        if (parts[1].equals("*")) {
            return targetsOfAllReferences(parts[0]);
        }
        return served(targetsOf(parts[0], parts[1]));
    }

    /** {@code Type:param[:Target]} or {@code *}: the type a reverse include returns is its source. */
    private Set<String> revincluded(String value) {
        String[] parts = value.split(":");
        if (value.trim().startsWith("*") || parts.length < 2) {
            return servedTypes;
        }
        return served(Set.of(parts[0]));
    }

    /**
     * {@code _has:Type:refParam:param}, where {@code param} may be another {@code _has:...} or a
     * chain: every type named, and what the last parameter chains into.
     */
    private Set<String> reverseChain(String name) {
        Set<String> reached = new TreeSet<>();
        String rest = name;
        while (rest.startsWith("_has:")) {
            String[] parts = rest.split(":", 4);
            if (parts.length < 4) {
                return reached;
            }
            String type = parts[1];
            reached.addAll(served(Set.of(type)));
            rest = parts[3];
            if (!rest.startsWith("_has:")) {
                reached.addAll(chained(type, rest));
            }
        }
        return reached;
    }

    /**
     * The types a parameter of {@code type} chains into: {@code subject.family} reaches the targets
     * of {@code subject} that have {@code family}, {@code subject:Patient.family} only Patient, and
     * so on down a longer chain. A parameter without a dot reaches nothing.
     */
    private Set<String> chained(String type, String name) {
        int dot = name.indexOf('.');
        if (dot < 0) {
            return Set.of();
        }
        String head = name.substring(0, dot);
        String tail = name.substring(dot + 1);
        Set<String> targets;
        if (head.contains(":")) {
            String qualifier = head.substring(head.indexOf(':') + 1);
            targets = Character.isUpperCase(qualifier.isEmpty() ? 'x' : qualifier.charAt(0))
                    ? Set.of(qualifier) : targetsOf(type, head.substring(0, head.indexOf(':')));
        } else {
            targets = targetsOf(type, head);
        }
        String next = tail.contains(".") ? tail.substring(0, tail.indexOf('.')) : tail;
        String nextName = next.contains(":") ? next.substring(0, next.indexOf(':')) : next;
        Set<String> reached = new TreeSet<>();
        for (String target : served(targets)) {
            if (nextName.startsWith("_") || searchParam(target, nextName) != null) {
                reached.add(target);
                reached.addAll(chained(target, tail));
            }
        }
        return reached;
    }

    private Set<String> targetsOfAllReferences(String type) {
        RuntimeResourceDefinition definition = definition(type);
        if (definition == null) {
            return Set.of();
        }
        Set<String> targets = new TreeSet<>();
        for (RuntimeSearchParam param : definition.getSearchParams()) {
            if (param.getParamType() == RestSearchParameterTypeEnum.REFERENCE) {
                targets.addAll(served(targetsOf(type, param.getName())));
            }
        }
        return targets;
    }

    /** The target types of a reference parameter; every type when it may point at any. */
    private Set<String> targetsOf(String type, String paramName) {
        RuntimeSearchParam param = searchParam(type, paramName);
        if (param == null || param.getParamType() != RestSearchParameterTypeEnum.REFERENCE) {
            return Set.of();
        }
        Set<String> targets = param.getTargets();
        return targets == null || targets.isEmpty() || targets.contains("Resource") ? servedTypes : targets;
    }

    private RuntimeSearchParam searchParam(String type, String name) {
        RuntimeResourceDefinition definition = definition(type);
        return definition == null ? null : definition.getSearchParam(name);
    }

    private RuntimeResourceDefinition definition(String type) {
        try {
            return fhirContext.getResourceDefinition(type);
        } catch (RuntimeException unknown) {
            return null;
        }
    }

    private Set<String> served(Set<String> types) {
        Set<String> served = new TreeSet<>(types);
        served.retainAll(servedTypes);
        return served;
    }

    /** For messages: the types, sorted, comma-separated. */
    static String list(Collection<String> types) {
        return String.join(", ", new TreeSet<>(types));
    }

    /** The reached types as one list (returned and filtered), for callers that treat both alike. */
    public static List<String> all(Reach reach) {
        Set<String> all = new TreeSet<>(reach.returned());
        all.addAll(reach.filtered());
        return List.copyOf(all);
    }
}
