package ml.santerurale.interceptors.audit;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The records one access touched, kept apart by the site each belongs to (its site label; a
 * patient goes with the site of the record that names it), so that an access spanning several
 * sites can be recorded as one event per site, each naming only that site's records. Records
 * whose site is unknown (the target of a refused or failed request) are kept under no site.
 * In order of first appearance; not thread-safe (one request).
 */
final class TouchedRecords {

    /** The resources ({@code Type/id}) and patients ({@code Patient/id}) of one site. */
    record Part(Set<String> resources, Set<String> patients) {

        Part() {
            this(new LinkedHashSet<>(), new LinkedHashSet<>());
        }

        boolean isEmpty() {
            return resources.isEmpty() && patients.isEmpty();
        }
    }

    private final Map<String, Part> bySite = new LinkedHashMap<>();

    /** The part of this site ({@code null}: unknown), created on first use. */
    Part of(String site) {
        return bySite.computeIfAbsent(site, s -> new Part());
    }

    /** Site (or null) to its records, in order of first appearance; sites with none left out. */
    Map<String, Part> bySite() {
        Map<String, Part> nonEmpty = new LinkedHashMap<>();
        bySite.forEach((site, part) -> {
            if (!part.isEmpty()) {
                nonEmpty.put(site, part);
            }
        });
        return nonEmpty;
    }

    /** The id parts of every record outside this site: what its event must not name. */
    Set<String> idsOutside(String site) {
        Set<String> ids = new LinkedHashSet<>();
        bySite.forEach((other, part) -> {
            if (!java.util.Objects.equals(other, site)) {
                addIds(part.resources(), ids);
                addIds(part.patients(), ids);
            }
        });
        return ids;
    }

    private static void addIds(Collection<String> references, Set<String> into) {
        references.forEach(reference -> into.add(reference.substring(reference.indexOf('/') + 1)));
    }
}
