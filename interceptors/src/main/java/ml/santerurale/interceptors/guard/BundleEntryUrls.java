package ml.santerurale.interceptors.guard;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.OperationOutcome;

/** Reads the parts of a Bundle entry's {@code request.url} the guards need. */
public final class BundleEntryUrls {

    private BundleEntryUrls() {}

    /** The resource type a relative request URL addresses, or null for a blank URL. */
    public static String resourceType(String url) {
        if (url == null || url.isBlank()) {
            return null;
        }
        String path = stripLeadingSlash(url.trim());
        int end = firstOf(path, '/', '?');
        return path.substring(0, end);
    }

    /** The id in {@code Type/id} (ignoring {@code /_history/n}), or null for a type or search URL. */
    public static String resourceId(String url) {
        if (url == null) {
            return null;
        }
        String path = stripLeadingSlash(url.trim());
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        String[] parts = path.split("/");
        return parts.length >= 2 ? parts[1] : null;
    }

    /**
     * The query of a request URL as HAPI holds request parameters: each name with all its values,
     * decoded. A malformed {@code %} escape is refused (400, naming {@code where}, e.g.
     * {@code Bundle.entry[2]}), never an unchecked exception (found by TransactionEntriesFuzzTest:
     * it was a 500).
     */
    public static Map<String, String[]> queryParameters(String url, String where) {
        Map<String, List<String>> byName = new LinkedHashMap<>();
        for (String pair : url.substring(url.indexOf('?') + 1).split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), url, where);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), url, where);
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        Map<String, String[]> parameters = new LinkedHashMap<>();
        byName.forEach((name, values) -> parameters.put(name, values.toArray(String[]::new)));
        return parameters;
    }

    private static String decode(String text, String url, String where) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            String message = where + ".request.url '" + url + "' has a malformed %-escape (a '%' must be followed by"
                    + " two hexadecimal digits; write '%25' for '%' itself)";
            throw new InvalidRequestException(message,
                    OperationOutcomes.error(OperationOutcome.IssueType.INVALID, message, where + ".request.url"));
        }
    }

    private static String stripLeadingSlash(String url) {
        return url.startsWith("/") ? url.substring(1) : url;
    }

    private static int firstOf(String value, char a, char b) {
        int ia = value.indexOf(a);
        int ib = value.indexOf(b);
        if (ia < 0) {
            return ib < 0 ? value.length() : ib;
        }
        return ib < 0 ? ia : Math.min(ia, ib);
    }
}
