package ml.santerurale.server.audit;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.time.Period;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.scheduling.support.CronExpression;
import org.springframework.validation.annotation.Validated;

/**
 * The audit trail's settings ({@code srm.audit.*}). Invalid values stop the server at start.
 *
 * @param retention how long audit events are kept (ISO-8601 period, {@code P12M} by default);
 *     older ones are purged
 * @param retentionCron when the purge runs (Spring cron, server time zone UTC; daily by default)
 * @param drainInterval pause between two moves of the outbox into the audit store
 * @param drainBatchSize outbox rows moved per database transaction
 * @param drainThreads drain threads: one drains every interval, the others only while the outbox's
 *     oldest row is older than {@code extraDrainsAfter} (they share the rows)
 * @param extraDrainsAfter how far behind the outbox must be for the extra drain threads to drain
 * @param observer this server's name in {@code AuditEvent.source}
 * @param trustForwardedFor take the client address from {@code X-Forwarded-For}: only behind a
 *     reverse proxy that overwrites that header, otherwise a client could forge its address
 * @param synchronousCommit wait for the disk flush when storing the events of reads, searches and
 *     refusals (events of writes are always committed with the data). Off by default: the read
 *     does not wait for an fsync; a crash of PostgreSQL itself (not of this server) may lose the
 *     last fraction of a second of such events
 */
@Validated
@ConfigurationProperties("srm.audit")
public record AuditProperties(
        @NotNull Period retention,
        @NotBlank String retentionCron,
        @NotNull Duration drainInterval,
        @Min(1) @Max(5000) int drainBatchSize,
        @Min(1) @Max(8) int drainThreads,
        @NotNull Duration extraDrainsAfter,
        @NotBlank String observer,
        boolean trustForwardedFor,
        boolean synchronousCommit) {

    public AuditProperties {
        if (retention != null && (retention.isNegative() || retention.isZero())) {
            throw new IllegalArgumentException("srm.audit.retention must be a positive period, e.g. P12M");
        }
        if (retentionCron != null && !retentionCron.isBlank() && !CronExpression.isValidExpression(retentionCron)) {
            throw new IllegalArgumentException("srm.audit.retention-cron is not a valid cron expression: " + retentionCron);
        }
        if (drainInterval != null && (drainInterval.compareTo(Duration.ofMillis(100)) < 0
                || drainInterval.compareTo(Duration.ofMinutes(5)) > 0)) {
            throw new IllegalArgumentException("srm.audit.drain-interval must be between 100ms and 5m");
        }
        if (extraDrainsAfter != null && (extraDrainsAfter.isNegative() || extraDrainsAfter.isZero())) {
            throw new IllegalArgumentException("srm.audit.extra-drains-after must be a positive duration, e.g. 2s");
        }
    }
}
