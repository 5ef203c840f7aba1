package ml.santerurale.interceptors.guard;

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
