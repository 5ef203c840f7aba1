package ml.santerurale.server.audit;

import java.time.Duration;
import java.util.TimeZone;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Runs the outbox drainer every drain interval and the retention purge on its cron, on two
 * threads of their own (a long purge does not hold back the drain). Started once the context is
 * ready, stopped first at shutdown; rows left in the outbox are drained at the next start.
 *
 * <p>Uses its own scheduler rather than {@code @EnableScheduling}, which would also start any
 * {@code @Scheduled} method in HAPI's jars.
 */
final class AuditSchedule implements SmartLifecycle {

    private final AuditOutboxDrainer drainer;
    private final AuditRetentionJob retentionJob;
    private final Duration drainInterval;
    private final String retentionCron;
    private ThreadPoolTaskScheduler scheduler;

    AuditSchedule(AuditOutboxDrainer drainer, AuditRetentionJob retentionJob, Duration drainInterval,
            String retentionCron) {
        this.drainer = drainer;
        this.retentionJob = retentionJob;
        this.drainInterval = drainInterval;
        this.retentionCron = retentionCron;
    }

    @Override
    public synchronized void start() {
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(2);
        scheduler.setThreadNamePrefix("audit-");
        // A drain cut short rolls back; its rows stay in the outbox for the next start.
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        scheduler.setAwaitTerminationSeconds(2);
        scheduler.initialize();
        scheduler.scheduleWithFixedDelay(drainer::drainQuietly, drainInterval);
        scheduler.schedule(retentionJob::purgeQuietly, new CronTrigger(retentionCron, TimeZone.getTimeZone("UTC")));
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
