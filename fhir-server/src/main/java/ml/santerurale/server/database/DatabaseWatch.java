package ml.santerurale.server.database;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;

/**
 * Whether the database answers, known within about one probe interval: one connection of its
 * own (outside the pool, short connect and socket timeouts) checked every interval, reopened when
 * lost. Readiness reads it (the pool's own check would wait for the pool's connection timeout,
 * 30 s), and {@link DatabaseAwayGate} answers 503 at once while it says the database is away.
 * When the database goes away, the pool's connections are evicted so that none is handed out
 * dead when it is back, and {@link FailFastDataSource} refuses connections at once (freeing the
 * threads already waiting) until the pool hands out a working one again: background work fails
 * fast instead of waiting the pool's 30 s. After every unanswered probe it runs {@code whileAway}
 * (the embedded database starts PostgreSQL again if its postmaster is gone).
 *
 * <p>Does not guarantee that the next statement succeeds when it says "available" (the database
 * may go in between: such a statement fails and is answered 503 by the error guard), nor that
 * it notices an outage shorter than the interval.
 */
final class DatabaseWatch implements HealthIndicator, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DatabaseWatch.class);

    private final HikariDataSource pool;
    private final Duration interval;
    private final FailFastDataSource gate;
    private final Runnable whileAway;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "database-watch");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean available = true;
    private volatile long awaySince;
    private Connection probe;

    DatabaseWatch(HikariDataSource pool, FailFastDataSource gate, Duration interval, Runnable whileAway) {
        this.pool = pool;
        this.gate = gate;
        this.interval = interval;
        this.whileAway = whileAway;
    }

    void start() {
        scheduler.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    boolean available() {
        return available;
    }

    @Override
    public Health health() {
        return available ? Health.up().build() : Health.down().build();
    }

    /** One probe; the scheduler's only thread calls it. */
    void check() {
        boolean answered;
        try {
            if (probe == null) {
                probe = connect();
            }
            answered = probe.isValid(timeoutSeconds());
        } catch (SQLException | RuntimeException e) {
            answered = false;
        }
        if (available && !answered) {
            awaySince = System.nanoTime();
            available = false;
            gate.away();
            log.error("The database does not answer: requests are answered 503 until it is back");
            try {
                pool.getHikariPoolMXBean().softEvictConnections();
            } catch (RuntimeException e) {
                log.debug("Could not evict the pool's connections", e);
            }
        }
        if (!answered) {
            closeProbe();
            try {
                whileAway.run();
            } catch (RuntimeException e) {
                log.error("Could not bring the database back", e);
            }
        } else if (!available) {
            // Back only once the pool itself (not the refusing gate) hands out a working connection again.
            try (Connection pooled = pool.getConnection()) {
                if (!pooled.isValid(timeoutSeconds())) {
                    return;
                }
            } catch (SQLException | RuntimeException notYet) {
                log.info("The database answers, the pool not yet: {}", notYet.getMessage());
                return;
            }
            gate.back();
            available = true;
            log.info("The database answers again after {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - awaySince));
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (pool.getUsername() != null) {
            properties.setProperty("user", pool.getUsername());
        }
        if (pool.getPassword() != null) {
            properties.setProperty("password", pool.getPassword());
        }
        // PostgreSQL's driver: seconds.
        properties.setProperty("connectTimeout", String.valueOf(timeoutSeconds()));
        properties.setProperty("socketTimeout", String.valueOf(timeoutSeconds() + 1));
        properties.setProperty("loginTimeout", String.valueOf(timeoutSeconds() + 1));
        properties.setProperty("ApplicationName", "srm-database-watch");
        return DriverManager.getConnection(pool.getJdbcUrl(), properties);
    }

    private int timeoutSeconds() {
        return (int) Math.max(1, interval.toSeconds());
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // already broken
            }
            probe = null;
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeProbe();
    }
}
