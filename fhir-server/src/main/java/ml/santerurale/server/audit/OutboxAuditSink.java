package ml.santerurale.server.audit;

import ca.uhn.fhir.context.FhirContext;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import ml.santerurale.interceptors.audit.AuditSink;
import org.hl7.fhir.r4.model.AuditEvent;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Hands each audit event to {@code srm_audit_outbox} with one JDBC insert of its JSON: no FHIR
 * indexing on the request thread. Inside a transaction (the pre-commit hooks of writes) the
 * insert joins it, so the event commits or rolls back with the data. Outside (reads, searches,
 * refusals) it commits on its own, without waiting for the disk flush unless
 * {@code synchronousCommit} is set.
 *
 * <p>Does not guarantee: with asynchronous commit, a crash of PostgreSQL itself may lose the
 * last fraction of a second of read events (a crash of this server loses none). If the insert
 * fails, the exception reaches the request, which fails: no data leaves unaudited.
 */
final class OutboxAuditSink implements AuditSink {

    static final String INSERT = "insert into srm_audit_outbox (payload) values (?)";

    private final DataSource dataSource;
    private final FhirContext fhirContext;
    private final boolean synchronousCommit;

    OutboxAuditSink(DataSource dataSource, FhirContext fhirContext, boolean synchronousCommit) {
        this.dataSource = dataSource;
        this.fhirContext = fhirContext;
        this.synchronousCommit = synchronousCommit;
    }

    @Override
    public void record(AuditEvent event) {
        String json = fhirContext.newJsonParser().encodeResourceToString(event);
        try {
            if (TransactionSynchronizationManager.isActualTransactionActive()) {
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
        }
    }

    private void insertAlone(String json) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            if (synchronousCommit) {
                insert(connection, json);
                return;
            }
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("set local synchronous_commit = off");
                insert(connection, json);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        }
    }

    private static void insert(Connection connection, String json) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, json);
            insert.executeUpdate();
        }
    }
}
