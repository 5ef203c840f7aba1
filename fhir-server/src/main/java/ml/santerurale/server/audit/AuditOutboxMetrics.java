package ml.santerurale.server.audit;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * How far the audit trail lags behind the requests, on {@code /actuator/prometheus}:
 * {@code srm_audit_outbox_rows} (events waiting in {@code srm_audit_outbox}),
 * {@code srm_audit_outbox_oldest_age_seconds} (how long the oldest has waited; 0 when none) and
 * {@code srm_audit_outbox_stuck_rows} (rows the drainer gave up on after its attempts, left for
 * an operator). A growing age means the drainer does not keep up; stuck rows need a look.
 *
 * <p>One query per scrape at most once a second (the three gauges share it). Counting scans the
 * outbox, which the drainer keeps small; a failing query reports NaN rather than failing the
 * scrape.
 */
final class AuditOutboxMetrics implements MeterBinder {

    private static final long REFRESH_NANOS = 1_000_000_000L;

    private final JdbcTemplate jdbc;
    private Snapshot last;
    private long takenAt;

    AuditOutboxMetrics(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder("srm.audit.outbox.rows", this, m -> m.snapshot().rows())
                .description("Audit events waiting in srm_audit_outbox to be stored as AuditEvents")
                .register(registry);
        Gauge.builder("srm.audit.outbox.oldest.age", this, m -> m.snapshot().oldestSeconds())
                .baseUnit("seconds")
                .description("How long the oldest audit event in srm_audit_outbox has waited since it was inserted (0 when empty)")
                .register(registry);
        Gauge.builder("srm.audit.outbox.stuck.rows", this, m -> m.snapshot().stuck())
                .description("Audit outbox rows the drainer gave up on (kept with their error for an operator)")
                .register(registry);
    }

    private synchronized Snapshot snapshot() {
        long now = System.nanoTime();
        if (last == null || now - takenAt > REFRESH_NANOS) {
            try {
                last = jdbc.queryForObject("select count(*), coalesce(extract(epoch from clock_timestamp()"
                        + " - min(created_at)), 0), count(*) filter (where attempts >= ?) from srm_audit_outbox",
                        (rs, i) -> new Snapshot(rs.getLong(1), rs.getDouble(2), rs.getLong(3)),
                        AuditOutboxDrainer.MAX_ATTEMPTS);
            } catch (RuntimeException e) {
                last = new Snapshot(Double.NaN, Double.NaN, Double.NaN);
            }
            takenAt = now;
        }
        return last;
    }

    private record Snapshot(double rows, double oldestSeconds, double stuck) {}
}
