package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** How far the audit trail lags is on /actuator/prometheus, read from the outbox itself. */
class AuditOutboxLagTest extends ServerIntegrationTest {

    @Autowired
    DataSource dataSource;

    @Test
    void anEventTheDrainerGaveUpOnShowsInTheOutboxGauges() throws InterruptedException {
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        double stuckBefore = awaitGauge("srm_audit_outbox_stuck_rows", v -> true);
        // An hour old and out of attempts: the drainer leaves it for an operator.
        Long id = jdbc.queryForObject("insert into srm_audit_outbox (payload, attempts, last_error, created_at)"
                + " values ('{}', ?, 'test: not an AuditEvent', now() - interval '1 hour') returning id",
                Long.class, AuditOutboxDrainer.MAX_ATTEMPTS);
        try {
            assertThat(awaitGauge("srm_audit_outbox_stuck_rows", v -> v >= stuckBefore + 1)).isEqualTo(stuckBefore + 1);
            assertThat(awaitGauge("srm_audit_outbox_rows", v -> v >= 1)).isGreaterThanOrEqualTo(1);
            assertThat(awaitGauge("srm_audit_outbox_oldest_age_seconds", v -> v >= 3600)).isBetween(3600.0, 3700.0);
        } finally {
            jdbc.update("delete from srm_audit_outbox where id = ?", id);
        }
        assertThat(awaitGauge("srm_audit_outbox_stuck_rows", v -> v == stuckBefore)).isEqualTo(stuckBefore);
    }

    @Test
    void anEventsAgeCountsFromItsInsertNotFromTheStartOfTheWritesTransaction() {
        org.springframework.transaction.support.TransactionTemplate transaction =
                new org.springframework.transaction.support.TransactionTemplate(
                        new org.springframework.jdbc.datasource.DataSourceTransactionManager(dataSource));
        JdbcTemplate jdbc = new JdbcTemplate(dataSource);
        Double[] seconds = transaction.execute(status -> {
            jdbc.execute("select pg_sleep(1.2)"); // a long write, as the first Bundle after a start
            Double[] ages = jdbc.queryForObject("insert into srm_audit_outbox (payload) values ('{}')"
                    + " returning extract(epoch from created_at - now()), extract(epoch from clock_timestamp() - created_at)",
                    (rs, i) -> new Double[] {rs.getDouble(1), rs.getDouble(2)});
            status.setRollbackOnly(); // never seen by the drainer
            return ages;
        });
        assertThat(seconds[0]).as("after the transaction's start").isGreaterThanOrEqualTo(1.2);
        assertThat(seconds[1]).as("at the insert").isBetween(0.0, 0.5);
    }

    /** The gauge's value once it satisfies {@code until} (the server refreshes it each second), or its last value after 10 s. */
    private double awaitGauge(String name, java.util.function.DoublePredicate until) throws InterruptedException {
        Pattern line = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? (\\S+)$");
        long deadline = System.nanoTime() + 10_000_000_000L;
        double value;
        do {
            String metrics = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus")).GET()).body();
            Matcher m = line.matcher(metrics);
            assertThat(m.find()).as(name + " on /actuator/prometheus").isTrue();
            value = Double.parseDouble(m.group(1));
            if (until.test(value)) {
                return value;
            }
            Thread.sleep(250);
        } while (System.nanoTime() < deadline);
        return value;
    }
}
