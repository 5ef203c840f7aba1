package ml.santerurale.server.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.support.TestDirectories;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL does not outlive its server: a postmaster left running on the data
 * directory is stopped before a new server starts its own, and a watchdog stops it when the
 * process it guards disappears (a server killed with {@code kill -9}). Real PostgreSQL 16
 * (zonky's binaries), no Spring.
 */
class LeftoverPostmasterTest {

    @Test
    void aPostmasterLeftRunningOnTheDataDirectoryIsStoppedAndNothingElseIs() throws Exception {
        Path data = TestDirectories.create("srm-leftover-").resolve("postgres");
        Path elsewhere = TestDirectories.create("srm-other-").resolve("postgres");
        EmbeddedPostgres leftover = start(data);
        EmbeddedPostgres other = start(elsewhere);
        try {
            ProcessHandle postmaster = LeftoverPostmaster.runningPostmaster(data).orElseThrow();
            ProcessHandle otherPostmaster = LeftoverPostmaster.runningPostmaster(elsewhere).orElseThrow();

            assertThat(LeftoverPostmaster.stopIfRunning(data)).hasValue(postmaster.pid());

            assertThat(postmaster.isAlive()).isFalse();
            assertThat(otherPostmaster.isAlive()).as("another data directory's PostgreSQL is left alone").isTrue();
            assertThat(LeftoverPostmaster.runningPostmaster(data)).isEmpty();
            assertThat(LeftoverPostmaster.stopIfRunning(data)).as("nothing left to stop").isEmpty();
            // A new server starts its own on the same directory (once the dead server's file lock
            // is gone, as the kernel releases it when a killed JVM's process ends).
            closeQuietly(leftover);
            EmbeddedPostgres next = start(data);
            assertThat(LeftoverPostmaster.runningPostmaster(data)).isPresent();
            closeQuietly(next);
        } finally {
            closeQuietly(leftover);
            closeQuietly(other);
        }
    }

    @Test
    void theWatchdogStopsThePostmasterOnceTheProcessItGuardsIsGoneAndNotBefore() throws Exception {
        Path data = TestDirectories.create("srm-watchdog-").resolve("postgres");
        Process server = new ProcessBuilder("sleep", "600").start();
        EmbeddedPostgres postgres = start(data);
        try {
            ProcessHandle postmaster = LeftoverPostmaster.runningPostmaster(data).orElseThrow();
            Optional<Process> watchdog = LeftoverPostmaster.stopWhenGone(server.pid(), data);
            assertThat(watchdog).isPresent();

            Thread.sleep(2_000);
            assertThat(postmaster.isAlive()).as("stays up while the guarded process lives").isTrue();

            server.destroyForcibly().waitFor();
            long t0 = System.nanoTime();
            assertThat(postmaster.onExit().get(15, TimeUnit.SECONDS).isAlive()).isFalse();
            System.out.printf("[watchdog] postmaster stopped %.1f s after the guarded process died%n", (System.nanoTime() - t0) / 1e9);
            assertThat(watchdog.get().waitFor(5, TimeUnit.SECONDS)).as("the watchdog ends too").isTrue();
        } finally {
            server.destroyForcibly();
            closeQuietly(postgres);
        }
    }

    @Test
    void aWatchdogWhosePostmasterStoppedCleanlySignalsNothing() throws Exception {
        Path data = TestDirectories.create("srm-clean-").resolve("postgres");
        Process server = new ProcessBuilder("sleep", "600").start();
        Optional<Process> watchdog;
        try (EmbeddedPostgres postgres = start(data)) {
            watchdog = LeftoverPostmaster.stopWhenGone(server.pid(), data);
        }
        // Stopped cleanly: the watchdog notices and ends without waiting for the guarded process.
        assertThat(watchdog.orElseThrow().waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.exists(data.resolve("postmaster.pid"))).isFalse();
        server.destroyForcibly();
    }

    /** zonky's close of a server stopped behind its back fails; there is nothing left to clean. */
    private static void closeQuietly(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (Exception alreadyStopped) {
            // expected for a stopped server
        }
    }

    private static EmbeddedPostgres start(Path data) throws java.io.IOException {
        Files.createDirectories(data);
        return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
    }
}
