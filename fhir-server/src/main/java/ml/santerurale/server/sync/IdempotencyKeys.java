package ml.santerurale.server.sync;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Idempotency keys of sync batches in {@code srm_sync_batch}. {@link #record} joins the database
 * transaction of the batch it records.
 */
final class IdempotencyKeys {

    /** {@code response_status} of a key whose response was rebuilt in the batch's transaction, HAPI's own not stored yet. */
    static final int REBUILT = 0;

    private final JdbcTemplate jdbc;

    IdempotencyKeys(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** What the batch that used this key left, if one committed. */
    Optional<Earlier> find(String key) {
        List<Earlier> earlier = jdbc.query("select caller_subject, request_sha256, response_status, response_body"
                        + " from srm_sync_batch where key_system = ? and key_value = ?",
                (rs, i) -> new Earlier(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4)),
                SyncBatch.KEY_SYSTEM, key);
        return earlier.stream().findFirst();
    }

    /**
     * Records the key with the batch's response. If another transaction recorded the same key
     * and has not committed yet, waits for it; if it committed, fails on the unique key and so
     * rolls this batch back.
     */
    void record(String key, String callerSubject, String requestSha256, int status, String responseBody) {
        jdbc.update("insert into srm_sync_batch (key_system, key_value, caller_subject, request_sha256, response_status,"
                + " response_body) values (?, ?, ?, ?, ?, ?)", SyncBatch.KEY_SYSTEM, key, callerSubject, requestSha256, status,
                responseBody);
    }

    /** Replaces the rebuilt response with the one HAPI gave (its own statement, after the commit). */
    void storeResponse(String key, int status, String responseBody) {
        jdbc.update("update srm_sync_batch set response_status = ?, response_body = ? where key_system = ? and key_value = ?",
                status, responseBody, SyncBatch.KEY_SYSTEM, key);
    }

    /** Forgets keys older than the window; returns how many. */
    int purgeOlderThan(Duration window) {
        return jdbc.update("delete from srm_sync_batch where received_at < now() - ?::interval",
                window.toSeconds() + " seconds");
    }

    record Earlier(String callerSubject, String requestSha256, int status, String responseBody) {}
}
