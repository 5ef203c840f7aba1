package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.net.ServerSocket;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A real pool and driver pointed at a port where no database listens: the outage as the pool sees it. */
class FailFastDataSourceTest {

    private final HikariDataSource pool = pool(30_000);
    private final FailFastDataSource gate = new FailFastDataSource(pool);

    @AfterEach
    void close() {
        pool.close();
    }

    @Test
    void aThreadAlreadyWaitingForAConnectionWhenTheDatabaseGoesAwayIsRefusedAtOnceAndKeepsNoInterrupt() throws Exception {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<Boolean> interruptedAfter = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                gate.getConnection().close();
            } catch (Throwable e) {
                failure.set(e);
            }
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        }, "waiter");
        waiter.start();
        awaitWaiting(waiter);

        long t0 = System.nanoTime();
        gate.away();
        waiter.join(10_000);

        assertThat(waiter.isAlive()).as("freed from the pool's 30 s wait").isFalse();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
        assertThat(failure.get()).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("The database is away");
        assertThat(interruptedAfter.get()).as("the interrupt that freed it is not left to the caller").isFalse();
    }

    @Test
    void whileAwayAConnectionIsRefusedWithoutWaitingForThePool() {
        gate.away();
        long t0 = System.nanoTime();

        assertThatThrownBy(gate::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("The database is away");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).as("not the pool's 30 s").isLessThan(10);
        assertThat(gate.refusing()).isTrue();
    }

    @Test
    void onceBackConnectionsAreAskedOfThePoolAgain() throws Exception {
        try (HikariDataSource quick = pool(400)) {
            FailFastDataSource quickGate = new FailFastDataSource(quick);
            quickGate.away();
            quickGate.back();

            assertThat(quickGate.refusing()).isFalse();
            assertThatThrownBy(quickGate::getConnection).as("the pool's own timeout, not a refusal")
                    .isInstanceOf(SQLTransientConnectionException.class)
                    .hasMessageContaining("Connection is not available")
                    .hasMessageNotContaining("The database is away");
        }
    }

    @Test
    void anInterruptFromSomeoneElseIsLeftToTheThreadAsThePoolLeavesIt() throws Exception {
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                gate.getConnection().close();
            } catch (Throwable e) {
                failure.set(e);
            }
            interruptedAfter.complete(Thread.currentThread().isInterrupted());
        }, "waiter");
        waiter.start();
        awaitWaiting(waiter);

        waiter.interrupt();

        assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).hasMessageContaining("Interrupted during connection acquisition")
                .hasMessageNotContaining("The database is away");
    }

    private static void awaitWaiting(Thread thread) throws InterruptedException {
        for (int i = 0; i < 200 && thread.getState() != Thread.State.TIMED_WAITING; i++) {
            Thread.sleep(10);
        }
        assertThat(thread.getState()).as("waiting in the pool").isEqualTo(Thread.State.TIMED_WAITING);
    }

    private static HikariDataSource pool(long connectionTimeoutMillis) {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        HikariDataSource pool = new HikariDataSource();
        pool.setPoolName("fail-fast-test");
        pool.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + port + "/nowhere");
        pool.setUsername("postgres");
        pool.setConnectionTimeout(connectionTimeoutMillis);
        pool.setInitializationFailTimeout(-1);
        return pool;
    }
}
