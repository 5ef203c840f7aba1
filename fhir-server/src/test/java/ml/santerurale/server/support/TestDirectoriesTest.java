package ml.santerurale.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A test's data directory is deleted at exit, but never while a PostgreSQL still runs in it. */
class TestDirectoriesTest {

    @Test
    void aDirectoryWithoutARunningPostmasterIsDeletedAtOnceEvenWithAStalePidFile() throws IOException {
        Path directory = TestDirectories.create("srm-directories-");
        Path data = Files.createDirectories(directory.resolve("postgres"));
        // A pid no process has (above Linux's pid_max): a PostgreSQL that crashed left its pid file.
        Files.writeString(data.resolve("postmaster.pid"), "99999999\n" + data + "\n");
        Files.writeString(data.resolve("PG_VERSION"), "16\n");

        assertThat(TestDirectories.deleteOnceStopped(directory, System.nanoTime())).isTrue();
        assertThat(directory).doesNotExist();
    }

    @Test
    void aDirectoryIsDeletedOnlyOnceThePostmasterItNamesHasStopped() throws Exception {
        Path directory = TestDirectories.create("srm-directories-");
        Path data = Files.createDirectories(directory.resolve("postgres"));
        Process postmaster = new ProcessBuilder("sleep", "60").start();
        try {
            Files.writeString(data.resolve("postmaster.pid"), postmaster.pid() + "\n" + data + "\n");
            assertThat(TestDirectories.runningPostmaster(directory)).contains(postmaster.pid());

            long shortDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            assertThat(TestDirectories.deleteOnceStopped(directory, shortDeadline)).as("still running").isFalse();
            assertThat(data.resolve("postmaster.pid")).exists();

            postmaster.destroy();
            postmaster.waitFor(10, TimeUnit.SECONDS);
            assertThat(TestDirectories.deleteOnceStopped(directory, System.nanoTime() + TimeUnit.SECONDS.toNanos(10))).isTrue();
            assertThat(directory).doesNotExist();
        } finally {
            postmaster.destroyForcibly();
        }
    }
}
