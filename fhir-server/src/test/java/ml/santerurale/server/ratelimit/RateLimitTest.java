package ml.santerurale.server.ratelimit;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.RateLimits;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/**
 * The rate limits on the shared test server, through the keys given low limits there
 * ({@link RateLimits}: {@value RateLimits#BURST} requests at once, one more each 10 s): the
 * request after the burst gets 429 {@code throttled} with {@code Retry-After}, another key is
 * not affected, and after {@code Retry-After} seconds requests pass again.
 */
class RateLimitTest extends ServerIntegrationTest {

    private final String limitedUser = TestTokens.get().user(RateLimits.USERNAME, Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));

    @Test
    void aUserOverTheLimitIsThrottledAndOtherUsersAreNot() {
        Supplier<HttpResponse<String>> search = () -> as(limitedUser, () -> get("/Patient?_id=" + UUID.randomUUID()));
        assertRefusedAfterTheBurstThenRefilled(search, "Too many requests from your account",
                () -> get("/Patient?_id=" + UUID.randomUUID()));
    }

    @Test
    void aStuckDeviceIsThrottledAndAnotherDeviceOfTheSameUserIsNot() {
        Map<String, Double> before = syncBatches();
        Bundle stuck = syncBatch(RateLimits.DEVICE);
        String sameBatchAgain = json(stuck);
        assertRefusedAfterTheBurstThenRefilled(() -> postJson("", sameBatchAgain),
                "Too many sync batches from device '" + RateLimits.DEVICE + "'",
                () -> postJson("", json(syncBatch("phone-" + UUID.randomUUID()))));
        // The same batch: applied once, then replayed; the refusal counted as throttled.
        Map<String, Double> after = syncBatches();
        assertThat(after.get("applied") - before.get("applied")).isGreaterThanOrEqualTo(2);
        assertThat(after.get("replayed") - before.get("replayed")).isGreaterThanOrEqualTo(RateLimits.BURST);
        assertThat(after.get("throttled") - before.get("throttled")).isGreaterThanOrEqualTo(1);
    }

    /** srm_sync_batches_total by outcome, as Prometheus scrapes it. */
    private Map<String, Double> syncBatches() {
        String scrape = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus")).GET()).body();
        Map<String, Double> counts = new HashMap<>();
        Matcher line = Pattern.compile("(?m)^srm_sync_batches_total\\{[^}]*outcome=\"(\\w+)\"[^}]*} (\\S+)$").matcher(scrape);
        while (line.find()) {
            counts.merge(line.group(1), Double.parseDouble(line.group(2)), Double::sum);
        }
        assertThat(counts).containsKeys("applied", "replayed", "throttled", "conflict", "refused", "failed");
        return counts;
    }

    @Test
    void aClientAddressOverTheLimitIsThrottledAndOtherAddressesAreNot() {
        assertRefusedAfterTheBurstThenRefilled(() -> metadataFrom(RateLimits.ADDRESS),
                "Too many requests from your network address", () -> metadataFrom("203.0.113.78"));
        assertThat(metadataFrom(null).statusCode()).as("the proxy's own address").isEqualTo(200);
    }

    private void assertRefusedAfterTheBurstThenRefilled(Supplier<HttpResponse<String>> limited, String diagnostics,
            Supplier<HttpResponse<String>> someoneElse) {
        for (int i = 1; i <= RateLimits.BURST; i++) {
            HttpResponse<String> response = limited.get();
            assertThat(response.statusCode()).as("request %d of the burst: %s", i, response.body()).isEqualTo(200);
        }
        HttpResponse<String> throttled = limited.get();
        assertOutcome(fhirContext, throttled, 429, "throttled", diagnostics);
        long retryAfter = Long.parseLong(throttled.headers().firstValue("Retry-After").orElseThrow());
        assertThat(retryAfter).as("one token comes back every 10 s").isBetween(1L, 10L);
        assertThat(throttled.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");

        HttpResponse<String> other = someoneElse.get();
        assertThat(other.statusCode()).as("another key is not affected: %s", other.body()).isEqualTo(200);

        sleep(retryAfter * 1000 + 200);
        HttpResponse<String> refilled = limited.get();
        assertThat(refilled.statusCode()).as("after Retry-After: %s", refilled.body()).isEqualTo(200);
    }

    private HttpResponse<String> metadataFrom(String forwardedFor) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fhirBase() + "/metadata"))
                .header("Accept", "application/fhir+json").GET();
        if (forwardedFor != null) {
            request.header("X-Forwarded-For", forwardedFor);
        }
        return send(request);
    }

    /** One new patient as a sync batch of {@code device} (docs/SYNC.md). */
    private Bundle syncBatch(String device) {
        SyncDevice phone = new SyncDevice(device, fhirBase(), this::token, fhirContext, Clock.systemUTC());
        Patient patient = Conforming.patient("Sangaré", "Oumou");
        patient.setId(UUID.randomUUID().toString());
        patient.setManagingOrganization(new Reference("Organization/cscom-konobougou"));
        return phone.bundleOf(phone.record(patient));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
