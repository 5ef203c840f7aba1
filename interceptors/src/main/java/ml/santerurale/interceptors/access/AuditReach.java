package ml.santerurale.interceptors.access;

import java.util.Set;

/**
 * Whose audit events a caller may read: every site's and the national trail ({@link #everywhere()},
 * audit scope "all", and the server itself), or only the events stored with one of {@code sites}
 * (audit scope "own sites"). Computed by {@link SitePartitioning#auditReach}; the audit store
 * applies it to every read and search, as HAPI's partitions did.
 *
 * <p>Does not say whether the caller may read the trail at all: a caller who may not is refused
 * (403) before a reach is made.
 *
 * @param all every event, national ones included
 * @param sites the site codes whose events are readable when not {@code all}; never empty then
 */
public record AuditReach(boolean all, Set<String> sites) {

    public AuditReach {
        sites = Set.copyOf(sites);
    }

    public static AuditReach everywhere() {
        return new AuditReach(true, Set.of());
    }

    /** Whether an event stored with {@code site} ({@code ""} for the national trail) is within reach. */
    public boolean covers(String site) {
        return all || sites.contains(site);
    }
}
