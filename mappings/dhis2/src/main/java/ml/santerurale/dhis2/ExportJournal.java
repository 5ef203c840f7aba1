package ml.santerurale.dhis2;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.annotation.Transactional;

/**
 * The export journal ({@code srm_dhis2_export}, {@code srm_dhis2_attempt}): what is to be sent,
 * what DHIS2 answered to each attempt, and the resulting state. Exports are claimed with a lease
 * ({@code FOR UPDATE SKIP LOCKED}, then {@code next_attempt_at} pushed past the attempt's longest
 * duration), so a server stopped mid-attempt sends that export again after the lease rather than
 * losing it; DHIS2 counts the resend as updates ({@code CREATE_AND_UPDATE}).
 *
 * <p>Counts every finished attempt in {@code srm_dhis2_exports_total{status}} (sent, warning,
 * retry, failed) and keeps {@code srm_dhis2_last_success_timestamp_seconds{site}}, the last
 * export DHIS2 imported (sent or partly), per site. Does not guarantee that an export is sent
 * once: at least once.
 */
public class ExportJournal {

    /** An export claimed for an attempt. */
    public record Due(long id, String site, String period, String payload, int attempt) {}

    /** A row of the journal as readers see it. */
    public record Export(long id, String report, String site, String period, String status, int attempts,
            Integer imported, Integer updated, Integer ignored, String conflicts, String lastError, String payloadSha256,
            java.time.Instant createdAt) {}

    public enum Outcome { SENT, WARNING, RETRY, FAILED }

    private final JdbcTemplate jdbc;
    private final Dhis2Properties properties;
    private final MeterRegistry meters;
    private final java.util.Map<String, java.util.concurrent.atomic.AtomicLong> lastSuccess = new java.util.concurrent.ConcurrentHashMap<>();

