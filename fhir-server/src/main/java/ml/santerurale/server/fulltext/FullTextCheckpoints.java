package ml.santerurale.server.fulltext;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import ml.santerurale.server.schedule.EveryInterval;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Every interval, commits the full-text index to disk (Hibernate Search's workspace flush) and
 * records as its checkpoint the database snapshot taken at the previous run, one interval
 * earlier: the writes visible in that snapshot committed at least an interval before the flush,
 * and their index changes, applied by the committing request before it answered, are in the
 * commit. The index commits on its own every second too; the checkpoint only tells a restart
 * from where the index may be behind ({@link FullTextCatchUp}).
 *
 * <p>Records nothing until the start-up catch-up is done ({@link #caughtUp()}). A clean stop
 * records one more checkpoint ({@link FullTextCheckpointAtStop}): the snapshot taken when the stop
 * began, once at least {@link #STOP_MARGIN} has passed since and the index was committed, so that
 * a restart re-indexes only what was written while the server stopped (without it, every write of
 * the last two intervals: the sites catalogue after a start and a quick stop, 7 s of a restart).
 *
 * <p>Does not guarantee: that a write whose index change took longer than an interval after
 * its database commit is in the index at the checkpoint (the request thread applies it right
 * after the commit; an interval is seconds; at a clean stop, {@link #STOP_MARGIN}).
 */
final class FullTextCheckpoints extends EveryInterval {

    private final JdbcTemplate jdbc;
    private final Runnable commitIndex;
    private String previousSnapshot;
    /** The snapshot last recorded, and the id of the transaction that recorded it. */
    private String recorded;
    private long ownXid = -1;
    private volatile boolean caughtUp;
    private volatile String snapshotAtStop;
    private volatile long stopBegan;
    private volatile boolean stopped;

    /** How long after the snapshot of a clean stop the index is committed and the snapshot recorded. */
    static final Duration STOP_MARGIN = Duration.ofSeconds(1);
    private static final String SNAPSHOT = "select pg_current_snapshot()::text";

    FullTextCheckpoints(JdbcTemplate jdbc, Runnable commitIndex, Duration interval) {
        super("fulltext-checkpoint-", interval);
        this.jdbc = jdbc;
        this.commitIndex = commitIndex;
    }

    /** From now on checkpoints are recorded: the index has caught up with what a crash may have lost. */
    void caughtUp() {
        caughtUp = true;
    }

    @Override
    protected synchronized void runOnce() {
        if (!caughtUp || stopped) {
            // A checkpoint recorded during the catch-up would claim writes not re-indexed yet;
            // after the one of a clean stop, an older snapshot would undo it.
            return;
        }
        String now = jdbc.queryForObject(SNAPSHOT, String.class);
        commitIndex.run();
        if (!stopped && previousSnapshot != null && (recorded == null || news(recorded, previousSnapshot, ownXid))) {
            record(previousSnapshot);
        }
        previousSnapshot = now;
    }

    /**
     * A clean stop began: the snapshot {@link #recordAtStop} records. Nothing when the start-up
     * catch-up has not finished. Not synchronized: a periodic run waiting for a database that went
     * away must not hold up the stop.
     */
    void stopBegins() {
        if (caughtUp && snapshotAtStop == null) {
            String snapshot = jdbc.queryForObject(SNAPSHOT, String.class);
            stopBegan = System.nanoTime();
            snapshotAtStop = snapshot;
        }
    }

    /**
     * Nothing is written any more (the web server has stopped): commits the index and records the
     * snapshot {@link #stopBegins} took, {@link #STOP_MARGIN} after it at the earliest (the index
     * changes of the writes it sees are applied right after their commit, by their own thread).
     * No checkpoint is recorded after this one. Whether one was recorded.
     */
    boolean recordAtStop() throws InterruptedException {
        stopped = true;
        String snapshot = snapshotAtStop;
        if (snapshot == null) {
            return false;
        }
        long wait = STOP_MARGIN.toNanos() - (System.nanoTime() - stopBegan);
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
        synchronized (this) {
            commitIndex.run();
            record(snapshot);
        }
        return true;
    }

    void record(String snapshot) {
        ownXid = jdbc.queryForObject("insert into srm_fulltext_checkpoint (id, snapshot, recorded_at) values (1, ?::pg_snapshot, now())"
                + " on conflict (id) do update set snapshot = excluded.snapshot, recorded_at = excluded.recorded_at"
                + " returning pg_current_xact_id()::text::bigint", Long.class, snapshot);
        recorded = snapshot;
    }

    /**
     * Whether {@code later} sees a transaction start or finish that {@code earlier} did not, other
     * than the recording transaction {@code own}: an idle server records nothing, and so takes no
     * transaction id of its own either. Snapshots are PostgreSQL's {@code xmin:xmax:xip,...}.
     */
    static boolean news(String earlier, String later, long own) {
        long[] before = xmaxAndRunning(earlier, -1);
        long[] after = xmaxAndRunning(later, own);
        long ownStarted = own >= before[0] && own < after[0] ? 1 : 0;
        return after[0] - before[0] > ownStarted
                || !Arrays.equals(Arrays.copyOfRange(before, 1, before.length),
                        Arrays.copyOfRange(after, 1, after.length));
    }

    /** xmax, then the running transaction ids but {@code except}, sorted. */
    private static long[] xmaxAndRunning(String snapshot, long except) {
        String[] parts = snapshot.split(":", -1);
        LongStream running = parts[2].isEmpty() ? LongStream.empty()
                : Arrays.stream(parts[2].split(",")).mapToLong(Long::parseLong).filter(xid -> xid != except);
        return LongStream.concat(LongStream.of(Long.parseLong(parts[1])), running.sorted())
                .toArray();
    }

    @Override
    protected String failure() {
        return "Committing the full-text index and recording its checkpoint failed";
    }
}
