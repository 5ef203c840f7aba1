package ml.santerurale.server.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * PostgreSQL's memory over a soak, judged on what can grow without bound rather than on its sum
 * (the sum of PSS rose 153 → 335 MB in a 20-minute soak; measured since as the shared segment
 * filling with a growing database plus the pool's backends' private caches, see bench/README.md):
 *
 * <ul>
 *   <li><b>shared memory</b> (the sum of {@code Pss_Shmem}: shared buffers and the rest of the
 *       segment) must stay within the segment's configured size, {@code shared_memory_size}, plus
 *       {@link #SHARED_SLACK_KB} for dynamic shared memory (parallel queries, statistics). It grows
 *       as the buffers fill, by design, and cannot pass that bound unless something maps more
 *       shared memory than it was configured to;</li>
 *   <li><b>each client backend's private memory</b> ({@code Pss_Anon}: catalogue and relation
 *       caches, prepared statements' plans) must stay under {@link #BACKEND_PRIVATE_LIMIT_KB}. A
 *       backend's caches grow with its age and are given back when it ends; the pool ends each
 *       connection at its {@code max-lifetime} (application.yml), so the total is bounded by the
 *       pool's size times what one backend holds at that age, which is what this limit checks. A
 *       backend leaking per statement passes it within minutes;</li>
 *   <li><b>the long-lived server processes' private memory</b> (postmaster, checkpointer, writers,
 *       launchers, the database watch's connection: nothing replaces them) must not grow
 *       ({@link MemoryTrend} after the warm-up, floor {@link #SERVER_PRIVATE_FLOOR_MB}: they hold
 *       about 3 MB together).</li>
 * </ul>
 *
 * <p>The total private memory's trend is printed but not judged: it rises with the backends' age
 * and falls each time the pool replaces them. Does not prove that the pool does replace them: the
 * oldest backend's age is printed for that, and is younger than the soak only when the soak is
 * longer than {@code max-lifetime}. A figure that could not be read fails its check.
 */
record PostgresMemoryVerdict(long sharedBoundKb, long worstSharedKb, long largestBackendKb, int mostClientBackends,
                             long oldestBackendSeconds, MemoryTrend serverPrivate, MemoryTrend allPrivate) {

    static final long SHARED_SLACK_KB = 16 * 1024;
    /** About three times the largest backend measured at the pool's max-lifetime (bench/README.md). */
    static final long BACKEND_PRIVATE_LIMIT_KB = 32 * 1024;
    static final double SERVER_PRIVATE_FLOOR_MB = 8;

    static PostgresMemoryVerdict of(List<ServerGauges.Sample> samples, double warmUpShare, long sharedBoundKb) {
        long worstShared = -1, largestBackend = -1, oldest = -1;
        int most = -1;
        for (ServerGauges.Sample s : samples) {
            ServerGauges.PostgresMemory pg = s.postgres();
            worstShared = Math.max(worstShared, pg.sharedKb());
            largestBackend = Math.max(largestBackend, pg.largestBackendPrivateKb());
            most = Math.max(most, pg.clientBackends());
            oldest = Math.max(oldest, pg.oldestBackendSeconds());
        }
        return new PostgresMemoryVerdict(sharedBoundKb, worstShared, largestBackend, most, oldest,
                MemoryTrend.of(samples, warmUpShare, s -> s.postgres().serverPrivateKb(), SERVER_PRIVATE_FLOOR_MB),
                MemoryTrend.of(samples, warmUpShare, s -> s.postgres().privateKb()));
    }

    boolean sharedWithinBound() {
        return sharedBoundKb > 0 && worstSharedKb >= 0 && worstSharedKb <= sharedBoundKb + SHARED_SLACK_KB;
    }

    boolean backendsWithinLimit() {
        return largestBackendKb >= 0 && largestBackendKb <= BACKEND_PRIVATE_LIMIT_KB;
    }

    boolean serverProcessesFlat() {
        return serverPrivate.samples() >= 2 && !serverPrivate.grows();
    }

    boolean ok() {
        return sharedWithinBound() && backendsWithinLimit() && serverProcessesFlat();
    }

    List<String> lines() {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "PostgreSQL shared memory: at most %.1f MB of the %.1f MB segment (limit +%d MB): %s",
                worstSharedKb / 1024.0, sharedBoundKb / 1024.0, SHARED_SLACK_KB / 1024, sharedWithinBound() ? "within" : "BEYOND OR UNKNOWN"));
        lines.add(String.format(Locale.ROOT, "PostgreSQL client backends: at most %d, the largest %.1f MB private (limit %d MB): %s;"
                        + " oldest backend %d s old", mostClientBackends, largestBackendKb / 1024.0, BACKEND_PRIVATE_LIMIT_KB / 1024,
                backendsWithinLimit() ? "within" : "BEYOND OR UNKNOWN", oldestBackendSeconds));
        lines.add("PostgreSQL server processes' private memory after the first quarter: " + serverPrivate);
        lines.add("PostgreSQL private memory, all processes (not judged: falls as the pool replaces backends): " + allPrivate);
        return lines;
    }
}
