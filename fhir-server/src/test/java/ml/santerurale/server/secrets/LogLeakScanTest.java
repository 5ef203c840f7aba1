package ml.santerurale.server.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import ml.santerurale.server.support.FakeDhis2;
import ml.santerurale.server.support.TestTokens;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log scan finds each kind of leaked secret, says where without repeating it, and passes clean logs. */
class LogLeakScanTest {

    @TempDir
    Path reports;

    private List<String> kindsIn(String line) throws IOException {
        Path output = Files.writeString(reports.resolve("SomeTest-output.txt"), "clean line\n" + line + "\n");
        return LogLeakScan.scan(output).stream().map(LogLeakScan.Finding::kind).distinct().toList();
    }

    @Test
    void findsARealAccessTokenInALogLine() throws IOException {
        String token = TestTokens.get().medecin("CSCOM-KONOBOUGOU");
        assertThat(kindsIn("{\"message\":\"calling with Authorization: Bearer " + token + "\"}"))
                .contains("bearer token", "signed JWT");
        assertThat(kindsIn("token=" + token)).containsExactly("signed JWT");
    }

    @Test
    void findsKeysPasswordsAndTheDhis2Credentials() throws IOException {
        assertThat(kindsIn("-----BEGIN PRIVATE KEY-----")).containsExactly("PEM private key");
        assertThat(kindsIn("-----BEGIN RSA PRIVATE KEY-----")).containsExactly("PEM private key");
        assertThat(kindsIn("{\"kty\":\"RSA\",\"d\":\"X4cTteJY_gn4FYPsXB8rdXix5vwsg1FLN5E3EaG6RJoVH-HLLKD9\"}"))
                .containsExactly("JWK private key");
        assertThat(kindsIn("login soignant.djeli password Demo-2026!")).containsExactly("demo password");
        assertThat(kindsIn("POST /api/dataValueSets Authorization=" + FakeDhis2.AUTHORIZATION)).containsExactly("DHIS2 authorization");
        assertThat(kindsIn("header ApiToken d2pat_9f8e7d6c5b4a39281706")).containsExactly("DHIS2 authorization");
        assertThat(kindsIn("Authorization: Basic YWRtaW46ZGlzdHJpY3Q=")).containsExactly("DHIS2 authorization");
        assertThat(kindsIn("client_secret=dev-only-dhis2-export-secret")).containsExactly("DHIS2 client secret");
    }

    @Test
    void passesWhatTheServerLegitimatelyLogs() throws IOException {
        assertThat(kindsIn("{\"@timestamp\":\"2026-12-05T03:00:00Z\",\"message\":\"401 This server needs a bearer"
                + " access token (Authorization: Bearer ...)\",\"requestId\":\"5f0c2d0e-8d4a-4a53-9a7e-1c1f3f2e9b10\"}"))
                .isEmpty();
        assertThat(kindsIn("WWW-Authenticate: Bearer realm=\"sante-mali\", error=\"invalid_token\"")).isEmpty();
        assertThat(kindsIn("Patient?name=traore&_count=20 GET 200 35 ms")).isEmpty();
    }

    @Test
    void aRunWithALeakFailsNamingFileAndLineButNotTheSecret() throws IOException {
        String token = TestTokens.get().admin();
        Files.writeString(reports.resolve("CleanTest-output.txt"), "nothing here\n");
        Files.writeString(reports.resolve("LeakyTest-output.txt"), "one\ntwo\nBearer " + token + "\n");
        Files.writeString(reports.resolve("LeakyTest.txt"), "summaries are not outputs: Bearer " + token + "\n");
        assertThatThrownBy(() -> LogLeakScan.main(new String[] {reports.toString()}))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("LeakyTest-output.txt:3: bearer token")
                .hasMessageNotContaining(token)
                .hasMessageNotContaining("CleanTest")
                .hasMessageNotContaining("LeakyTest.txt");
        assertThat(Set.copyOf(LogLeakScan.outputs(reports).stream().map(p -> p.getFileName().toString()).toList()))
                .containsExactlyInAnyOrder("CleanTest-output.txt", "LeakyTest-output.txt");
    }

    @Test
    void aCleanRunPasses() throws IOException {
        Files.writeString(reports.resolve("CleanTest-output.txt"), "nothing here\n");
        LogLeakScan.main(new String[] {reports.toString()});
    }
}
