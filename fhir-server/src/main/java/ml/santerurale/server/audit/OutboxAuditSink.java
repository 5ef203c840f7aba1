package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import ml.santerurale.interceptors.audit.AuditSink;
import ml.santerurale.interceptors.audit.BalpJson;
import org.hl7.fhir.r4.model.AuditEvent;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Hands audit events to {@code srm_audit_outbox} as JSON rows: no FHIR indexing on the request
 * thread. Inside a transaction (writes) the insert joins it, so the events commit or roll back
 * with the data. Outside (reads, searches, refusals) the events of the request go in one
 * autocommitted statement, one round trip to the database, whose own transaction does not wait
 * for the disk flush ({@code set_config('synchronous_commit', 'off', true)} inside the
 * statement) unless {@code synchronousCommit} is set.
 *
 * <p>The time spent here on the request thread is the timer {@code srm_audit_record_seconds},
 * tagged {@code in=transaction} (writes: inside the data's transaction) or {@code in=own}
 * (reads, searches, refusals: its own commit), so the audit's cost per request is measured in
 * production, not only in a benchmark.
 *
 * <p>Does not guarantee: with asynchronous commit, a crash of PostgreSQL itself may lose the
 * last fraction of a second of read events (a crash of this server loses none). If the insert
 * fails, the exception reaches the request, which fails: no data leaves unaudited.
 */
final class OutboxAuditSink implements AuditSink {

    static final String INSERT = "insert into srm_audit_outbox (payload) values (?)";
    /** The events of one read as one statement; its transaction-local setting ends with it. */
    static final String INSERT_ALONE_ASYNC = "with async as (select set_config('synchronous_commit', 'off', true))"
            + " insert into srm_audit_outbox (payload) select payload from unnest(?::text[]) as payload, async";
    static final String INSERT_ALONE = "insert into srm_audit_outbox (payload) select unnest(?::text[])";
    /** One event (a read's, a search's): a plain parameter, not an array literal the driver escapes. */
    static final String INSERT_ONE_ASYNC = "with async as (select set_config('synchronous_commit', 'off', true))"
            + " insert into srm_audit_outbox (payload) select ?::text from async";

    private final DataSource dataSource;
    private final FhirContext fhirContext;
    private final boolean synchronousCommit;
    private final Timer inTransaction;
    private final Timer onItsOwn;

    OutboxAuditSink(DataSource dataSource, FhirContext fhirContext, boolean synchronousCommit, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.fhirContext = fhirContext;
        this.synchronousCommit = synchronousCommit;
        this.inTransaction = timer(registry, "transaction");
        this.onItsOwn = timer(registry, "own");
    }

    private static Timer timer(MeterRegistry registry, String in) {
        return Timer.builder("srm.audit.record")
                .description("Time a request spends handing its audit events to the outbox (JSON encoding and insert)")
                .tag("in", in)
                .register(registry);
    }

    @Override
    public void record(AuditEvent event) {
        recordAll(List.of(event));
    }

    @Override
    public void recordAll(List<AuditEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        long started = System.nanoTime();
        boolean joined = TransactionSynchronizationManager.isActualTransactionActive();
        IParser parser = fhirContext.newJsonParser();
        List<String> json = events.stream().map(event -> BalpJson.encode(event, parser)).toList();
        try {
            if (joined) {
                Connection connection = DataSourceUtils.getConnection(dataSource);
                try {
                    insert(connection, json);
                } finally {
                    DataSourceUtils.releaseConnection(connection, dataSource);
                }
            } else {
                insertAlone(json);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The audit event could not be recorded: " + e.getMessage(), e);
        } finally {
            (joined ? inTransaction : onItsOwn).record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private void insertAlone(List<String> json) throws SQLException {
        boolean one = json.size() == 1;
        String sql = one ? (synchronousCommit ? INSERT : INSERT_ONE_ASYNC) : (synchronousCommit ? INSERT_ALONE : INSERT_ALONE_ASYNC);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement(sql)) {
            if (!connection.getAutoCommit()) {
                throw new IllegalStateException("The audit outbox needs an autocommit connection outside transactions");
            }
            if (one) {
                insert.setString(1, json.get(0));
            } else {
                insert.setArray(1, connection.createArrayOf("text", json.toArray()));
            }
            insert.executeUpdate();
        }
    }

    private static void insert(Connection connection, List<String> json) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            if (json.size() == 1) {
                insert.setString(1, json.get(0));
                insert.executeUpdate();
                return;
            }
            for (String event : json) {
                insert.setString(1, event);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }
}
