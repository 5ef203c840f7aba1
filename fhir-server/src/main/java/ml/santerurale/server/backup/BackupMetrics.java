package ml.santerurale.server.backup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Backups on {@code /actuator/prometheus}: {@code srm_backup_age_seconds} (since the last
 * successful base backup finished; +Inf while there is none), {@code srm_backup_last_size_bytes}
 * and {@code srm_backup_last_duration_seconds} (of that backup), {@code srm_backup_failures_total}
 * (base backups that failed since start), and from PostgreSQL's {@code pg_stat_archiver}:
 * {@code srm_backup_wal_archived_total}, {@code srm_backup_wal_failed_total} (attempts of the
 * archive command that failed) and {@code srm_backup_wal_failing} (1 while the last attempt failed).
 *
 * <p>{@code pg_stat_archiver} is read at most every 10 s, on a scrape; while the database is
 * away its values are NaN. Its counters are PostgreSQL's, kept across restarts, reset only by
 * {@code pg_stat_reset_shared('archiver')}.
 */
final class BackupMetrics implements MeterBinder {

    private static final long REFRESH_NANOS = 10_000_000_000L;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final AtomicReference<BaseBackup> last = new AtomicReference<>();
    private Counter failures;
    private Archiver archiver;
    private long readAt;

    BackupMetrics(DataSource dataSource, Clock clock) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.clock = clock;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("srm.backup.age", this, BackupMetrics::ageSeconds).baseUnit("seconds")
                .description("Seconds since the last successful base backup of the embedded PostgreSQL finished (+Inf: none)")
                .register(registry);
        Gauge.builder("srm.backup.last.size", this, m -> m.lastOr(b -> (double) b.sizeBytes())).baseUnit("bytes")
                .description("Size of the last successful base backup").register(registry);
        Gauge.builder("srm.backup.last.duration", this, m -> m.lastOr(b -> b.duration().toMillis() / 1000.0)).baseUnit("seconds")
                .description("How long the last successful base backup took").register(registry);
        failures = Counter.builder("srm.backup.failures").description("Base backups that failed").register(registry);
        FunctionCounter.builder("srm.backup.wal.archived", this, m -> m.archiver().archived())
                .description("WAL segments PostgreSQL archived (pg_stat_archiver.archived_count)").register(registry);
        FunctionCounter.builder("srm.backup.wal.failed", this, m -> m.archiver().failed())
                .description("Failed attempts to archive a WAL segment (pg_stat_archiver.failed_count)").register(registry);
        Gauge.builder("srm.backup.wal.failing", this, m -> m.archiver().failing())
                .description("1 while PostgreSQL's last attempt to archive a WAL segment failed").register(registry);
    }

    void succeeded(BaseBackup backup) {
        last.set(backup);
    }

    void failed() {
        if (failures != null) {
            failures.increment();
        }
    }

    private double ageSeconds() {
        BaseBackup backup = last.get();
        return backup == null ? Double.POSITIVE_INFINITY
                : Duration.between(backup.finished(), clock.instant()).toMillis() / 1000.0;
    }

    private double lastOr(java.util.function.ToDoubleFunction<BaseBackup> value) {
        BaseBackup backup = last.get();
        return backup == null ? Double.NaN : value.applyAsDouble(backup);
    }

    private synchronized Archiver archiver() {
        long now = System.nanoTime();
        if (archiver == null || now - readAt > REFRESH_NANOS) {
            try {
                archiver = jdbc.queryForObject("select archived_count, failed_count, case when last_failed_time is not null"
                        + " and (last_archived_time is null or last_failed_time > last_archived_time) then 1 else 0 end"
                        + " from pg_stat_archiver", (rs, i) -> new Archiver(rs.getLong(1), rs.getLong(2), rs.getInt(3)));
            } catch (RuntimeException e) {
                archiver = new Archiver(Double.NaN, Double.NaN, Double.NaN);
            }
            readAt = now;
        }
        return archiver;
    }

    private record Archiver(double archived, double failed, double failing) {}
}
