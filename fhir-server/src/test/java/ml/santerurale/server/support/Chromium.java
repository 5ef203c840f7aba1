package ml.santerurale.server.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's Chromium for the browser tests (playwright-core drives it; a browser download by a
 * test tool cannot work here): {@code CHROME_PATH} or {@code /usr/bin/chromium}, installed with apt
 * by {@code scripts/install-chromium.sh} when missing. A machine that cannot install it fails the
 * calling test; it is not skipped.
 */
public final class Chromium {

    private static final Path REPOSITORY = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();

    private Chromium() {}

    /** The browser's executable, installed first if needed (once per JVM). */
    public static synchronized String executable() throws IOException, InterruptedException {
        String configured = System.getenv("CHROME_PATH");
        Path chrome = Path.of(configured != null && !configured.isBlank() ? configured : "/usr/bin/chromium");
        if (!Files.isExecutable(chrome)) {
            Path log = Path.of("target", "install-chromium.log").toAbsolutePath();
            Files.createDirectories(log.getParent());
            Process install = new ProcessBuilder(List.of("bash", REPOSITORY.resolve("scripts/install-chromium.sh").toString()))
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean done = install.waitFor(10, TimeUnit.MINUTES);
            assertThat(done && install.exitValue() == 0 && Files.isExecutable(chrome))
                    .as("Chromium installed by scripts/install-chromium.sh (log %s): %s", log, Files.readString(log))
                    .isTrue();
        }
        return chrome.toString();
    }
}
