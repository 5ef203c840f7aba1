package ml.santerurale.server.load;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A phone's sync state: its outbox of frozen batches, sent one at a time in the order recorded
 * (docs/SYNC.md §1), and its feed cursor. A pull is skipped while the previous one is running.
 */
final class SimulatedDevice {

    final SimulatedSite site;
    final String id;
    private final Deque<SyncBatch> outbox = new ArrayDeque<>();
    private boolean sending;
    private boolean pulling;
    /** The next {@code _since}: the first page's {@code meta.lastUpdated} of the last feed. */
    volatile String since;

    SimulatedDevice(SimulatedSite site, String id, Instant feedStart) {
        this.site = site;
        this.id = id;
        // The device synced before the drill: it resumes from the drill's start, not a first sync.
        this.since = feedStart.toString();
    }

    /** Queues a batch; answers the batch to send now, or null when one is already on its way. */
    synchronized SyncBatch queue(SyncBatch batch) {
        outbox.addLast(batch);
        if (sending) {
            return null;
        }
        sending = true;
        return outbox.peekFirst();
    }

    /** The head batch was acknowledged: answers the next one to send, or null when the outbox is empty. */
    synchronized SyncBatch acknowledged() {
        outbox.pollFirst();
        SyncBatch next = outbox.peekFirst();
        sending = next != null;
        return next;
    }

    synchronized int waiting() {
        return outbox.size();
    }

    synchronized boolean startPull() {
        if (pulling) {
            return false;
        }
        pulling = true;
        return true;
    }

    synchronized void endPull() {
        pulling = false;
    }
}
