package ml.santerurale.server.sync;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** A malformed sync batch is refused whole, with an OperationOutcome that says where and why. */
class SyncBatchBadInputTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    private final String soignant = TestTokens.get().user("soignant.konobougou.bad", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));

    /** Every resource of every batch this test sent: none may have been written. */
    private final java.util.List<Resource> sent = new java.util.ArrayList<>();

    /** A valid batch (one consultation), changed by {@code breakIt}, then sent. */
    private java.net.http.HttpResponse<String> send(Consumer<Bundle> breakIt) {
        SyncDevice phone = new SyncDevice("phone-bad-" + UUID.randomUUID(), fhirBase(), () -> soignant, fhirContext, Clock.systemUTC());
        Resource[] visit = Consultations.visit(Consultations.patient("Maïga", "Kadiatou"), "Organization/cscom-konobougou");
        sent.addAll(java.util.List.of(visit));
        Bundle bundle = phone.bundleOf(phone.record(visit));
        breakIt.accept(bundle);
        return as(soignant, () -> postJson("", json(bundle)));
    }

    private void assertNothingWritten() {
        assertThat(sent).isNotEmpty();
        for (Resource resource : sent) {
            assertThat(jdbc.queryForObject("select count(*) from hfj_resource where res_type = ? and fhir_id = ?", Integer.class,
                    resource.fhirType(), resource.getIdElement().getIdPart())).as(SyncDevice.key(resource)).isZero();
        }
    }

    @Test
    void refusesADeviceNamedByAValueIdThatIsNotAFhirId() {
        // Found by SyncBatchFuzzTest: HAPI's id type reads "a////b" back as "a//b", so the batch's device changed.
        assertOutcome(fhirContext, send(bundle -> bundle.getMeta().getExtensionByUrl(SyncBatch.DEVICE_EXTENSION)
                .setValue(new org.hl7.fhir.r4.model.IdType("mye////rt"))), 400, "invalid", "is not a FHIR id");
        assertNothingWritten();
    }

    @Test
    void refusesABatchThatIsNotATransaction() {
        assertOutcome(fhirContext, send(bundle -> bundle.setType(Bundle.BundleType.BATCH)), 400, "invalid",
                "Bundle.type is 'batch': a sync batch must be a transaction");
        assertNothingWritten();
    }

    @Test
    void refusesAnEntryWithoutAnId() {
        assertOutcome(fhirContext, send(bundle -> bundle.getEntry().get(2).getRequest().setUrl("Observation")), 400, "invalid",
                "Bundle.entry[2].request.url 'Observation' names no id");
        assertNothingWritten();
    }

    @Test
    void refusesAPost() {
        assertOutcome(fhirContext, send(bundle -> bundle.getEntry().get(1).getRequest().setMethod(Bundle.HTTPVerb.POST)), 400,
                "invalid", "Bundle.entry[1].request.method is POST: a sync batch writes with PUT Type/id");
        assertNothingWritten();
    }

    @Test
    void refusesAReferenceToAnUnknownLocalId() {
        var response = send(bundle -> ((org.hl7.fhir.r4.model.Encounter) bundle.getEntry().get(1).getResource())
                .setSubject(new Reference("urn:uuid:" + UUID.randomUUID())));
        assertOutcome(fhirContext, response, 400, "processing", "urn:uuid:");
        assertNothingWritten();
    }

    @Test
    void refusesAReferenceToAPatientNeitherInTheBatchNorOnTheServer() {
        String ghost = "Patient/" + UUID.randomUUID();
        var response = send(bundle -> ((org.hl7.fhir.r4.model.Encounter) bundle.getEntry().get(1).getResource())
                .setSubject(new Reference(ghost)));
        assertOutcome(fhirContext, response, 400, "processing", ghost);
        assertNothingWritten();
    }

    @Test
    void refusesABatchWithoutDeviceOrTimestamp() {
        assertOutcome(fhirContext, send(bundle -> bundle.getMeta().getExtension().clear()), 400, "invalid",
                "a sync batch names its device");
        assertOutcome(fhirContext, send(bundle -> bundle.setTimestamp(null)), 400, "invalid",
                "Bundle.timestamp is missing");
        assertOutcome(fhirContext, send(bundle -> bundle.getIdentifier().setValue("")), 400, "invalid",
                "Bundle.identifier.value must hold the batch's idempotency key");
        assertNothingWritten();
    }

    @Test
    void refusesAnIdempotencyKeyOver200Characters() {
        var response = send(bundle -> bundle.getIdentifier().setValue("k".repeat(201)));
        assertOutcome(fhirContext, response, 400, "invalid", "Bundle.identifier");
        assertNothingWritten();
    }

    @Test
    void refusesAMatchUrl() {
        var response = send(bundle -> bundle.getEntry().get(0).getRequest().setUrl("Patient?identifier=urn:srm:test|1"));
        assertOutcome(fhirContext, response, 400, "invalid", "Bundle.entry[0].request.url");
        assertNothingWritten();
    }

    @Test
    void refusesABatchOverTheSizeLimit() {
        var response = send(bundle -> ((Patient) bundle.getEntry().get(0).getResource()).getText()
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">" + "x".repeat(2_100_000) + "</div>"));
        assertOutcome(fhirContext, response, 413, "too-long", "larger than this server accepts");
        assertNothingWritten();
    }
}