    public ExportJournal(JdbcTemplate jdbc, Dhis2Properties properties, MeterRegistry meters) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.meters = meters;
    }

    /**
     * Queues a dataValueSet for delivery; a still pending export of the same report, site and
     * period is superseded by it (only the newest counts are worth sending).
     */
    @Transactional
    public long enqueue(String report, String site, String period, DataValueSet dataValueSet) {
        jdbc.update("update srm_dhis2_export set status = 'superseded', finished_at = now()"
                + " where report = ? and site = ? and period = ? and status = 'pending'", report, site, period);
        Long id = jdbc.queryForObject("insert into srm_dhis2_export (report, site, period, org_unit, data_set, payload,"
                + " payload_sha256, status) values (?, ?, ?, ?, ?, ?, ?, 'pending') returning id", Long.class,
                report, site, period, dataValueSet.orgUnit(), dataValueSet.dataSet(), dataValueSet.toJson(),
                dataValueSet.valuesHash());
        return id;
    }

    /** Claims up to {@code limit} due exports, leased for {@code lease}. */
    @Transactional
    public List<Due> claimDue(int limit, Duration lease) {
        return jdbc.query("update srm_dhis2_export set attempts = attempts + 1, next_attempt_at = now() + ? * interval '1 millisecond'"
                + " where id in (select id from srm_dhis2_export where status = 'pending' and next_attempt_at <= now()"
                + " order by id limit ? for update skip locked) returning id, site, period, payload, attempts",
                (rs, i) -> new Due(rs.getLong("id"), rs.getString("site"), rs.getString("period"), rs.getString("payload"),
                        rs.getInt("attempts")), lease.toMillis(), limit);
    }

    /**
     * Records an attempt and moves the export on: sent, warning (a partial import: conflicts
     * kept, not retried), retried after a back-off, or failed (refused, or out of attempts).
     */
    @Transactional
    public Outcome recordAttempt(Due due, long durationMs, Integer httpStatus, ImportSummary summary, String error,
            boolean retryable) {
        Outcome outcome;
        if (summary != null && "SUCCESS".equals(summary.status()) && httpStatus != null && httpStatus < 300) {
            outcome = Outcome.SENT;
        } else if (summary != null && "WARNING".equals(summary.status())) {
            outcome = Outcome.WARNING;
        } else if (retryable && due.attempt() < properties.maxAttempts()) {
            outcome = Outcome.RETRY;
        } else {
            outcome = Outcome.FAILED;
        }
        String conflicts = summary == null || summary.conflicts().isEmpty() ? null : String.join("\n", summary.conflicts());
        String detail = error != null ? error : summary == null ? null
                : summary.status() + " imported=" + summary.imported() + " updated=" + summary.updated() + " ignored="
                        + summary.ignored() + (conflicts == null ? "" : " conflicts=" + summary.conflicts().size());
        jdbc.update("insert into srm_dhis2_attempt (export_id, attempt, duration_ms, http_status, outcome, detail)"
                + " values (?, ?, ?, ?, ?, ?)", due.id(), due.attempt(), durationMs, httpStatus, outcome.name().toLowerCase(), detail);
        switch (outcome) {
            case RETRY -> jdbc.update("update srm_dhis2_export set last_error = ?,"
                    + " next_attempt_at = now() + ? * interval '1 millisecond' where id = ? and status = 'pending'",
                    detail, properties.retryDelay(due.attempt()).toMillis(), due.id());
            default -> jdbc.update("update srm_dhis2_export set status = ?, imported = ?, updated = ?, ignored = ?, deleted = ?,"
                    + " conflicts = ?, last_error = ?, finished_at = now() where id = ? and status = 'pending'",
                    outcome == Outcome.SENT ? "sent" : outcome == Outcome.WARNING ? "warning" : "failed",
                    summary == null ? null : summary.imported(), summary == null ? null : summary.updated(),
                    summary == null ? null : summary.ignored(), summary == null ? null : summary.deleted(), conflicts,
                    outcome == Outcome.SENT ? null : detail, due.id());
        }
        meters.counter("srm.dhis2.exports", "status", outcome.name().toLowerCase()).increment();
        if (outcome == Outcome.SENT || outcome == Outcome.WARNING) {
            String site = jdbc.queryForObject("select site from srm_dhis2_export where id = ?", String.class, due.id());
            lastSuccessOf(site).set(java.time.Instant.now().getEpochSecond());
        }
        return outcome;
    }

    /** Sets the last-success gauges from the journal (at start). */
    public void restoreLastSuccess() {
        jdbc.query("select site, max(finished_at) as at from srm_dhis2_export where status in ('sent', 'warning')"
                + " group by site", rs -> {
                    lastSuccessOf(rs.getString("site")).set(rs.getTimestamp("at").toInstant().getEpochSecond());
                });
    }

    private java.util.concurrent.atomic.AtomicLong lastSuccessOf(String site) {
        return lastSuccess.computeIfAbsent(site, s -> {
            java.util.concurrent.atomic.AtomicLong at = new java.util.concurrent.atomic.AtomicLong();
            io.micrometer.core.instrument.Gauge.builder("srm.dhis2.last.success.timestamp", at, java.util.concurrent.atomic.AtomicLong::get)
                    .tag("site", s).baseUnit("seconds").description("When DHIS2 last imported an export of the site")
                    .register(meters);
            return at;
        });
    }

    public List<Export> exportsOf(String site, String period) {
        return jdbc.query("select * from srm_dhis2_export where site = ? and period = ? order by id", ExportJournal::export,
                site, period);
    }

    /** The newest export of each report, site and period queued since {@code since} (superseded ones aside). */
    public List<Export> latestSince(java.time.Instant since) {
        return jdbc.query("select distinct on (report, site, period) * from srm_dhis2_export where status <> 'superseded'"
                + " and created_at >= ? order by report, site, period, id desc", ExportJournal::export,
                java.sql.Timestamp.from(since));
    }

    private static Export export(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Export(rs.getLong("id"), rs.getString("report"), rs.getString("site"), rs.getString("period"),
                rs.getString("status"), rs.getInt("attempts"), (Integer) rs.getObject("imported"),
                (Integer) rs.getObject("updated"), (Integer) rs.getObject("ignored"), rs.getString("conflicts"),
                rs.getString("last_error"), rs.getString("payload_sha256"), rs.getTimestamp("created_at").toInstant());
    }
}
