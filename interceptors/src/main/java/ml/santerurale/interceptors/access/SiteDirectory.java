package ml.santerurale.interceptors.access;

import java.util.Optional;

/** Which sites exist as storage partitions, and where an existing clinical resource lives. */
public interface SiteDirectory {

    /** Whether this site code has a partition (unknown codes in a token are ignored). */
    boolean isSite(String siteCode);

    /** The site of a stored resource of a clinical type, or empty if there is none. */
    Optional<String> siteOfResource(String resourceType, String id);

    /**
     * The sites of several stored resources ({@code Type/id}) at once; those not stored, or not
     * in a site's partition, are left out. The default asks one by one.
     */
    default java.util.Map<String, String> sitesOfResources(java.util.Collection<String> references) {
        java.util.Map<String, String> sites = new java.util.HashMap<>();
        for (String reference : references) {
            int slash = reference.indexOf('/');
            siteOfResource(reference.substring(0, slash), reference.substring(slash + 1))
                    .ifPresent(site -> sites.put(reference, site));
        }
        return sites;
    }

    /** The site whose partition has this id. */
    Optional<String> siteOfPartition(int partitionId);

    /** The id of this site's partition. */
    Optional<Integer> partitionOf(String siteCode);
}
