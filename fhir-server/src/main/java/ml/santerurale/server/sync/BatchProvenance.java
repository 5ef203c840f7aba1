package ml.santerurale.server.sync;

import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;

/**
 * Records who sent an accepted sync batch, from which device, when the device says the care was
 * recorded and when the server received it: one Provenance per site the batch wrote to, stored in
 * that site's partition in the batch's own database transaction, targeting the versions written
 * (deletions are not targets: a reference to a deleted resource cannot be stored).
 *
 * <p>The device's clock is recorded, never trusted: {@code occurredDateTime} is what the device
 * says, {@code recorded} is the server's clock, and the extension {@value #CLOCK_OFFSET} holds
 * the server's receive time minus the device's send time ({@code Bundle.timestamp}), in seconds,
 * so skewed devices can be found. It includes the transfer time (seconds on 2G), so only large
 * offsets mean a wrong clock.
 */
final class BatchProvenance {

    static final String CLOCK_OFFSET = "https://sante-rurale.ml/fhir/StructureDefinition/device-clock-offset";
    static final String USER_SYSTEM = "https://sante-rurale.ml/fhir/sid/keycloak-user";
    static final String DEVICE_SYSTEM = "https://sante-rurale.ml/fhir/sid/device";
    private static final String PARTICIPANT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";

    private final IFhirResourceDao<Provenance> dao;

    BatchProvenance(IFhirResourceDao<Provenance> dao) {
        this.dao = dao;
    }

    void record(SyncBatch batch, Caller caller, List<WrittenVersions.Written> written, Instant received) {
        Map<String, List<WrittenVersions.Written>> bySite = new LinkedHashMap<>();
        written.stream().filter(w -> !w.deleted() && w.site() != null && !"Provenance".equals(w.type()))
                .forEach(w -> bySite.computeIfAbsent(w.site(), s -> new ArrayList<>()).add(w));
        for (Map.Entry<String, List<WrittenVersions.Written>> site : bySite.entrySet()) {
            Provenance provenance = new Provenance();
            site.getValue().forEach(w -> provenance.addTarget(new Reference(w.versionedReference())));
            provenance.setOccurred(new DateTimeType(Date.from(batch.recordedAt())));
            provenance.setRecorded(Date.from(received));
            provenance.addAgent()
                    .setType(new CodeableConcept(new Coding(PARTICIPANT_TYPE, "author", "Author")))
                    .setWho(new Reference().setIdentifier(new Identifier().setSystem(USER_SYSTEM).setValue(caller.subject()))
                            .setDisplay(caller.username()));
            provenance.addAgent()
                    .setType(new CodeableConcept(new Coding(PARTICIPANT_TYPE, "assembler", "Assembler")))
                    .setWho(new Reference().setIdentifier(new Identifier().setSystem(DEVICE_SYSTEM).setValue(batch.deviceId()))
                            .setDisplay("device " + batch.deviceId()));
            provenance.addEntity().setRole(Provenance.ProvenanceEntityRole.SOURCE)
                    .setWhat(new Reference().setIdentifier(new Identifier().setSystem(SyncBatch.KEY_SYSTEM).setValue(batch.key())));
            long offsetMillis = Duration.between(batch.sentAt(), received).toMillis();
            org.hl7.fhir.r4.model.Duration offset = new org.hl7.fhir.r4.model.Duration();
            offset.setValue(BigDecimal.valueOf(offsetMillis, 3)).setUnit("s").setSystem("http://unitsofmeasure.org").setCode("s");
            provenance.addExtension(CLOCK_OFFSET, offset);
            SiteLabels.stamp(provenance, site.getKey());
            dao.create(provenance, new SystemRequestDetails());
        }
    }
}
