package ml.santerurale.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;

/**
 * The server logs JSON lines (ECS) on stdout, each carrying the request's id (README,
 * Operations): what the server logs while answering a request is found by the id the caller
 * sees in {@code X-Request-ID}.
 */
class JsonLogLinesTest extends ServerIntegrationTest {

    @Test
    void whatARequestLogsIsJsonLinesCarryingItsRequestId() {
        String requestId = "log-test-" + UUID.randomUUID().toString().substring(0, 8);
        String owner = TestTokens.get().medecin("CSCOM-KONOBOUGOU");
        String other = TestTokens.get().user("medecin.json.log", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU"));
        String next = parse(Bundle.class, as(owner, () -> get("/Organization?_count=2")).body()).getLink("next").getUrl();
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(new Both(original, captured), true, StandardCharsets.UTF_8));
        HttpResponse<String> refused;
        try {
            // Another user's page link: HAPI logs a one-line warning (HAPI-0417) on the request thread.
            refused = as(other, () -> send(request(next.substring(next.indexOf("/fhir") + "/fhir".length()))
                    .header("X-Request-ID", requestId).GET()));
        } finally {
            System.setOut(original);
        }
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(410);
        assertThat(refused.headers().firstValue("X-Request-ID")).contains(requestId);

        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(requestId)).toList();
        assertThat(lines).as("lines logged under the request id").isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        assertThat(lines).allSatisfy(line -> {
            JsonNode entry;
            try {
                entry = json.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
            assertThat(entry.path("requestId").asText()).isEqualTo(requestId);
            assertThat(entry.path("@timestamp").asText()).isNotBlank();
            assertThat(entry.path("message").asText()).isNotBlank();
            assertThat(entry.path("log").path("level").asText()).isNotBlank();
        });
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"level\":\"WARN\"").contains("HAPI-0417"));
    }

    /** Writes to the test's own stdout and to a buffer. */
    private static final class Both extends OutputStream {
        private final OutputStream first;
        private final OutputStream second;

        Both(OutputStream first, OutputStream second) {
            this.first = first;
            this.second = second;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            try {
                first.write(bytes, offset, length);
                second.write(bytes, offset, length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            first.flush();
        }
    }
}
