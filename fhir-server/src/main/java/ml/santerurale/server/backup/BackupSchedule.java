package ml.santerurale.server.backup;

import java.util.TimeZone;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.scheduling.support.CronTrigger;

/**
 * Takes base backups on their cron (UTC) on a thread of its own, each followed by the
 * retention, and a first one as soon as the server is ready when the directory holds none (WAL
 * archived without a base backup restores nothing; taken during the start, its checkpoint and
 * copy competed with the start for the two cores, 3 s of a first start, issue 17, and it missed
 * the sites catalogue the start loads). A backup cut short by a stop is left as
 * {@code .partial} and deleted by the next one.
 *
 * <p>Does not retry a failed backup before the next cron run; the failure is logged and counted
 * ({@code srm_backup_failures_total}), and {@code srm_backup_age_seconds} keeps growing.
 */
final class BackupSchedule implements SmartLifecycle, ApplicationListener<ApplicationReadyEvent> {

    private static final Logger log = LoggerFactory.getLogger(BackupSchedule.class);

    private final BaseBackups backups;
    private final BackupRetention retention;
    private final BackupMetrics metrics;
    private final String cron;
    private ThreadPoolTaskScheduler scheduler;
    private boolean firstWhenReady;

    BackupSchedule(BaseBackups backups, BackupRetention retention, BackupMetrics metrics, String cron) {
        this.backups = backups;
        this.retention = retention;
        this.metrics = metrics;
        this.cron = cron;
    }

    @Override
    public synchronized void start() {
        scheduler = new ThreadPoolTaskScheduler();
        scheduler.setPoolSize(1);
        scheduler.setThreadNamePrefix("backup-");
        scheduler.setWaitForTasksToCompleteOnShutdown(false);
        scheduler.setAwaitTerminationSeconds(2);
        scheduler.initialize();
        backups.latest().ifPresentOrElse(metrics::succeeded, () -> firstWhenReady = true);
        scheduler.schedule(this::backUpQuietly, new CronTrigger(cron, TimeZone.getTimeZone("UTC")));
    }

    @Override
    public synchronized void onApplicationEvent(ApplicationReadyEvent ready) {
        if (firstWhenReady && scheduler != null) {
            firstWhenReady = false;
            scheduler.execute(this::backUpQuietly);
        }
    }

    /** One base backup, then the retention; failures are logged and counted, never thrown. */
    void backUpQuietly() {
        try {
            BaseBackup backup = backups.take();
            metrics.succeeded(backup);
            log.info("Base backup {} taken: {} MB in {} s, WAL from {}", backup.directory().getFileName(),
                    backup.sizeBytes() / (1024 * 1024), backup.duration().toSeconds(), backup.startWalFile());
        } catch (Exception e) {
            metrics.failed();
            log.error("Base backup failed", e);
            return;
        }
        try {
            retention.apply();
        } catch (Exception e) {
            log.error("Backup retention failed", e);
        }
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
