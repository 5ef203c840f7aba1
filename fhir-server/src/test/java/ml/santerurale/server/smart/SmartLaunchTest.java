package ml.santerurale.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.Chromium;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestKeycloak;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;

/**
 * A SMART standalone launch, end to end: the sample app ({@code smart-demo-app/}, fhirclient from
 * npm) in headless Chromium through Playwright, against the real Keycloak (with the patient picker
 * of {@code keycloak-smart/}) and this server. The soignant logs in, finds two patients of her site
 * by name, picks one; the token response names that patient and the soignant's Practitioner
 * ({@code fhirUser}), the app shows her name from that Practitioner and charts the patient's
 * temperatures, and a read of the other patient answers as missing.
 *
 * <p>Needs Debian's Chromium ({@link Chromium}: installed with apt when missing), Node, the npm registry (first
 * {@code npm ci} of the app) and port 4000 (the app's registered redirect URI).
 */
class SmartLaunchTest extends ServerIntegrationTest {

    private static final Path APP = Path.of(System.getProperty("user.dir")).getParent().resolve("smart-demo-app");

    @Test
    void aSoignantLaunchesTheAppPicksAPatientAndSeesOnlyHer() throws Exception {
        TestKeycloak.get().awaitReady(Duration.ofMinutes(10));
        String family = "Lancement" + UUID.randomUUID().toString().substring(0, 6);
        Patient awa = ClinicalRecords.patient(family, "Awa", "cscom-konobougou");
        Patient binta = ClinicalRecords.patient(family, "Binta", "cscom-konobougou");
        Encounter visit = ClinicalRecords.encounter(awa, "cscom-konobougou");
        Observation first = ClinicalRecords.temperature(awa, visit);
        Observation second = ClinicalRecords.temperature(awa, visit);
        second.setValue(new org.hl7.fhir.r4.model.Quantity().setValue(37.4).setUnit("Cel")
                .setSystem("http://unitsofmeasure.org").setCode("Cel"));
        Observation bintas = ClinicalRecords.temperature(binta, ClinicalRecords.encounter(binta, "cscom-konobougou"));
        for (Resource r : List.of(awa, binta, visit, first, second)) {
            assertThat(putJson("/" + r.fhirType() + "/" + r.getIdPart(), json(r)).statusCode()).isEqualTo(201);
        }
        assertThat(bintas.getSubject().getReference()).isEqualTo("Patient/" + binta.getIdPart());

        if (!Files.isDirectory(APP.resolve("node_modules/fhirclient"))) {
            run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), Duration.ofMinutes(5));
        }
        Process app = new ProcessBuilder("node", "server.mjs").directory(APP.toFile()).redirectErrorStream(true)
                .redirectOutput(Path.of("target", "smart-demo-app.log").toFile()).start();
        try {
            awaitPort(4000, Duration.ofSeconds(30));
            String output = run(List.of("node", "e2e/launch.mjs"), Map.of(
                    "CHROME_PATH", Chromium.executable(),
                    "SMART_ISS", fhirBase(),
                    "SMART_USER", "soignant.konobougou",
                    "SMART_PASSWORD", "Demo-2026!",
                    "SMART_PATIENT_QUERY", family,
                    "SMART_PATIENT_ID", awa.getIdPart(),
                    "SMART_OTHER_PATIENT_ID", binta.getIdPart()), Duration.ofMinutes(4));
            String last = output.strip().lines().reduce((a, b) -> b).orElse("{}");
            JsonNode result = new ObjectMapper().readTree(last);
            assertThat(result.path("failure").isMissingNode()).as(output).isTrue();
            assertThat(result.path("authorizeUrl").asText()).contains("code_challenge_method=S256")
                    .contains("aud=" + java.net.URLEncoder.encode(fhirBase(), StandardCharsets.UTF_8));
            assertThat(result.path("listed").toString()).contains(awa.getIdPart()).contains(binta.getIdPart());
            assertThat(result.path("tokenResponse").path("patient").asText()).as(output).isEqualTo(awa.getIdPart());
            assertThat(result.path("tokenResponse").path("scope").asText()).contains("patient/*.rs").contains("launch/patient");
            assertThat(result.path("app").path("patient").asText()).isEqualTo(awa.getIdPart());
            assertThat(result.path("app").path("points").size()).as(output).isEqualTo(2);
            assertThat(result.path("chartPoints").asInt()).isEqualTo(2);
            assertThat(result.path("heading").asText()).contains("Awa");
            assertThat(result.path("tokenResponse").path("fhirUser").asText()).isEqualTo("Practitioner/demo-soignant-konobougou");
            assertThat(result.path("user").asText()).as(output).isEqualTo("Connecté(e) : Awa Traoré");
            assertThat(result.path("app").path("otherPatientStatus").asInt()).as(output).isEqualTo(404);
        } finally {
            app.destroy();
            app.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String run(List<String> command, Map<String, String> env, Duration timeout) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).directory(APP.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        Process process = builder.start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " timed out: " + new String(out, StandardCharsets.UTF_8));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(command + ": " + text).isZero();
        return text;
    }

    private static void awaitPort(int port, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("localhost", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new AssertionError("smart-demo-app did not listen on port " + port);
    }
}
