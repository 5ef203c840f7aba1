package ml.santerurale.server.reporting;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.TimeZone;
import ml.santerurale.dhis2.Dhis2Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Runs the DHIS2 exports on their own thread: the monthly and weekly runs on their crons (UTC) and
 * the late-data check every interval. Runs nothing while export is off ({@code SRM_DHIS2_BASE_URL}
 * unset). A run cut short by a stop leaves nothing half queued: each site's export is one journal row.
 */
final class ExportSchedule implements SmartLifecycle {

    /** What the schedule runs ({@link LateDataReexport}); each run logs its own failure and never throws. */
    interface Runs {
        void scheduledRunQuietly(ReportingPeriod.Frequency frequency);

        void checkQuietly();
    }

    private static final Logger log = LoggerFactory.getLogger(ExportSchedule.class);
    private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

    private final Runs exports;
    private final Dhis2Properties properties;
    private ThreadPoolTaskScheduler scheduler;

    ExportSchedule(Runs exports, Dhis2Properties properties) {
        this.exports = exports;
        this.properties = properties;
    }

    @Override
    public synchronized void start() {
        if (!properties.enabled()) {
            return;
        }
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("dhis2-export-");
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        scheduler.setAwaitTerminationSeconds(2);
        scheduler.initialize();
        scheduler.schedule(() -> exports.scheduledRunQuietly(ReportingPeriod.Frequency.MONTHLY),
                new CronTrigger(properties.monthlyCron(), UTC));
        scheduler.schedule(() -> exports.scheduledRunQuietly(ReportingPeriod.Frequency.WEEKLY),
                new CronTrigger(properties.weeklyCron(), UTC));
        scheduler.scheduleWithFixedDelay(exports::checkQuietly, properties.lateDataInterval());
        Instant now = Instant.now();
        log.info("DHIS2 exports scheduled: monthly next at {} ({}), weekly next at {} ({})",
                nextRun(properties.monthlyCron(), now), properties.monthlyCron(), nextRun(properties.weeklyCron(), now),
                properties.weeklyCron());
    }

    /** When a run on {@code cron} (UTC, as scheduled here) comes next after {@code after}. */
    static Instant nextRun(String cron, Instant after) {
        return CronExpression.parse(cron).next(after.atZone(ZoneOffset.UTC)).toInstant();
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
