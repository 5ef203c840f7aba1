package ml.santerurale.server.fhir;

import ca.uhn.fhir.jpa.model.sched.ISchedulerService;
import ca.uhn.fhir.jpa.util.ResourceCountCache;
import java.util.Map;

/**
 * Replaces HAPI's cache of resource counts by type, which exists for its CapabilityStatement
 * provider: HAPI ran its count at start (on a scheduler thread, 0.6 s of CPU in a profiled
 * restart, while the start competed for the cores) and then every 4 hours. With partitions on,
 * HAPI 8.8's count answers an empty map here, so it only cost CPU; had it counted, {@code
 * /metadata}, readable without a token, would have shown how many resources of each type the
 * server holds across every site. This one never counts and schedules nothing, and the
 * CapabilityStatement provider is told not to include counts ({@code FhirRestConfig}).
 *
 * <p>Does not guarantee anything to a caller that asks it for counts: it has none ({@code get()}
 * answers {@code null}, as HAPI's does before its first count).
 */
final class NoResourceCounts extends ResourceCountCache {

    NoResourceCounts() {
        super(Map::of);
        // HAPI's update() counts only when the cache may be older than this; 0 disables it.
        setCacheMillis(0);
    }

    @Override
    public void scheduleJobs(ISchedulerService schedulerService) {
        // No counting job.
    }
}
