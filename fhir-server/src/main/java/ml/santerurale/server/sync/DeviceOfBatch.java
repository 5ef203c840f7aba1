package ml.santerurale.server.sync;

import java.util.Optional;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;

/**
 * The device a transaction Bundle says it comes from (extension {@value #EXTENSION} on
 * {@code Bundle.meta}, docs/SYNC.md). Read before the batch is checked, so the rate limit of the
 * device applies to malformed batches too. Does not guarantee that the device exists or that the
 * Bundle is a valid sync batch: {@link SyncBatch} checks that.
 */
public final class DeviceOfBatch {

    public static final String EXTENSION = "https://sante-rurale.ml/fhir/StructureDefinition/sync-device";

    private DeviceOfBatch() {}

    /** The non-blank device id of the Bundle, if it names one. */
    public static Optional<String> of(Bundle bundle) {
        Extension device = bundle.getMeta().getExtensionByUrl(EXTENSION);
        if (device == null || !device.hasValue() || device.getValue().primitiveValue() == null
                || device.getValue().primitiveValue().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(device.getValue().primitiveValue());
    }
}
