package ml.santerurale.server.database;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * The application's data source: the connection pool, except that while {@link DatabaseWatch}
 * says the database is away a connection is refused at once with a
 * {@link SQLTransientConnectionException} (answered 503 by the error guard, retried by background
 * work at its next interval) instead of after the pool's connection timeout (30 s). Threads
 * already waiting for a connection when the watch says "away" are interrupted out of the wait and
 * get the same refusal; the interrupt this class caused is cleared before they go on.
 *
 * <p>Without it a job of HAPI's scheduler that asked for a connection as the database went away
 * held a stop for up to 30 s (HikariCP 6 reads its connection timeout once, when the pool is made,
 * so lowering it on the running pool does nothing).
 *
 * <p>Does not shorten a statement already running on a connection (the driver's socket fails it
 * when the database goes), nor refuse during the interval before the watch notices an outage. An
 * interrupt sent to a waiting thread by someone else is left to that thread, as the pool leaves it.
 */
final class FailFastDataSource extends DelegatingDataSource {

    private static final String AWAY = "The database is away (its watch is not answered); no connection is handed out until it is back";

    /** Threads inside the pool's getConnection; TRUE once this class has interrupted them. */
    private final ConcurrentHashMap<Thread, Boolean> waiting = new ConcurrentHashMap<>();
    private volatile boolean away;

    FailFastDataSource(DataSource pool) {
        super(pool);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return refusingWhileAway(() -> obtainTargetDataSource().getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return refusingWhileAway(() -> obtainTargetDataSource().getConnection(username, password));
    }

    /** The watch saw the database go: refuse from now on, and free the threads waiting now. */
    void away() {
        away = true;
        for (Thread thread : waiting.keySet()) {
            // Atomic with the waiter's own removal: a thread that already left is not interrupted.
            waiting.computeIfPresent(thread, (t, interrupted) -> {
                t.interrupt();
                return Boolean.TRUE;
            });
        }
    }

    /** The watch saw the pool hand out a working connection again. */
    void back() {
        away = false;
    }

    boolean refusing() {
        return away;
    }

    private Connection refusingWhileAway(ConnectionSource source) throws SQLException {
        Thread me = Thread.currentThread();
        // Registered before the check: away() sets its flag before it looks at the waiters, so a
        // thread either sees the flag here or is seen (and interrupted) there, never neither.
        waiting.put(me, Boolean.FALSE);
        try {
            if (away) {
                throw new SQLTransientConnectionException(AWAY);
            }
            Connection connection = source.get();
            if (away) {
                // Handed out as the watch said "away": hand it back rather than use a dying connection.
                connection.close();
                throw new SQLTransientConnectionException(AWAY);
            }
            return connection;
        } catch (SQLException e) {
            if (away && !(e instanceof SQLTransientConnectionException)) {
                throw new SQLTransientConnectionException(AWAY, e);
            }
            throw e;
        } finally {
            if (Boolean.TRUE.equals(waiting.remove(me))) {
                // Ours, not the caller's: its next blocking call must not fail for it.
                Thread.interrupted();
            }
        }
    }

    @FunctionalInterface
    private interface ConnectionSource {
        Connection get() throws SQLException;
    }
}
