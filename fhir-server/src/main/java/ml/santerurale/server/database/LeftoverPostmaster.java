package ml.santerurale.server.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded PostgreSQL's life bound to the server's:
 * <ul>
 * <li>{@link #stopIfRunning}: before the server starts its own, a postmaster an earlier server left
 * running on the same data directory (that JVM was killed with {@code kill -9}) is stopped with a
 * fast shutdown, and said so in the log. Without this, the new server cannot start its own (port
 * taken) and would talk to an orphan whose log goes nowhere.</li>
 * <li>{@link #stopWhenGone}: a small shell watchdog, outside the JVM, stops the postmaster (fast
 * shutdown) when the JVM disappears without stopping it, within about a second.</li>
 * </ul>
 * A postmaster is recognised by the pid in {@code postmaster.pid} whose command line names this
 * data directory. Does not guarantee anything on systems without {@code /bin/sh} and {@code kill}.
 */
final class LeftoverPostmaster {

    private static final Logger log = LoggerFactory.getLogger(LeftoverPostmaster.class);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    private LeftoverPostmaster() {}

    /** Stops a postmaster still running on {@code dataDirectory}, if any; returns its pid. */
    static Optional<Long> stopIfRunning(Path dataDirectory) {
        Optional<ProcessHandle> leftover = runningPostmaster(dataDirectory);
        if (leftover.isEmpty()) {
            return Optional.empty();
        }
        ProcessHandle postmaster = leftover.get();
        log.warn("A PostgreSQL left running by an earlier server on {} (pid {}) is stopped before starting ours",
                dataDirectory.toAbsolutePath(), postmaster.pid());
        signal("INT", postmaster.pid());
        try {
            postmaster.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception notYet) {
            log.warn("PostgreSQL pid {} did not stop within {} s after a fast shutdown: killed", postmaster.pid(),
                    STOP_WAIT.toSeconds());
            postmaster.destroyForcibly();
            postmaster.onExit().join();
        }
        return Optional.of(postmaster.pid());
    }

    /** Starts the watchdog that stops {@code dataDirectory}'s postmaster once {@code guarded} is gone. */
    static Optional<Process> stopWhenGone(long guarded, Path dataDirectory) {
        Optional<ProcessHandle> postmaster = runningPostmaster(dataDirectory);
        if (postmaster.isEmpty()) {
            return Optional.empty();
        }
        Path pidFile = dataDirectory.toAbsolutePath().resolve("postmaster.pid");
        long pid = postmaster.get().pid();
        // Stops the postmaster only if the pid file still names it (after a clean stop it is gone).
        String script = "while kill -0 " + guarded + " 2>/dev/null && kill -0 " + pid + " 2>/dev/null; do sleep 1; done; "
                + "if [ \"$(head -n 1 \"$1\" 2>/dev/null)\" = \"" + pid + "\" ]; then kill -INT " + pid + "; fi";
        try {
            Process watchdog = new ProcessBuilder(List.of("/bin/sh", "-c", script, "srm-postgres-watchdog", pidFile.toString()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return Optional.of(watchdog);
        } catch (IOException e) {
            log.warn("No watchdog for the embedded PostgreSQL (pid {}): it would outlive a killed server", pid, e);
            return Optional.empty();
        }
    }

    /** The live process named by {@code postmaster.pid} whose command line names this data directory. */
    static Optional<ProcessHandle> runningPostmaster(Path dataDirectory) {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        long pid;
        try {
            if (!Files.isRegularFile(pidFile)) {
                return Optional.empty();
            }
            pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> namesDirectory(p, dataDirectory));
    }

    private static boolean namesDirectory(ProcessHandle process, Path dataDirectory) {
        String directory = dataDirectory.toAbsolutePath().normalize().toString();
        try {
            // /proc gives the full command line even when ProcessHandle.Info does not.
            String commandLine = Files.readString(Path.of("/proc", Long.toString(process.pid()), "cmdline")).replace('\0', ' ');
            return commandLine.contains("postgres") && commandLine.contains(directory);
        } catch (IOException | RuntimeException e) {
            return process.info().commandLine().map(c -> c.contains("postgres") && c.contains(directory)).orElse(false);
        }
    }

    private static void signal(String signal, long pid) {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            log.warn("Could not signal pid {}", pid, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
