package ml.santerurale.server.sync;

import java.time.Duration;
import ml.santerurale.server.schedule.EveryInterval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Forgets idempotency keys older than the window, every purge interval, on a thread of its own. */
final class IdempotencyKeyPurge extends EveryInterval {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyPurge.class);

    private final IdempotencyKeys keys;
    private final Duration window;

    IdempotencyKeyPurge(IdempotencyKeys keys, Duration window, Duration interval) {
        super("sync-keys-", interval);
        this.keys = keys;
        this.window = window;
    }

    int purge() {
        int purged = keys.purgeOlderThan(window);
        if (purged > 0) {
            log.info("Forgot {} sync idempotency key(s) older than {}", purged, window);
        }
        return purged;
    }

    @Override
    protected void runOnce() {
        purge();
    }

    @Override
    protected String failure() {
        return "Purge of expired sync idempotency keys failed";
    }
}
