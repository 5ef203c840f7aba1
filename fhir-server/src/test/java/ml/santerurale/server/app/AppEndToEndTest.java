package ml.santerurale.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.support.Chromium;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.junit.jupiter.api.Test;

/**
 * The care worker's app end to end: the built app as this server serves it, driven in Debian's
 * Chromium by {@code pwa/e2e/*.mjs} (playwright-core from the app's own {@code node_modules}),
 * against this server and the real Keycloak. The scenario lives in the script so that it also
 * runs against {@code ./run.sh} by hand; this test gives it the test server, fails with the tail
 * of its log, and keeps the whole log and the screenshots under {@code target/e2e/}.
 *
 * <p>Chromium: {@link Chromium} (installed with apt when missing).
 */
class AppEndToEndTest extends ServerIntegrationTest {

    private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private static final Path OUTPUT = Path.of("target", "e2e").toAbsolutePath();

    @Test
    void aCareWorkerWorksOfflineAndHerRecordsReachTheServerOnceAndOnlyWhereTheyMayBeSeen() throws Exception {
        TestKeycloak.get().awaitReady(Duration.ofMinutes(5));
        // The app is served on a random port here: the realm's operator adds that origin.
        TestKeycloak.get().allowClientOrigin("pwa", baseUrl());
        String chrome = Chromium.executable();

        String log = runScript("smoke.mjs", chrome, Duration.ofMinutes(12));

        assertThat(log).contains("1 passed, 0 failed")
                .containsPattern("- a new version of the app installs .* ok");
    }

    private String runScript(String script, String chrome, Duration timeout) throws IOException, InterruptedException {
        Files.createDirectories(OUTPUT);
        Path logFile = OUTPUT.resolve(script.replace(".mjs", ".log"));
        ProcessBuilder builder = new ProcessBuilder("node", "e2e/" + script)
                .directory(REPOSITORY.resolve("pwa").toFile())
                .redirectErrorStream(true)
                .redirectOutput(logFile.toFile());
        builder.environment().put("APP_URL", baseUrl() + "/");
        builder.environment().put("CHROME_PATH", chrome);
        builder.environment().put("E2E_OUTPUT", OUTPUT.toString());
        builder.environment().put("E2E_APP_OVERRIDE_DIR", APP_OVERRIDE.toString());
        Process process = builder.start();
        boolean finished = process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        String log = Files.readString(logFile, StandardCharsets.UTF_8);
        System.out.println("[e2e] " + script + " (" + logFile + "):\n" + log);
        assertThat(finished).as("%s finished within %s; its log:%n%s", script, timeout, tail(log)).isTrue();
        assertThat(process.exitValue()).as("%s exit status; its log:%n%s", script, tail(log)).isZero();
        return log;
    }

    private static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 40), lines.length));
    }
}
