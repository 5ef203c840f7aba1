package ml.santerurale.server.audit;

import java.time.Duration;
import java.time.Instant;
import java.util.TimeZone;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Runs the outbox drain every drain interval on one thread, {@code drainThreads - 1} extra drain
 * threads that drain only while the outbox is behind (each every interval, staggered across it),
 * and the retention purge on its cron on a thread of its own (a long purge does not hold back the
 * drain). Started once the context is ready, stopped first at shutdown; rows left in the outbox
 * are drained at the next start.
 *
 * <p>Extra drains because the drain competes for the cores with the requests it audits: at full
 * read load on two cores one drain thread (and its PostgreSQL backend) sometimes got less CPU than
 * the reads' events needed and the outbox grew for as long as the load lasted. Only while behind,
 * because drains every 250 ms, on one thread or two, cost reads throughput in alternated runs
 * (docs/PERFORMANCE.md). The drains share the work through {@code FOR UPDATE SKIP LOCKED}
 * ({@link AuditOutboxDrainer}); an idle drain costs one query per interval. Does not guarantee that
 * events are stored in the order they were recorded (their search order is {@code recorded}).
 *
 * <p>Uses its own scheduler rather than {@code @EnableScheduling}, which would also start any
 * {@code @Scheduled} method in HAPI's jars.
 */
final class AuditSchedule implements SmartLifecycle {

    private final Runnable drain;
    private final Runnable drainWhenBehind;
    private final int drainThreads;
    private final Duration drainInterval;
    private final Runnable purge;
    private final String retentionCron;
    private ThreadPoolTaskScheduler scheduler;

    /**
     * @param drain one drain of the outbox, which must not throw ({@link AuditOutboxDrainer#drainQuietly})
     * @param drainWhenBehind what the extra drain threads run: a drain only while the outbox is
     *     behind, which must not throw ({@link AuditOutboxDrainer#drainQuietlyWhenBehind})
     * @param purge one retention purge, which must not throw ({@link AuditRetentionJob#purgeQuietly})
     */
    AuditSchedule(Runnable drain, Runnable drainWhenBehind, int drainThreads, Duration drainInterval, Runnable purge,
            String retentionCron) {
        if (drainThreads < 1) {
            throw new IllegalArgumentException("at least one drain thread");
        }
        this.drain = drain;
        this.drainWhenBehind = drainWhenBehind;
        this.drainThreads = drainThreads;
        this.drainInterval = drainInterval;
        this.purge = purge;
        this.retentionCron = retentionCron;
    }

    @Override
    public synchronized void start() {
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(drainThreads + 1);
        scheduler.setThreadNamePrefix("audit-");
        // A drain cut short rolls back; its rows stay in the outbox for the next start.
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        scheduler.setAwaitTerminationSeconds(2);
        scheduler.initialize();
        Instant now = Instant.now();
        for (int i = 0; i < drainThreads; i++) {
            scheduler.scheduleWithFixedDelay(i == 0 ? drain : drainWhenBehind, now.plus(drainInterval.multipliedBy(i).dividedBy(drainThreads)),
                    drainInterval);
        }
        scheduler.schedule(purge, new CronTrigger(retentionCron, TimeZone.getTimeZone("UTC")));
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
