package ml.santerurale.server.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.springframework.util.FileSystemUtils;

/**
 * Temporary directories of tests that run a server (embedded PostgreSQL with its WAL archive and
 * base backups, Lucene: up to 1.2 GB each), deleted when the test JVM exits. Before this, every
 * {@code mvn verify} left them in the temporary directory until the disk was full.
 *
 * <p>The embedded PostgreSQL of a Spring context is stopped by Spring's own shutdown hook, which
 * runs at the same time as this one: a directory is deleted once no {@code postmaster.pid} in it
 * names a live process, waiting at most {@link #WAIT_FOR_POSTGRES}. A directory whose PostgreSQL is
 * still running after that is left in place (never deleted under a running server).
 */
public final class TestDirectories {

    static final Duration WAIT_FOR_POSTGRES = Duration.ofSeconds(20);

    private static final Set<Path> CREATED = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestDirectories::deleteAll, "delete test directories"));
    }

    private TestDirectories() {}

    /** A new directory under the system's temporary directory, deleted when this JVM exits. */
    public static Path create(String prefix) throws IOException {
        Path directory = Files.createTempDirectory(prefix);
        CREATED.add(directory);
        return directory;
    }

    private static void deleteAll() {
        long deadline = System.nanoTime() + WAIT_FOR_POSTGRES.toNanos();
        for (Path directory : CREATED) {
            deleteOnceStopped(directory, deadline);
        }
    }

    /** Deletes {@code directory} once no PostgreSQL runs in it; false if one still ran at {@code deadline}. */
    static boolean deleteOnceStopped(Path directory, long deadline) {
        while (runningPostmaster(directory).isPresent()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        try {
            return FileSystemUtils.deleteRecursively(directory);
        } catch (IOException e) {
            return false;
        }
    }

    /** The pid of a live process named by a {@code postmaster.pid} up to three levels down. */
    static Optional<Long> runningPostmaster(Path directory) {
        try (Stream<Path> files = Files.find(directory, 3, (path, attributes) -> attributes.isRegularFile()
                && path.getFileName().toString().equals("postmaster.pid"))) {
            for (Path pidFile : files.toList()) {
                Optional<Long> pid = firstLinePid(pidFile);
                if (pid.isPresent() && ProcessHandle.of(pid.get()).map(ProcessHandle::isAlive).orElse(false)) {
                    return pid;
                }
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            // Gone while being walked, or unreadable: nothing known to run there.
            return Optional.empty();
        }
    }

    private static Optional<Long> firstLinePid(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile);
            return lines.isEmpty() ? Optional.empty() : Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
