package ml.santerurale.interceptors;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The interceptors are plain HAPI POJOs: no Spring, no dependency on the server that wires them,
 * so any HAPI server (ours, a test one, another vendor's) can register them.
 */
class ModuleBoundaryTest {

    @Test
    void interceptorsDependOnNeitherSpringNorTheServer() throws IOException {
        Path sources = Path.of("src/main/java");
        List<String> offending;
        try (Stream<Path> files = Files.walk(sources)) {
            offending = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> {
                        try {
                            String text = Files.readString(p);
                            return text.contains("import org.springframework") || text.contains("import ml.santerurale.server");
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .map(Path::toString).toList();
        }
        assertThat(offending).isEmpty();
    }
}
