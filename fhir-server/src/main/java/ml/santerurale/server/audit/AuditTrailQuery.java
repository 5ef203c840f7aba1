package ml.santerurale.server.audit;

import ca.uhn.fhir.model.api.TemporalPrecisionEnum;
import ca.uhn.fhir.rest.param.DateParam;
import ca.uhn.fhir.rest.param.ParamPrefixEnum;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import ml.santerurale.interceptors.access.AuditReach;

/**
 * A search of the audit trail as SQL on {@code srm_audit_event}: the FHIR parameters an auditor
 * uses, read from the request's raw parameters, and the caller's {@link AuditReach} always added.
 * Values of one parameter separated by commas are alternatives (OR); a parameter repeated narrows
 * (AND). Token parameters take {@code code} or {@code system|code}; references take
 * {@code Type/id} ({@code patient} also a plain id).
 *
 * <p>Does not guarantee FHIR's full search semantics: {@code entity-name} and {@code agent-name} match a whole name
 * (as {@code :exact}, not a prefix), {@code date} knows no {@code ap}, and any other parameter,
 * modifier, chain, {@code _include} or {@code _sort} key is refused (400) rather than ignored, so a
 * filter a client believes applied can never widen the answer.
 */
final class AuditTrailQuery {

    /** Search parameter to the prefix of its keys in {@code search_keys} ({@link StoredAuditEvent#keysOf}). */
    static final Map<String, String> KEYS = Map.ofEntries(
            Map.entry("patient", "patient"), Map.entry("agent", "agent"), Map.entry("agent:identifier", "agent-id"),
            Map.entry("agent-name", "agent-name"), Map.entry("agent-name:exact", "agent-name"), Map.entry("altid", "altid"),
            Map.entry("entity", "entity"), Map.entry("entity-name", "entity-name"),
            Map.entry("entity-name:exact", "entity-name"), Map.entry("entity-id", "entity-id"), Map.entry("type", "type"),
            Map.entry("subtype", "subtype"));
    /** Parameters taking codes whose system is implied. */
    private static final Map<String, String> CODES = Map.of("action", "action", "outcome", "outcome");
    /** Parameters that shape the answer, not the selection; read by HAPI or the provider. */
    static final Set<String> SHAPING = Set.of("_count", "_offset", "_sort", "_summary", "_total", "_format", "_pretty",
            "_elements", AuditTrailProvider.THROUGH);

    private final List<String> where = new ArrayList<>();
    private final List<Object> args = new ArrayList<>();
    private boolean newestFirst = true;

    private AuditTrailQuery() {}

    static AuditTrailQuery of(Map<String, String[]> parameters, AuditReach reach) {
        AuditTrailQuery query = new AuditTrailQuery();
        query.reach(reach);
        Set<String> unsupported = new TreeSet<>();
        for (Map.Entry<String, String[]> parameter : parameters.entrySet()) {
            String name = parameter.getKey();
            for (String value : parameter.getValue()) {
                if (KEYS.containsKey(name)) {
                    query.anyKey(KEYS.get(name), values(value), "patient".equals(name));
                } else if (CODES.containsKey(name)) {
                    query.anyKey(CODES.get(name), values(value), false);
                } else if ("date".equals(name)) {
                    query.date(value);
                } else if ("_id".equals(name)) {
                    query.where.add("id = any(?)");
                    query.args.add(values(value).toArray(String[]::new));
                } else if ("_sort".equals(name)) {
                    query.sort(value);
                } else if (!SHAPING.contains(name)) {
                    unsupported.add(name);
                }
            }
        }
        if (!unsupported.isEmpty()) {
            throw new InvalidRequestException("The audit trail is searched by " + String.join(", ", supported())
                    + "; not supported here: " + String.join(", ", unsupported));
        }
        return query;
    }

    /** The events carrying any of these search keys ({@code entity:Patient/<id>}, …), within reach. */
    static AuditTrailQuery naming(Set<String> keys, AuditReach reach) {
        AuditTrailQuery query = new AuditTrailQuery();
        query.reach(reach);
        query.where.add("search_keys && ?::text[]");
        query.args.add(keys.toArray(String[]::new));
        return query;
    }

    /** The search parameters understood, as the CapabilityStatement lists them. */
    static List<String> supported() {
        Set<String> names = new TreeSet<>(CODES.keySet());
        KEYS.keySet().stream().filter(k -> !k.contains(":")).forEach(names::add);
        names.add("date");
        names.add("_id");
        return List.copyOf(names);
    }

    private void reach(AuditReach reach) {
        if (!reach.all()) {
            where.add("site = any(?)");
            args.add(reach.sites().toArray(String[]::new));
        }
    }

    private void anyKey(String prefix, List<String> values, boolean patient) {
        String[] keys = values.stream()
                .map(v -> v.startsWith("|") ? v.substring(1) : v)
                .map(v -> patient && !v.contains("/") ? "Patient/" + v : v)
                .map(v -> prefix + ":" + v).toArray(String[]::new);
        where.add("search_keys && ?::text[]");
        args.add(keys);
    }

    private void date(String value) {
        if (value.contains(",")) {
            throw new InvalidRequestException("date takes one value per parameter on the audit trail; repeat it to narrow");
        }
        DateParam date = new DateParam(value);
        ParamPrefixEnum prefix = date.getPrefix() == null ? ParamPrefixEnum.EQUAL : date.getPrefix();
        Date start = date.getValue();
        TemporalPrecisionEnum precision = date.getPrecision() == null ? TemporalPrecisionEnum.MILLI : date.getPrecision();
        Timestamp from = new Timestamp(start.getTime());
        Timestamp to = new Timestamp(precision.add(start, 1).getTime());
        switch (prefix) {
            case EQUAL -> range("recorded >= ? and recorded < ?", from, to);
            case NOT_EQUAL -> range("(recorded < ? or recorded >= ?)", from, to);
            case LESSTHAN, ENDS_BEFORE -> range("recorded < ?", from);
            case LESSTHAN_OR_EQUALS -> range("recorded < ?", to);
            case GREATERTHAN, STARTS_AFTER -> range("recorded >= ?", to);
            case GREATERTHAN_OR_EQUALS -> range("recorded >= ?", from);
            default -> throw new InvalidRequestException("date does not take the prefix " + prefix.getValue()
                    + " on the audit trail (eq, ne, lt, le, gt, ge, sa, eb)");
        }
    }

    private void range(String condition, Timestamp... bounds) {
        where.add(condition);
        args.addAll(Arrays.asList(bounds));
    }

    private void sort(String value) {
        switch (value) {
            case "-date" -> newestFirst = true;
            case "date" -> newestFirst = false;
            default -> throw new InvalidRequestException("The audit trail is sorted by date only (_sort=-date, the default, or _sort=date)");
        }
    }

    /** Comma-separated alternatives ({@code \,} is a literal comma). */
    private static List<String> values(String value) {
        List<String> values = new ArrayList<>();
        for (String part : value.split("(?<!\\\\),")) {
            String unescaped = part.replace("\\,", ",");
            if (!unescaped.isEmpty()) {
                values.add(unescaped);
            }
        }
        if (values.isEmpty()) {
            throw new InvalidRequestException("An audit trail search parameter needs a value");
        }
        return values;
    }

    /** The conditions, joined with {@code and} (never empty: {@code true} when nothing narrows). */
    String where() {
        return where.isEmpty() ? "true" : String.join(" and ", where);
    }

    List<Object> args() {
        return List.copyOf(args);
    }

    String orderBy() {
        return newestFirst ? "recorded desc, seq desc" : "recorded asc, seq asc";
    }
}
