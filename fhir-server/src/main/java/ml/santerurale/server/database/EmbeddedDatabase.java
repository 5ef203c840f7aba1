package ml.santerurale.server.database;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL 16 (zonky's binaries from Maven Central): started on its kept data
 * directory (fsync on: these are patient records), bound to this JVM's life
 * ({@link LeftoverPostmaster}), and started again on the same directory and port when its
 * postmaster has been gone for {@code srm.database.embedded.restart-after} while the server runs
 * (a crash, a stop behind the server's back), so the pool's URL stays right.
 *
 * <p>Does not guarantee that PostgreSQL starts again (a full disk, a damaged directory): the
 * watch keeps trying and the server keeps answering 503 meanwhile.
 */
final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final Path dataDirectory;
    private final Duration restartAfter;
    private final int port;
    private final List<EmbeddedServerSettings> settings;
    private long goneSince = -1;
    private EmbeddedPostgres postgres;

    EmbeddedDatabase(DatabaseProperties.Embedded embedded, List<EmbeddedServerSettings> settings) {
        this.dataDirectory = embedded.dataDirectory();
        this.restartAfter = embedded.restartAfter();
        this.settings = List.copyOf(settings);
        this.postgres = start(embedded.port());
        this.port = postgres.getPort();
        log.info("Embedded PostgreSQL listening on port {} with data in {}", port, dataDirectory.toAbsolutePath());
    }

    String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** Starts PostgreSQL again if its postmaster has been gone for {@code restartAfter}; true when it did. */
    synchronized boolean restartIfGone() {
        if (LeftoverPostmaster.runningPostmaster(dataDirectory).isPresent()) {
            goneSince = -1;
            return false;
        }
        long now = System.nanoTime();
        if (goneSince < 0) {
            goneSince = now;
        }
        if (now - goneSince < restartAfter.toNanos()) {
            return false;
        }
        goneSince = -1;
        log.warn("The embedded PostgreSQL on {} is gone: starting it again on port {}", dataDirectory.toAbsolutePath(), port);
        try {
            postgres.close();
        } catch (IOException | RuntimeException stoppedAlready) {
            log.debug("Closing the stopped PostgreSQL", stoppedAlready);
        }
        postgres = start(port);
        log.info("Embedded PostgreSQL started again on port {}", port);
        return true;
    }

    private EmbeddedPostgres start(int requestedPort) {
        try {
            Files.createDirectories(dataDirectory);
            LeftoverPostmaster.stopIfRunning(dataDirectory);
            var builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setServerConfig("max_connections", "100")
                    // zonky defaults to a test database (fsync off); these are patient records.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .setServerConfig("timezone", "UTC")
                    .setDataDirectoryCustomizer(directory -> applySettings(directory.toPath()))
                    // Stopped by close(), when Spring closes the context: zonky's own JVM shutdown
                    // hook stopped it on SIGTERM while the graceful shutdown still served requests
                    // (and the context's last writes: the full-text checkpoint, the audit outbox).
                    .setRegisterShutdownHook(false);
            if (requestedPort > 0) {
                builder.setPort(requestedPort);
            }
            EmbeddedPostgres started = builder.start();
            // Dies with this JVM even when it is killed (kill -9 runs no shutdown hook).
            LeftoverPostmaster.stopWhenGone(ProcessHandle.current().pid(), dataDirectory);
            return started;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start the embedded PostgreSQL in " + dataDirectory.toAbsolutePath(), e);
        }
    }

    private void applySettings(Path directory) {
        for (EmbeddedServerSettings setting : settings) {
            try {
                setting.beforeStart(directory);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write the embedded PostgreSQL's settings in " + directory, e);
            }
        }
    }

    @Override
    public synchronized void close() throws IOException {
        postgres.close();
    }
}
