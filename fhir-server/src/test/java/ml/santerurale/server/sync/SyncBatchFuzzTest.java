package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * Fuzzes the fields of a sync batch a device controls (identifier system and value — the
 * idempotency key —, Bundle type, timestamp, the device and recorded-at extensions, entry methods
 * and URLs) as JSON text, parsed by HAPI as the server parses a request body, then read by
 * {@link SyncBatch#of}.
 *
 * <p>Invariants: {@code of} either answers (empty exactly when the Bundle has no identifier) or
 * refuses with a 400 whose OperationOutcome points into the Bundle; nothing else escapes (it
 * would be a 500). An accepted batch keeps the rules docs/SYNC.md states (key of 1 to 200
 * characters, a device, PUT/DELETE Type/id entries) and reads the same after a JSON round trip.
 */
class SyncBatchFuzzTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String[] SYSTEMS = {SyncBatch.KEY_SYSTEM, "urn:ietf:rfc:3986", ""};
    private static final String[] TYPES = {"transaction", "batch", "collection", "nonsense"};
    private static final String[] METHODS = {"PUT", "DELETE", "POST", "GET", "PATCH", "put"};

    @FuzzTest(maxDuration = "20s")
    void aSyncBatchIsReadOrRefusedWithAnIssueInTheBundle(FuzzedDataProvider data) {
        ObjectNode json = MAPPER.createObjectNode().put("resourceType", "Bundle");
        if (data.consumeBoolean()) {
            json.put("type", pick(data, TYPES));
        }
        if (data.consumeBoolean()) {
            ObjectNode identifier = json.putObject("identifier");
            if (data.consumeBoolean()) {
                identifier.put("system", pick(data, SYSTEMS));
            }
            if (data.consumeBoolean()) {
                identifier.put("value", data.consumeString(210));
            }
        }
        if (data.consumeBoolean()) {
            json.put("timestamp", data.consumeBoolean() ? "2026-12-05T09:00:00Z" : data.consumeString(30));
        }
        ArrayNode extensions = json.putObject("meta").putArray("extension");
        if (data.consumeBoolean()) {
            ObjectNode device = extensions.addObject().put("url", SyncBatch.DEVICE_EXTENSION);
            device.put(data.consumeBoolean() ? "valueString" : "valueId", data.consumeString(20));
        }
        if (data.consumeBoolean()) {
            ObjectNode recorded = extensions.addObject().put("url", SyncBatch.RECORDED_EXTENSION);
            recorded.put(data.consumeBoolean() ? "valueDateTime" : "valueString",
                    data.consumeBoolean() ? "2026-12-04" : data.consumeString(30));
        }
        ArrayNode entries = json.putArray("entry");
        for (int i = data.consumeInt(0, 3); i > 0; i--) {
            ObjectNode request = entries.addObject().putObject("request");
            request.put("method", pick(data, METHODS));
            request.put("url", data.consumeBoolean() ? "Patient/" + data.consumeString(70) : data.consumeString(70));
        }

        IParser parser = FHIR.newJsonParser();
        Bundle bundle;
        try {
            bundle = parser.parseResource(Bundle.class, json.toString());
        } catch (DataFormatException refusedByHapi) {
            return; // HAPI answers 400 before the provider runs
        }
        Optional<SyncBatch> batch = read(bundle);
        if (batch == null || batch.isEmpty()) {
            assertThat(batch == null || !bundle.hasIdentifier()).as("only a Bundle without identifier is no batch").isTrue();
            return;
        }
        SyncBatch accepted = batch.get();
        assertThat(accepted.key()).isNotBlank().hasSizeLessThanOrEqualTo(200);
        assertThat(accepted.deviceId()).isNotBlank();
        assertThat(accepted.sentAt()).isNotNull();
        assertThat(accepted.recordedAt()).isNotNull();
        for (Bundle.BundleEntryComponent entry : bundle.getEntry()) {
            assertThat(entry.getRequest().getMethod()).isIn(Bundle.HTTPVerb.PUT, Bundle.HTTPVerb.DELETE);
            assertThat(entry.getRequest().getUrl()).matches("[A-Z][A-Za-z]+/[A-Za-z0-9\\-.]{1,64}");
        }
        Bundle again = parser.parseResource(Bundle.class, parser.encodeResourceToString(bundle));
        assertThat(read(again)).as("an accepted batch reads the same after a JSON round trip").contains(accepted);
    }

    /** The batch, or null when refused with a 400 pointing into the Bundle. */
    private static Optional<SyncBatch> read(Bundle bundle) {
        try {
            return SyncBatch.of(bundle);
        } catch (InvalidRequestException refused) {
            OperationOutcome outcome = (OperationOutcome) refused.getOperationOutcome();
            assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).startsWith("Bundle.");
            return null;
        }
    }

    private static String pick(FuzzedDataProvider data, String[] values) {
        return values[data.consumeInt(0, values.length - 1)];
    }
}
