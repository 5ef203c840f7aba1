package ml.santerurale.interceptors.access;

import java.util.Optional;

/** Which sites exist as storage partitions, and where an existing clinical resource lives. */
public interface SiteDirectory {

    /** Whether this site code has a partition (unknown codes in a token are ignored). */
    boolean isSite(String siteCode);

    /** The site of a stored resource of a clinical type, or empty if there is none. */
    Optional<String> siteOfResource(String resourceType, String id);

    /** The site whose partition has this id. */
    Optional<String> siteOfPartition(int partitionId);
}
