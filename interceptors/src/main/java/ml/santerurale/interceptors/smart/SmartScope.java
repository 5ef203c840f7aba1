package ml.santerurale.interceptors.smart;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One SMART on FHIR resource scope, parsed: {@code <context>/<type>.<permissions>[?category=<token>]}
 * in the v2 form ({@code patient/Observation.rs}, {@code user/*.cruds}, {@code system/*.rs},
 * {@code patient/Observation.rs?category=vital-signs}) or the v1 form ({@code patient/*.read},
 * {@code user/Patient.write}, {@code user/*.*}, read = {@code rs}, write = {@code cud},
 * {@code *} = {@code cruds}).
 *
 * <p>Does not decide anything about roles or sites: a scope only says the most a token may do.
 *
 * @param text the scope as written in the token
 * @param context whose data: the launch patient's compartment, the user's, or a backend's
 * @param type a resource type, or {@code *}
 * @param actions what it permits
 * @param category the granular {@code category} restriction, or null for none
 */
public record SmartScope(String text, Context context, String type, Set<SmartAction> actions, Category category) {

    /** Whose data a scope speaks of. */
    public enum Context { PATIENT, USER, SYSTEM }

    /** A category token, {@code code} or {@code system|code}. */
    public record Category(String system, String code) {

        static Category parse(String token) {
            int bar = token.indexOf('|');
            return bar < 0 ? new Category(null, token) : new Category(token.substring(0, bar), token.substring(bar + 1));
        }

        /** Whether a coding of the resource's category matches this token. */
        public boolean matches(String codingSystem, String codingCode) {
            return code.equals(codingCode) && (system == null || system.isEmpty() || system.equals(codingSystem));
        }

        @Override
        public String toString() {
            return system == null ? code : system + "|" + code;
        }
    }

    /** Types whose granular {@code category} restriction this server enforces. */
    public static final Set<String> CATEGORY_TYPES = Set.of("Observation", "Condition");

    private static final Pattern SHAPE = Pattern.compile("^(patient|user|system)/([^.?]*)\\.([^?]*)(?:\\?(.*))?$");
    private static final Pattern V2_ACTIONS = Pattern.compile("^c?r?u?d?s?$");

    /**
     * Whether a scope string is a SMART resource scope (or tries to be one): it starts with
     * {@code patient/}, {@code user/} or {@code system/}, or looks like {@code Type.permission}
     * without its context. Other scopes ({@code openid}, {@code launch/patient}, {@code profile},
     * {@code offline_access}...) grant nothing on data and are not resource scopes.
     */
    public static boolean isResourceScope(String scope) {
        return scope.startsWith("patient/") || scope.startsWith("user/") || scope.startsWith("system/")
                || scope.matches("^[A-Za-z*]+\\.(\\*|read|write|[cruds]+)(\\?.*)?$");
    }

    /**
     * @param fhirTypes every resource type of FHIR R4 (a type outside it is unknown)
     * @param servedTypes the types this server serves (a type outside it is refused too)
     * @throws InvalidScopeException naming the scope and why
     */
    public static SmartScope parse(String text, Set<String> fhirTypes, Set<String> servedTypes) {
        Matcher m = SHAPE.matcher(text);
        if (!m.matches()) {
            throw new InvalidScopeException(text, "a resource scope is <patient|user|system>/<type or *>.<permissions>"
                    + " (e.g. patient/Observation.rs, user/*.read)");
        }
        Context context = Context.valueOf(m.group(1).toUpperCase(Locale.ROOT));
        String type = m.group(2);
        if (!"*".equals(type)) {
            if (!fhirTypes.contains(type)) {
                throw new InvalidScopeException(text, "'" + type + "' is not a FHIR resource type");
            }
            if (!servedTypes.contains(type)) {
                throw new InvalidScopeException(text, "this server does not serve " + type);
            }
        }
        String permissions = m.group(3);
        boolean v1 = permissions.equals("read") || permissions.equals("write") || permissions.equals("*");
        Set<SmartAction> actions = EnumSet.noneOf(SmartAction.class);
        if (v1) {
            switch (permissions) {
                case "read" -> actions.addAll(EnumSet.of(SmartAction.READ, SmartAction.SEARCH));
                case "write" -> actions.addAll(EnumSet.of(SmartAction.CREATE, SmartAction.UPDATE, SmartAction.DELETE));
                default -> actions.addAll(EnumSet.allOf(SmartAction.class));
            }
        } else if (!permissions.isEmpty() && V2_ACTIONS.matcher(permissions).matches()) {
            for (SmartAction action : SmartAction.values()) {
                if (permissions.indexOf(action.letter) >= 0) {
                    actions.add(action);
                }
            }
        } else {
            throw new InvalidScopeException(text, "'" + permissions + "' is neither read, write, * (SMART v1) nor"
                    + " letters of cruds in that order, each at most once (SMART v2)");
        }
        Category category = null;
        if (m.group(4) != null) {
            if (v1) {
                throw new InvalidScopeException(text, "granular parameters need the SMART v2 form (e.g. .rs)");
            }
            String query = m.group(4);
            if (!query.startsWith("category=") || query.contains("&") || query.length() == "category=".length()) {
                throw new InvalidScopeException(text, "the only granular parameter enforced here is a single category=<token>");
            }
            if (!CATEGORY_TYPES.contains(type)) {
                throw new InvalidScopeException(text, "category restrictions are enforced on " + CATEGORY_TYPES.stream().sorted().toList()
                        + " only");
            }
            category = Category.parse(java.net.URLDecoder.decode(query.substring("category=".length()),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return new SmartScope(text, context, type, Set.copyOf(actions), category);
    }

    boolean covers(String resourceType, SmartAction action) {
        return ("*".equals(type) || type.equals(resourceType)) && actions.contains(action);
    }
}
