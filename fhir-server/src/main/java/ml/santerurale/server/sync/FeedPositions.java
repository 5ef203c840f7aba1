package ml.santerurale.server.sync;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import ml.santerurale.server.schedule.EveryInterval;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Records a position of the change feed (an instant and the database snapshot taken with it) every
 * interval, but only once some transaction has taken an id since the previous one: an idle server
 * records nothing. A {@code _since} the server did not hand out (a client keeping its own
 * timestamps) maps to the newest position at or before it ({@link ChangeFeed#start}), so its
 * answer repeats at most the versions committed within about one interval before that instant,
 * plus those of transactions still open at that position, instead of every version since the
 * last instant handed out.
 *
 * <p>Positions older than the thinning age are thinned to the first of each hour, so the table
 * stays small and an old instant repeats at most about an hour. Instants handed out to clients are
 * never thinned: their {@code _since} keeps resuming exactly.
 *
 * <p>Does not guarantee a position every interval (a busy database or a stopped server records
 * none; missing positions only widen the overlap, never skip a version), nor any position before
 * the server first ran.
 */
final class FeedPositions extends EveryInterval {

    private static final Logger log = LoggerFactory.getLogger(FeedPositions.class);

    /**
     * One statement: the snapshot is the statement's, taken before the instant is read (as the
     * feed's own watermark). The recording transaction's id is kept, so that the next run can tell
     * whether any other transaction has taken an id since (a read-only transaction takes none).
     */
    private static final String RECORD = "insert into srm_sync_watermark (issued_at, horizon, snapshot, tick_xid)"
            + " select date_trunc('milliseconds', clock_timestamp()), pg_snapshot_xmin(s), s, pg_current_xact_id()"
            + " from pg_current_snapshot() s where pg_snapshot_xmax(s)::text::bigint > coalesce((select tick_xid::text::bigint + 1"
            + " from srm_sync_watermark where tick_xid is not null order by issued_at desc limit 1), 0)"
            + " on conflict (issued_at) do nothing";
    /** Positions recorded by the server, older than the cut-off, that are not their hour's first position. */
    private static final String THIN = "delete from srm_sync_watermark w where w.tick_xid is not null and w.issued_at < ?"
            + " and exists (select 1 from srm_sync_watermark e where e.tick_xid is not null"
            + " and e.issued_at >= date_trunc('hour', w.issued_at) and e.issued_at < w.issued_at)";

    private final JdbcTemplate jdbc;
    private final Duration thinAfter;
    private Instant lastThinned = Instant.EPOCH;

    FeedPositions(JdbcTemplate jdbc, Duration interval, Duration thinAfter) {
        super("sync-positions-", interval);
        this.jdbc = jdbc;
        this.thinAfter = thinAfter;
    }

    /** Records a position if anything took a transaction id since the last one; whether it did. */
    boolean record() {
        return jdbc.update(RECORD) > 0;
    }

    /** Thins positions older than the thinning age to the first of each hour; how many were removed. */
    int thin() {
        int removed = jdbc.update(THIN, Timestamp.from(Instant.now().minus(thinAfter)));
        if (removed > 0) {
            log.info("Thinned {} change-feed position(s) older than {} to one an hour", removed, thinAfter);
        }
        return removed;
    }

    @Override
    protected void runOnce() {
        record();
        Instant now = Instant.now();
        if (lastThinned.plus(Duration.ofHours(1)).isBefore(now)) {
            thin();
            lastThinned = now;
        }
    }

    @Override
    protected String failure() {
        return "Recording a change-feed position failed";
    }
}
