package ml.santerurale.server.support;

import com.nimbusds.jose.util.JSONArrayUtils;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The real Keycloak (realm {@code sante-mali} with the demo users) that the login-path tests run
 * against: one per test JVM, started with {@code scripts/keycloak.sh start --dev} on a free
 * loopback port, in a fresh data directory under {@code fhir-server/target/keycloak-test-data},
 * and stopped with {@code scripts/keycloak.sh stop} by a JVM shutdown hook.
 *
 * <p>The start is asynchronous and begins at the first {@link #get()}, which
 * {@link ServerIntegrationTest}'s {@code @DynamicPropertySource} calls, so Keycloak boots while the
 * Spring context does. Tests that need it call {@link #awaitReady(Duration)} first; tests that do
 * not never wait for it. Keycloak runs on Temurin 25 ({@code SRM_KEYCLOAK_JAVA_HOME} overrides):
 * without it the tests that need Keycloak fail, they are not skipped.
 */
public final class TestKeycloak {

    public static final String REALM = "sante-mali";

    private static final String ADMIN_USERNAME = "srm-test-admin";
    private static final String DEFAULT_JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64";
    private static final int DEV_PORT = 8180;

    private static final TestKeycloak INSTANCE = new TestKeycloak();

    private final Path repository;
    private final Path script;
    private final Path data;
    private final int port;
    private final int managementPort;
    private final String adminPassword = "test-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final CompletableFuture<Duration> ready = new CompletableFuture<>();
    private final Object lock = new Object();
    private Process starter;
    private boolean stopping;
    private volatile boolean waitReported;

    private TestKeycloak() {
        repository = findRepository();
        script = repository.resolve("scripts/keycloak.sh");
        data = repository.resolve("fhir-server/target/keycloak-test-data").resolve("jvm-" + ProcessHandle.current().pid());
        port = freeLoopbackPort(-1);
        managementPort = freeLoopbackPort(port);
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "test-keycloak-stop"));
        Thread boot = new Thread(this::boot, "test-keycloak-start");
        boot.setDaemon(true);
        boot.start();
    }

    /** The Keycloak of this JVM; its start begins at the first call. */
    public static TestKeycloak get() {
        return INSTANCE;
    }

    /** The realm's issuer, exactly as it appears in {@code iss} (the script sets {@code --hostname}). */
    public String issuer() {
        return baseUrl() + "/realms/" + REALM;
    }

    /** The realm's OpenID Connect endpoints: {@code <issuer>/protocol/openid-connect}. */
    public String oidcEndpoints() {
        return issuer() + "/protocol/openid-connect";
    }

    public String baseUrl() {
        return "http://localhost:" + port;
    }

    /**
     * Blocks until the realm answers (the start command succeeded and the discovery document
     * names {@link #issuer()}), or fails the calling test with the tail of Keycloak's log.
     */
    public void awaitReady(Duration timeout) {
        long t0 = System.nanoTime();
        try {
            ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!waitReported) {
                waitReported = true;
                System.out.printf("[TestKeycloak] first awaitReady waited %.1f s%n", (System.nanoTime() - t0) / 1e9);
            }
        } catch (TimeoutException e) {
            throw new AssertionError("Keycloak not ready after " + timeout.toSeconds() + " s (" + baseUrl() + ")"
                    + diagnostics(), e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof AssertionError failure ? failure : new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while waiting for Keycloak", e);
        }
    }

    /** Disables a user of the realm through the admin API (master-realm bootstrap admin). */
    public void disableUser(String username) {
        setUserEnabled(username, false);
    }

    public void setUserEnabled(String username, boolean enabled) {
        String token = adminToken();
        String users = issuerAdminUrl() + "/users";
        Map<String, Object> user = findOne(token, users + "?exact=true&username=", username, "user");
        HttpResponse<String> updated = send(HttpRequest.newBuilder(URI.create(users + "/" + user.get("id")))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":" + enabled + "}")));
        expectStatus(updated, 204, (enabled ? "enabling " : "disabling ") + username);
    }

    /**
     * Lets a client of the realm redirect to, and be called from, {@code origin} (a deployment's
     * own origin, as an operator would add it): the app under test is served on a random port.
     */
    public void allowClientOrigin(String clientId, String origin) {
        String token = adminToken();
        String clients = issuerAdminUrl() + "/clients";
        Map<String, Object> client = findOne(token, clients + "?clientId=", clientId, "client");
        try {
            List<Object> redirects = new ArrayList<>(JSONObjectUtils.getStringList(client, "redirectUris"));
            List<Object> origins = new ArrayList<>(JSONObjectUtils.getStringList(client, "webOrigins"));
            redirects.add(origin + "/*");
            origins.add(origin);
            String update = JSONObjectUtils.toJSONString(Map.of("redirectUris", redirects, "webOrigins", origins));
            HttpResponse<String> updated = send(HttpRequest.newBuilder(URI.create(clients + "/" + client.get("id")))
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString(update)));
            expectStatus(updated, 204, "allowing " + origin + " for client " + clientId);
        } catch (ParseException e) {
            throw new AssertionError("Unexpected client representation of " + clientId + ": " + client, e);
        }
    }

    /** The one representation the admin API lists at {@code query + name}. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> findOne(String token, String query, String name, String what) {
        HttpResponse<String> found = send(HttpRequest.newBuilder(URI.create(query
                + URLEncoder.encode(name, StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + token).GET());
        expectStatus(found, 200, "looking up " + what + " " + name);
        List<Object> matches;
        try {
            matches = JSONArrayUtils.parse(found.body());
        } catch (ParseException e) {
            throw new AssertionError("Unexpected admin API answer for " + what + " " + name + ": " + found.body(), e);
        }
        if (matches.size() != 1) {
            throw new AssertionError("Expected one Keycloak " + what + " named " + name + ", found " + matches.size());
        }
        return (Map<String, Object>) matches.get(0);
    }

    private String issuerAdminUrl() {
        return baseUrl() + "/admin/realms/" + REALM;
    }

    /** An access token of the master-realm bootstrap admin (password grant on {@code admin-cli}). */
    private String adminToken() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create(baseUrl() + "/realms/master/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form(Map.of(
                        "grant_type", "password",
                        "client_id", "admin-cli",
                        "username", ADMIN_USERNAME,
                        "password", adminPassword)))));
        expectStatus(response, 200, "admin token from the master realm");
        try {
            return JSONObjectUtils.parse(response.body()).get("access_token").toString();
        } catch (ParseException e) {
            throw new AssertionError("Unexpected admin token answer: " + response.body(), e);
        }
    }

    // --- start and stop ---------------------------------------------------------------------

    private void boot() {
        long t0 = System.nanoTime();
        try {
            String javaHome = Optional.ofNullable(System.getenv("SRM_KEYCLOAK_JAVA_HOME")).orElse(DEFAULT_JAVA_HOME);
            if (!Files.isExecutable(Path.of(javaHome, "bin", "java"))) {
                throw new AssertionError("Keycloak needs Temurin 25 (Java 21+): no JDK at " + javaHome
                        + " (install temurin-25-jdk or set SRM_KEYCLOAK_JAVA_HOME). The login-path tests need the real"
                        + " Keycloak and are not skipped without it.");
            }
            if (!Files.isRegularFile(script)) {
                throw new AssertionError("Missing " + script);
            }
            cleanUpEarlierRuns();
            deleteRecursively(data);
            Files.createDirectories(data);
            int exit;
            synchronized (lock) {
                if (stopping) {
                    return;
                }
                // start: installs the dist if needed, imports realm + demo users (--dev), waits ≤ 180 s.
                starter = command(data, "start", "--dev").redirectErrorStream(true)
                        .redirectOutput(data.resolve("start-script.log").toFile()).start();
            }
            exit = starter.waitFor();
            if (exit != 0) {
                throw new AssertionError("scripts/keycloak.sh start --dev exited with " + exit + diagnostics());
            }
            HttpResponse<String> wellKnown = send(HttpRequest.newBuilder(
                    URI.create(issuer() + "/.well-known/openid-configuration")).GET());
            if (wellKnown.statusCode() != 200 || !wellKnown.body().contains("\"issuer\":\"" + issuer() + "\"")) {
                throw new AssertionError("Keycloak started but its discovery document does not name " + issuer()
                        + ": HTTP " + wellKnown.statusCode() + " " + wellKnown.body() + diagnostics());
            }
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            System.out.printf("[TestKeycloak] %s ready %.1f s after the start command (data: %s)%n",
                    issuer(), took.toMillis() / 1000.0, data);
            ready.complete(took);
        } catch (Throwable e) {
            ready.completeExceptionally(e instanceof AssertionError ? e
                    : new AssertionError("Could not start Keycloak: " + e + diagnostics(), e));
        }
    }

    /** Shutdown hook: ends the start command if still running, then {@code keycloak.sh stop}. */
    private void stop() {
        Process running;
        synchronized (lock) {
            stopping = true;
            running = starter;
        }
        if (running == null) {
            return;
        }
        if (running.isAlive()) {
            running.destroy();
            try {
                running.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        stopKeycloakOf(data);
    }

    /** {@code keycloak.sh stop} for a data directory, then ends any Keycloak still using it. */
    private void stopKeycloakOf(Path dataDirectory) {
        try {
            Process stop = command(dataDirectory, "stop").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dataDirectory.resolve("stop-script.log").toFile()))
                    .start();
            if (!stop.waitFor(30, TimeUnit.SECONDS)) {
                stop.destroyForcibly();
            }
        } catch (IOException e) {
            System.err.println("[TestKeycloak] could not run keycloak.sh stop: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The start command may have been ended between launching Keycloak and writing its pid
        // file: find a Keycloak by its import directory, which names this data directory only.
        keycloakProcesses(dataDirectory)
                .forEach(p -> {
                    System.err.println("[TestKeycloak] ending leftover Keycloak pid " + p.pid());
                    p.destroy();
                    p.onExit().completeOnTimeout(p, 20, TimeUnit.SECONDS).join();
                    p.destroyForcibly();
                });
    }

    /** The Keycloak JVM(s) of a data directory, found by the import directory on their command line. */
    private static Stream<ProcessHandle> keycloakProcesses(Path dataDirectory) {
        String marker = "-Dkeycloak.migration.dir=" + dataDirectory.resolve("import");
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().map(c -> c.contains(marker)).orElse(false));
    }

    /** A Keycloak made unresponsive by {@link #freeze()}; closing it lets Keycloak run again. */
    public interface Frozen extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Makes this Keycloak hang, as a server stuck or cut off behind a network that drops nothing
     * but answers nothing: its processes get SIGSTOP, so the kernel still accepts connections and
     * no request is ever answered. Keycloak is shared by every test of the JVM: callers close the
     * handle in {@code finally} (try-with-resources), which sends SIGCONT.
     */
    public Frozen freeze() {
        List<Long> pids = keycloakProcesses(data)
                .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
                .map(ProcessHandle::pid).distinct().toList();
        if (pids.isEmpty()) {
            throw new AssertionError("No Keycloak process found for " + data);
        }
        signal("STOP", pids);
        return () -> signal("CONT", pids);
    }

    private static void signal(String signal, List<Long> pids) {
        List<String> command = new ArrayList<>(List.of("kill", "-" + signal));
        pids.forEach(pid -> command.add(Long.toString(pid)));
        try {
            Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (kill.waitFor() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed: " + output);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * Data directories of earlier test JVMs: stops a Keycloak left behind (a JVM killed before its
     * shutdown hook ran) and deletes the directory. Directories of live JVMs are left alone.
     */
    private void cleanUpEarlierRuns() throws IOException {
        Path parent = data.getParent();
        if (!Files.isDirectory(parent)) {
            return;
        }
        List<Path> earlier;
        try (Stream<Path> children = Files.list(parent)) {
            earlier = children.filter(p -> p.getFileName().toString().startsWith("jvm-")).toList();
        }
        for (Path dir : earlier) {
            long pid;
            try {
                pid = Long.parseLong(dir.getFileName().toString().substring(4));
            } catch (NumberFormatException e) {
                continue;
            }
            if (pid != ProcessHandle.current().pid()
                    && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            stopKeycloakOf(dir);
            deleteRecursively(dir);
        }
    }

    /** {@code scripts/keycloak.sh ARGS} with the environment of this JVM's Keycloak, for a data directory. */
    private ProcessBuilder command(Path dataDirectory, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", script.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(repository.toFile());
        Map<String, String> env = builder.environment();
        env.put("SRM_KEYCLOAK_PORT", Integer.toString(port));
        // Tests share a 2-core machine with other builds: a start can take well over 3 minutes.
        env.put("SRM_KEYCLOAK_START_TIMEOUT", "600");
        env.put("SRM_KEYCLOAK_DATA", dataDirectory.toString());
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USERNAME);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
        // Keycloak's management interface (health) listens on 9000 by default: a developer's
        // Keycloak on 8180 already has it.
        env.put("KC_HTTP_MANAGEMENT_PORT", Integer.toString(managementPort));
        return builder;
    }

    /** What is known of a failed start: the start command's output and the tail of Keycloak's log. */
    private String diagnostics() {
        StringBuilder out = new StringBuilder();
        out.append("\n--- scripts/keycloak.sh start --dev (").append(data.resolve("start-script.log")).append(") ---\n")
                .append(tail(data.resolve("start-script.log"), 20));
        out.append("\n--- Keycloak log, last 40 lines (").append(data.resolve("keycloak.log")).append(") ---\n")
                .append(tail(data.resolve("keycloak.log"), 40));
        return out.toString();
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(not readable: " + e.getMessage() + ")";
        }
    }

    // --- helpers ------------------------------------------------------------------------------

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void expectStatus(HttpResponse<String> response, int expected, String what) {
        if (response.statusCode() != expected) {
            throw new AssertionError("Keycloak admin API, " + what + ": HTTP " + response.statusCode() + " "
                    + response.body());
        }
    }

    private static String form(Map<String, String> fields) {
        return fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    /** The repository root: the first directory upwards (from fhir-server/) with scripts/keycloak.sh. */
    private static Path findRepository() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/keycloak.sh"))) {
                return d;
            }
        }
        // Surefire runs in the module directory, whose parent is the repository.
        return dir.getParent();
    }

    /**
     * A free loopback port below Linux's ephemeral range (32768+), so that the ports the kernel
     * hands out meanwhile (Spring's random port, outgoing connections) cannot take it before
     * Keycloak binds it, tens of seconds later.
     */
    private static int freeLoopbackPort(int not) {
        java.util.Random random = new java.util.Random();
        for (int attempt = 0; attempt < 50; attempt++) {
            int candidate = 20_000 + random.nextInt(12_000);
            if (candidate == DEV_PORT || candidate == not) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(candidate, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException inUse) {
                // try another
            }
        }
        throw new IllegalStateException("No free loopback port for Keycloak between 20000 and 32000");
    }

    private static void deleteRecursively(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
