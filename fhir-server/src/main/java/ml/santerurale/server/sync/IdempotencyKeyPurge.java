package ml.santerurale.server.sync;

import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/** Forgets idempotency keys older than the window, every purge interval, on a thread of its own. */
final class IdempotencyKeyPurge implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(IdempotencyKeyPurge.class);

    private final IdempotencyKeys keys;
    private final Duration window;
    private final Duration interval;
    private ThreadPoolTaskScheduler scheduler;

    IdempotencyKeyPurge(IdempotencyKeys keys, Duration window, Duration interval) {
        this.keys = keys;
        this.window = window;
        this.interval = interval;
    }

    int purge() {
        int purged = keys.purgeOlderThan(window);
        if (purged > 0) {
            log.info("Forgot {} sync idempotency key(s) older than {}", purged, window);
        }
        return purged;
    }

    @Override
    public synchronized void start() {
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("sync-keys-");
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        scheduler.initialize();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                purge();
            } catch (RuntimeException e) {
                log.error("Purge of expired sync idempotency keys failed; it is retried at the next interval", e);
            }
        }, interval);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdown();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
