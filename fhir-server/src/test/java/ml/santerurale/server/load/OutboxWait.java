package ml.santerurale.server.load;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * How long committed audit events wait in {@code srm_audit_outbox} before the drainer moves them,
 * seen from outside by polling the rows' ids: a row's wait is counted from the last poll that did
 * not see it (it was not committed yet) to the first poll that no longer sees it (drained), so it is
 * an upper bound, too long by up to two polling intervals (a quarter of a second each in
 * {@link GaugeSampler}), never too short.
 *
 * <p>This is the drainer's lag, what "the outbox behind" means. The rows' {@code created_at}
 * ({@code now()}, the writing transaction's start) also counts the request's own transaction:
 * under load a push that takes 9 s commits an event already 9 s old, which no drainer can help
 * (measured 2026-12-05: 23.8 s old when first visible, gone 2.5 s later). Does not see a row that
 * is committed and drained between two polls (it waited less than one interval), nor rows beyond
 * the first {@link ServerGauges#OUTBOX_IDS_LIMIT} ids; rows already there at the first poll are
 * counted from it.
 */
final class OutboxWait {

    private final Map<Long, Long> notSeenBefore = new HashMap<>();
    private long previousStartNanos = Long.MIN_VALUE;
    private long worstNanos;

    /** One poll at a single instant (tests): {@link #poll(long, long, Collection)} with no query time. */
    void poll(long nanos, Collection<Long> ids) {
        poll(nanos, nanos, ids);
    }

    /**
     * One poll: the ids the query that started at {@code startedNanos} and returned at
     * {@code endedNanos} saw. A row it saw first was committed after the previous poll's start;
     * a row it no longer sees was gone before its end.
     */
    void poll(long startedNanos, long endedNanos, Collection<Long> ids) {
        long since = previousStartNanos == Long.MIN_VALUE ? startedNanos : previousStartNanos;
        Set<Long> present = new HashSet<>(ids);
        for (Long id : present) {
            notSeenBefore.putIfAbsent(id, since);
        }
        for (Iterator<Map.Entry<Long, Long>> it = notSeenBefore.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Long, Long> row = it.next();
            worstNanos = Math.max(worstNanos, endedNanos - row.getValue());
            if (!present.contains(row.getKey())) {
                it.remove();
            }
        }
        previousStartNanos = startedNanos;
    }

    /** The longest wait since the last {@link #reset}, rows still waiting included (seconds). */
    double worstSeconds() {
        return worstNanos / 1e9;
    }

    /** Starts a new worst; rows still waiting keep the time they were first seen. */
    void reset() {
        worstNanos = 0;
    }
}
