package ml.santerurale.server.audit;

import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import ml.santerurale.interceptors.access.AuditReach;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ConnectionCallback;

/**
 * {@code srm_audit_event} (Flyway {@code V10}): appends events in bulk, finds them for the REST
 * server, and purges those past the retention. Every read takes the caller's {@link AuditReach}.
 * Inside a Spring transaction the statements join it (the drainer's, which also deletes the
 * outbox rows it moved).
 *
 * <p>Does not guarantee that an event is unique by content: the drainer stores each outbox row
 * once because it deletes the row in the same transaction, not because the table would refuse a
 * copy. The table refuses updates, and deletes outside {@link #purgeBefore}, by itself (trigger).
 */
final class AuditEventStore {

    static final String INSERT = "insert into srm_audit_event (id, site, recorded, search_keys, resource)"
            + " values (?, ?, ?, ?, ?)";

    private final JdbcTemplate jdbc;

    AuditEventStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
    }

    /** Appends the events as one JDBC batch (one round trip). */
    void append(List<StoredAuditEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        jdbc.execute((ConnectionCallback<int[]>) connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT)) {
                for (StoredAuditEvent event : events) {
                    bind(insert, event);
                    insert.addBatch();
                }
                return insert.executeBatch();
            }
        });
    }

    /** Appends one event unless an event with its id is stored already (moving old events twice is harmless). */
    void appendUnlessPresent(StoredAuditEvent event) {
        jdbc.update(INSERT + " on conflict (id) do nothing", insert -> bind(insert, event));
    }

    private static void bind(PreparedStatement insert, StoredAuditEvent event) throws SQLException {
        insert.setString(1, event.id());
        insert.setString(2, event.site());
        insert.setTimestamp(3, Timestamp.from(event.recorded()));
        Array keys = insert.getConnection().createArrayOf("text", event.searchKeys().toArray());
        insert.setArray(4, keys);
        insert.setString(5, event.json());
    }

    /** The JSON of event {@code id} if it exists within {@code reach}. */
    Optional<String> read(String id, AuditReach reach) {
        AuditTrailQuery query = AuditTrailQuery.of(java.util.Map.of("_id", new String[] {id}), reach);
        return jdbc.query("select resource from srm_audit_event where " + query.where(),
                (rs, i) -> rs.getString(1), query.args().toArray()).stream().findFirst();
    }

    /** The newest event's position: pages of one search stay below it, whatever is appended meanwhile. */
    long lastPosition() {
        Long last = jdbc.queryForObject("select max(seq) from srm_audit_event", Long.class);
        return last == null ? 0 : last;
    }

    /** Up to {@code limit} matches at or below {@code through}, skipping {@code offset}, as JSON. */
    List<String> search(AuditTrailQuery query, long through, int offset, int limit) {
        List<Object> args = new ArrayList<>(query.args());
        args.add(through);
        args.add(limit);
        args.add(offset);
        return jdbc.query("select resource from srm_audit_event where " + query.where() + " and seq <= ?"
                + " order by " + query.orderBy() + " limit ? offset ?", (rs, i) -> rs.getString(1), args.toArray());
    }

    int count(AuditTrailQuery query, long through) {
        List<Object> args = new ArrayList<>(query.args());
        args.add(through);
        Integer count = jdbc.queryForObject("select count(*) from srm_audit_event where " + query.where() + " and seq <= ?",
                Integer.class, args.toArray());
        return count == null ? 0 : count;
    }

    /**
     * Deletes up to {@code limit} events recorded before {@code cutoff}, oldest first, in the
     * caller's transaction, which it declares the retention purge (the only deletes the table's
     * trigger lets through). Returns how many it deleted.
     */
    int purgeBefore(Instant cutoff, int limit) {
        jdbc.queryForObject("select set_config('srm.audit_retention', 'purge', true)", String.class);
        return jdbc.update("delete from srm_audit_event where seq in (select seq from srm_audit_event where recorded < ?"
                + " order by recorded limit ?)", Timestamp.from(cutoff), limit);
    }
}
