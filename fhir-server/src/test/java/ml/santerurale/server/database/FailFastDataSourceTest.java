package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.Proxy;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.AbstractDataSource;

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
        Waiter waiter = Waiter.start(gate);

        long t0 = System.nanoTime();
        gate.away();
        waiter.thread.join(10_000);

        assertThat(waiter.thread.isAlive()).as("freed from the pool's 30 s wait").isFalse();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(10);
        assertThat(waiter.failure.get()).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("The database is away");
        assertThat(waiter.interruptedAfter.get(1, TimeUnit.SECONDS))
                .as("the interrupt that freed it is not left to the caller").isFalse();
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
    void aConnectionHandedOutJustAsTheDatabaseGoesAwayIsGivenBackAndRefused() {
        AtomicBoolean closed = new AtomicBoolean();
        AtomicReference<FailFastDataSource> gateOfPool = new AtomicReference<>();
        // A pool that hands out a connection in the instant the watch says "away" (a race the
        // real pool cannot be made to lose on demand); the connection only records its close.
        DataSource racing = new AbstractDataSource() {
            @Override
            public Connection getConnection() {
                gateOfPool.get().away();
                return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                        (proxy, method, args) -> {
                            if ("close".equals(method.getName())) {
                                closed.set(true);
                            }
                            return null;
                        });
            }

            @Override
            public Connection getConnection(String username, String password) {
                return getConnection();
            }
        };
        FailFastDataSource racingGate = new FailFastDataSource(racing);
        gateOfPool.set(racingGate);

        assertThatThrownBy(racingGate::getConnection).isInstanceOf(SQLTransientConnectionException.class)
                .hasMessageContaining("The database is away");
        assertThat(closed).as("handed back to the pool").isTrue();
        assertThat(Thread.interrupted()).as("the interrupt away() sent the caller is cleared").isFalse();
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
        Waiter waiter = Waiter.start(gate);

        waiter.thread.interrupt();

        assertThat(waiter.interruptedAfter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(waiter.failure.get()).as("the pool's own failure, not a refusal of ours").isInstanceOf(SQLException.class)
                .hasMessageNotContaining("The database is away");
    }

    /** A thread asking the gate for a connection, started and seen waiting in the pool. */
    private record Waiter(Thread thread, AtomicReference<Throwable> failure, CompletableFuture<Boolean> interruptedAfter) {

        static Waiter start(FailFastDataSource gate) throws InterruptedException {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    gate.getConnection().close();
                } catch (Throwable e) {
                    failure.set(e);
                }
                interruptedAfter.complete(Thread.currentThread().isInterrupted());
            }, "waiter");
            thread.start();
            awaitWaiting(thread);
            return new Waiter(thread, failure, interruptedAfter);
        }
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
