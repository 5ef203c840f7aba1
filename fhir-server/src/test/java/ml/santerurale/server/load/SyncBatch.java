package ml.santerurale.server.load;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.SyncDevice;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;

/**
 * One consultation as a frozen sync batch (docs/SYNC.md §2): a new patient, the encounter, a body
 * temperature, a malaria diagnosis and a prescription, created with ids chosen by the device,
 * under a new idempotency key. Every retry sends these same bytes.
 */
record SyncBatch(String key, String siteCode, String patientId, List<String> references, byte[] body) {

    /** Family names the clinicians' searches look for by prefix. */
    static final List<String> FAMILIES = List.of("Traoré", "Coulibaly", "Diarra", "Keïta", "Sangaré",
            "Konaté", "Dembélé", "Touré", "Sidibé", "Camara");
    private static final List<String> GIVEN = List.of("Awa", "Fatoumata", "Aminata", "Moussa", "Mamadou", "Seydou");

    static SyncBatch consultation(SimulatedDevice device, FhirContext fhir, String fhirBase, int seed) {
        String org = device.site.organization;
        Patient patient = ClinicalRecords.patient(FAMILIES.get(Math.floorMod(seed, FAMILIES.size())),
                GIVEN.get(Math.floorMod(seed / 7, GIVEN.size())), org);
        Encounter encounter = ClinicalRecords.encounter(patient, org);
        List<Resource> resources = List.of(patient, encounter, ClinicalRecords.temperature(patient, encounter),
                ClinicalRecords.malaria(patient, encounter), ClinicalRecords.artemetherLumefantrine(patient, encounter));
        String key = UUID.randomUUID().toString();
        Bundle bundle = new Bundle();
        bundle.setType(Bundle.BundleType.TRANSACTION);
        bundle.setIdentifier(new Identifier().setSystem(SyncDevice.KEY_SYSTEM).setValue(key));
        bundle.setTimestamp(new Date());
        bundle.getMeta().addExtension(new Extension(SyncDevice.DEVICE_EXTENSION, new StringType(device.id)));
        bundle.getMeta().addExtension(new Extension(SyncDevice.RECORDED_EXTENSION,
                new DateTimeType(Date.from(Instant.now().minusSeconds(60)))));
        for (Resource resource : resources) {
            String reference = SyncDevice.key(resource);
            bundle.addEntry().setFullUrl(fhirBase + "/" + reference).setResource(resource)
                    .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl(reference);
        }
        byte[] body = fhir.newJsonParser().encodeResourceToString(bundle).getBytes(StandardCharsets.UTF_8);
        return new SyncBatch(key, device.site.code, patient.getIdElement().getIdPart(),
                resources.stream().map(SyncDevice::key).toList(), body);
    }
}
