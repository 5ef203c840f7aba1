package ml.santerurale.server.drills;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.FhirServerApplication;
import ml.santerurale.server.support.StandaloneServer;

/**
 * The FHIR server as a process of its own (a JVM on this JVM's class path), so that a drill can
 * {@code kill -9} it and start it again on the same data directory and ports. Its log goes to
 * {@code server-<n>.log} in the data directory.
 *
 * <p>Does not guarantee that the ports chosen at construction are still free at a later start
 * (another program may take them meanwhile), nor clean up a postmaster it did not start.
 */
final class ServerProcess {

    private final Path data;
    private final int httpPort;
    private final int databasePort;
    private final List<String> extraArguments;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private int starts;

    ServerProcess(Path data, String... extraArguments) {
        this.data = data;
        this.httpPort = freePort();
        this.databasePort = freePort();
        this.extraArguments = List.of(extraArguments);
    }

    String fhirBase() {
        return "http://127.0.0.1:" + httpPort + "/fhir";
    }

    String actuator(String path) {
        return "http://127.0.0.1:" + httpPort + "/actuator/" + path;
    }

    /** The embedded PostgreSQL, as its superuser (the drill's own changes to it). */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + databasePort + "/postgres";
    }

    Path data() {
        return data;
    }

    /** Starts the server and waits until readiness answers 200; returns the seconds it took. */
    double startAndAwaitReady(Duration limit) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // README's JVM defaults (scripts/fhir-server.sh); C1 only: a quicker start on a
                // shared 2-core machine, and the drill measures what survives, not throughput.
                "-Xms256m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classPath(), FhirServerApplication.class.getName()));
        command.addAll(StandaloneServer.arguments(data, httpPort, databasePort));
        command.add("--server.address=127.0.0.1");
        command.addAll(extraArguments);
        Path log = data.resolve("server-" + (++starts) + ".log");
        Files.createDirectories(data);
        long t0 = System.nanoTime();
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        while (readiness() != 200) {
            if (!process.isAlive()) {
                throw new IllegalStateException("The server exited (" + process.exitValue() + ") before it was ready; log: " + log);
            }
            if (System.nanoTime() - t0 > limit.toNanos()) {
                throw new IllegalStateException("The server was not ready after " + limit + "; log: " + log);
            }
            Thread.sleep(200);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The readiness probe's status, or 0 when nothing answers. */
    int readiness() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(actuator("health/readiness"))).timeout(Duration.ofSeconds(2))
                    .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    long pid() {
        return process.pid();
    }

    /** The running postmaster's pid, from its lock file, if it is alive. */
    Optional<ProcessHandle> postmaster() {
        Path lock = data.resolve("postgres/postmaster.pid");
        try {
            if (!Files.exists(lock)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readAllLines(lock).get(0).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    /** {@code kill -9} of the server's JVM; returns once it is gone. */
    void killJvm() throws IOException, InterruptedException {
        signal("-KILL", process.pid());
        process.waitFor(30, TimeUnit.SECONDS);
    }

    static void signal(String signal, long pid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", signal, Long.toString(pid)).inheritIO().start().waitFor();
    }

    /** SIGTERM, as an operator's stop; SIGKILL after {@code limit}. Returns the seconds the stop took. */
    double stop(Duration limit) throws IOException, InterruptedException {
        if (process == null || !process.isAlive()) {
            return 0;
        }
        long t0 = System.nanoTime();
        signal("-TERM", process.pid());
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            killJvm();
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The latest log, whole. */
    String log() throws IOException {
        return Files.readString(data.resolve("server-" + starts + ".log"));
    }

    /** The last lines of the latest log, for a failure's report. */
    String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(data.resolve("server-" + starts + ".log"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | RuntimeException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Surefire hands its fork the class path in this property (java.class.path may be its booter jar). */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
