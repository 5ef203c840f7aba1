package ml.santerurale.server.sync;

import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import java.time.Instant;
import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome;

/**
 * A device's sync batch: a transaction Bundle whose {@code identifier} is in
 * {@value #KEY_SYSTEM}. Checked as a whole before anything runs; see docs/SYNC.md for the rules.
 *
 * @param key the idempotency key ({@code Bundle.identifier.value})
 * @param deviceId the sending device (extension {@value #DEVICE_EXTENSION} on {@code Bundle.meta}:
 *     a Bundle has no extensions of its own)
 * @param sentAt the device's clock when it sent the batch ({@code Bundle.timestamp})
 * @param recordedAt the device's clock when the care was recorded ({@value #RECORDED_EXTENSION} on
 *     {@code Bundle.meta}),
 *     else {@code sentAt}
 */
record SyncBatch(String key, String deviceId, Instant sentAt, Instant recordedAt) {

    /** A FHIR {@code id}: what a device named by {@code valueId} may be called. */
    private static final java.util.regex.Pattern FHIR_ID = java.util.regex.Pattern.compile("[A-Za-z0-9\\-.]{1,64}");


    static final String KEY_SYSTEM = "https://sante-rurale.ml/fhir/sid/sync-batch";
    static final String DEVICE_EXTENSION = DeviceOfBatch.EXTENSION;
    static final String RECORDED_EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-recorded";
    private static final int MAX_KEY_LENGTH = 200;

    /**
     * The batch, if this Bundle is one; a Bundle that claims to be a batch but breaks a rule is
     * refused (400), and so is a Bundle with an identifier in any other system: the server would
     * not honour it, and a client relying on it would see its retries applied twice.
     */
    static Optional<SyncBatch> of(Bundle bundle) {
        Identifier identifier = bundle.getIdentifier();
        if (!bundle.hasIdentifier()) {
            return Optional.empty();
        }
        if (!KEY_SYSTEM.equals(identifier.getSystem())) {
            throw invalid("Bundle.identifier", (identifier.hasSystem() ? "is in system '" + identifier.getSystem() + "'"
                    : "has no system") + ": a Bundle's identifier is"
                    + " honoured as an idempotency key only in '" + KEY_SYSTEM + "' (a sync batch, docs/SYNC.md), so a"
                    + " retry of this Bundle would be applied twice. Send it without identifier, or as a sync batch");
        }
        if (bundle.getType() != Bundle.BundleType.TRANSACTION) {
            throw invalid("Bundle.type", "is '" + (bundle.getType() == null ? "missing" : bundle.getType().toCode())
                    + "': a sync batch must be a transaction, so that it is applied whole or not at all");
        }
        String key = identifier.getValue();
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH) {
            throw invalid("Bundle.identifier.value", "must hold the batch's idempotency key (1 to "
                    + MAX_KEY_LENGTH + " characters, a UUID is recommended)");
        }
        if (!bundle.hasTimestamp()) {
            throw invalid("Bundle.timestamp", "is missing: a sync batch states the device's clock when it was sent");
        }
        Extension deviceExtension = bundle.getMeta().getExtensionByUrl(DEVICE_EXTENSION);
        if (deviceExtension != null && deviceExtension.getValue() instanceof IdType deviceId
                && deviceId.primitiveValue() != null && !FHIR_ID.matcher(deviceId.primitiveValue()).matches()) {
            // HAPI's id type would read it back otherwise (slashes are path separators to it).
            throw invalid("Bundle.meta.extension('" + DEVICE_EXTENSION + "').valueId", "is not a FHIR id (1 to 64"
                    + " letters, digits, '-' or '.'): send the device's name as a valueString, or a valid valueId");
        }
        String device = DeviceOfBatch.of(bundle).orElseThrow(() ->
                invalid("Bundle.meta.extension('" + DEVICE_EXTENSION + "')", "is missing: a sync batch names its device"));
        Instant sentAt = bundle.getTimestamp().toInstant();
        Instant recordedAt = sentAt;
        Extension recorded = bundle.getMeta().getExtensionByUrl(RECORDED_EXTENSION);
        if (recorded != null) {
            if (!(recorded.getValue() instanceof DateTimeType dateTime) || dateTime.getValue() == null) {
                throw invalid("Bundle.meta.extension('" + RECORDED_EXTENSION + "')", "must be a valueDateTime");
            }
            recordedAt = dateTime.getValue().toInstant();
        }
        checkEntries(bundle);
        return Optional.of(new SyncBatch(key, device, sentAt, recordedAt));
    }

    /**
     * A sync batch writes with {@code PUT Type/id} (client-assigned ids) and removes with
     * {@code DELETE Type/id}: a retry of the same content must address the same resources,
     * which a POST or a match URL cannot promise.
     */
    private static void checkEntries(Bundle bundle) {
        for (int i = 0; i < bundle.getEntry().size(); i++) {
            Bundle.BundleEntryRequestComponent request = bundle.getEntry().get(i).getRequest();
            String at = "Bundle.entry[" + i + "].request";
            Bundle.HTTPVerb method = request.getMethod();
            if (method != Bundle.HTTPVerb.PUT && method != Bundle.HTTPVerb.DELETE) {
                throw invalid(at + ".method", "is " + (method == null ? "missing" : method.toCode())
                        + ": a sync batch writes with PUT Type/id (an id chosen by the device) and removes with DELETE Type/id");
            }
            String url = request.getUrl();
            if (url == null || !url.matches("[A-Z][A-Za-z]+/[A-Za-z0-9\\-.]{1,64}")) {
                throw invalid(at + ".url", "is '" + url + "': a sync batch entry addresses one resource by its id"
                        + " (Type/id, no match URL, no server-assigned id)");
            }
        }
    }

    static InvalidRequestException invalid(String where, String problem) {
        String message = where + " " + problem + ". Nothing in this Bundle was written.";
        OperationOutcome outcome = new OperationOutcome();
        outcome.addIssue().setSeverity(OperationOutcome.IssueSeverity.ERROR)
                .setCode(OperationOutcome.IssueType.INVALID).setDiagnostics(message).addExpression(where);
        return new InvalidRequestException(message, outcome);
    }
}
