package ml.santerurale.server.secrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import ml.santerurale.server.support.FakeDhis2;

/**
 * Reads the output of a test run (every {@code *-output.txt} of surefire's reports: the server's
 * log, Keycloak's, the tests' own) for secrets that must never be logged: bearer tokens and
 * anything shaped like a signed JWT, private keys (PEM or JWK), the demo users' password, the
 * DHIS2 {@code Authorization} value and the DHIS2 client's secret. Run by Maven after the tests
 * ({@code verify}, fhir-server/pom.xml); a finding fails the build, naming file, line and kind,
 * never the secret itself.
 *
 * <p>Does not guarantee: finding a secret that is split across lines, encoded (base64 of a
 * password, URL-encoded) or of a shape not listed here.
 */
public final class LogLeakScan {

    /** One kind of secret and how it looks. */
    record Kind(String name, Pattern pattern) {}

    static final List<Kind> KINDS = List.of(
            new Kind("bearer token", Pattern.compile("(?i)bearer\\s+[A-Za-z0-9._~+/-]{16,}")),
            new Kind("signed JWT", Pattern.compile("eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{16,}")),
            new Kind("PEM private key", Pattern.compile("-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
            new Kind("JWK private key", Pattern.compile("\"d\"\\s*:\\s*\"[A-Za-z0-9_-]{20,}\"")),
            new Kind("demo password", Pattern.compile(Pattern.quote("Demo-2026!"))),
            new Kind("DHIS2 authorization", Pattern.compile("(?:" + Pattern.quote(FakeDhis2.AUTHORIZATION)
                    + "|ApiToken\\s+d2pat_[A-Za-z0-9]{8,}|Basic\\s+[A-Za-z0-9+/]{12,}={0,2})")),
            new Kind("DHIS2 client secret", Pattern.compile(Pattern.quote("dev-only-dhis2-export-secret"))));

    /** A secret found: where, and of which kind. */
    record Finding(Path file, int line, String kind) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + kind;
        }
    }

    private LogLeakScan() {}

    /** Argument: the surefire reports directory. Throws when anything is found. */
    public static void main(String[] args) {
        Path reports = Path.of(args.length > 0 ? args[0] : "target/surefire-reports");
        if (!Files.isDirectory(reports)) {
            System.out.println("[log-leak-scan] no " + reports + ": no test ran, nothing to read");
            return;
        }
        List<Path> outputs = outputs(reports);
        List<Finding> findings = new ArrayList<>();
        for (Path output : outputs) {
            findings.addAll(scan(output));
        }
        if (!findings.isEmpty()) {
            StringBuilder message = new StringBuilder("Secrets in the logs of the test run (")
                    .append(findings.size()).append("; values not shown):");
            findings.stream().limit(50).forEach(finding -> message.append("\n  ").append(finding));
            throw new IllegalStateException(message.toString());
        }
        System.out.println("[log-leak-scan] " + outputs.size() + " test outputs read, no token, password or key found");
    }

    static List<Path> outputs(Path reports) {
        try (Stream<Path> files = Files.list(reports)) {
            return files.filter(file -> file.getFileName().toString().endsWith("-output.txt")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Finding> scan(Path output) {
        List<Finding> findings = new ArrayList<>();
        try (Stream<String> lines = Files.lines(output, StandardCharsets.ISO_8859_1)) {
            int[] number = {0};
            lines.forEach(line -> {
                number[0]++;
                for (Kind kind : KINDS) {
                    Matcher matcher = kind.pattern().matcher(line);
                    if (matcher.find()) {
                        findings.add(new Finding(output, number[0], kind.name()));
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return findings;
    }
}
