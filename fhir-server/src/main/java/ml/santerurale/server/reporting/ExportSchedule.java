package ml.santerurale.server.reporting;

import java.util.TimeZone;
import ml.santerurale.dhis2.Dhis2Properties;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Runs the DHIS2 exports on their own thread: the monthly and weekly runs on their crons (UTC) and
 * the late-data check every interval. Runs nothing while export is off ({@code SRM_DHIS2_BASE_URL}
 * unset). A run cut short by a stop leaves nothing half queued: each site's export is one journal row.
 */
final class ExportSchedule implements SmartLifecycle {

    private final LateDataReexport exports;
    private final Dhis2Properties properties;
    private ThreadPoolTaskScheduler scheduler;

    ExportSchedule(LateDataReexport exports, Dhis2Properties properties) {
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
        TimeZone utc = TimeZone.getTimeZone("UTC");
        scheduler.schedule(() -> exports.scheduledRunQuietly(ReportingPeriod.Frequency.MONTHLY),
                new CronTrigger(properties.monthlyCron(), utc));
        scheduler.schedule(() -> exports.scheduledRunQuietly(ReportingPeriod.Frequency.WEEKLY),
                new CronTrigger(properties.weeklyCron(), utc));
        scheduler.scheduleWithFixedDelay(exports::checkQuietly, properties.lateDataInterval());
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
