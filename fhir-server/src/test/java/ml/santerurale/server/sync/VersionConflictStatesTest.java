package ml.santerurale.server.sync;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.Test;

/**
 * Every {@code ifMatch} that does not hold is named in one 412, with the state the server found
 * (docs/SYNC.md section 3, README: transaction entries), and nothing of the Bundle is written:
 * in a sync batch a record deleted since and one that never existed; in an ordinary transaction
 * a stale version and a missing record together.
 */
class VersionConflictStatesTest extends ServerIntegrationTest {

    private static final String SITE = "cscom-konobougou";

    @Test
    void aSyncBatchNamesADeletedRecordAndAMissingOneEachWithItsState() {
        Patient deleted = created(ClinicalRecords.patient("Touré", "Fatoumata", SITE));
        HttpResponse<String> deletion = send(request("/Patient/" + deleted.getIdPart()).DELETE());
        assertThat(deletion.statusCode()).as(deletion.body()).isEqualTo(200);
        Patient missing = ClinicalRecords.patient("Traoré", "Kadiatou", SITE);
        Patient fresh = ClinicalRecords.patient("Keïta", "Salimata", SITE);

        Bundle batch = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        batch.getIdentifier().setSystem(SyncDevice.KEY_SYSTEM).setValue(UUID.randomUUID().toString());
        batch.setTimestampElement(InstantType.withCurrentTime());
        batch.getMeta().addExtension(SyncDevice.DEVICE_EXTENSION, new StringType("tablette-conflits"));
        batch.getMeta().addExtension(SyncDevice.RECORDED_EXTENSION, DateTimeType.now());

        assertThat(conflictsOf(batch, deleted, fresh, missing)).containsExactly(
                "entry 0, Patient/" + deleted.getIdPart() + ", sent 1, current 2, deleted",
                "entry 2, Patient/" + missing.getIdPart() + ", sent 1, current -, missing");
        assertThat(get("/Patient/" + fresh.getIdPart()).statusCode()).as("nothing of the batch written").isEqualTo(404);
        assertThat(get("/Patient/" + missing.getIdPart()).statusCode()).isEqualTo(404);
        assertThat(get("/Patient/" + deleted.getIdPart()).statusCode()).as("still deleted").isEqualTo(410);
    }

    @Test
    void anOrdinaryTransactionListsAStaleAndAMissingIfMatchInOne412AndWritesNothing() {
        Patient changed = created(ClinicalRecords.patient("Coulibaly", "Awa", SITE));
        changed.getNameFirstRep().addGiven("Nana");
        HttpResponse<String> update = putJson("/Patient/" + changed.getIdPart(), json(changed));
        assertThat(update.statusCode()).as(update.body()).isEqualTo(200);
        Patient stale = changed.copy();
        stale.getNameFirstRep().setFamily("Coulibali");
        Patient fresh = ClinicalRecords.patient("Diallo", "Mariam", SITE);
        Patient missing = ClinicalRecords.patient("Sow", "Hawa", SITE);

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);

        assertThat(conflictsOf(transaction, stale, fresh, missing)).containsExactly(
                "entry 0, Patient/" + changed.getIdPart() + ", sent 1, current 2, changed",
                "entry 2, Patient/" + missing.getIdPart() + ", sent 1, current -, missing");
        Patient stored = parse(Patient.class, get("/Patient/" + changed.getIdPart()).body());
        assertThat(stored.getMeta().getVersionId()).as("the stale change not applied").isEqualTo("2");
        assertThat(stored.getNameFirstRep().getFamily()).isEqualTo("Coulibaly");
        assertThat(get("/Patient/" + fresh.getIdPart()).statusCode()).as("nothing of the transaction written").isEqualTo(404);
        assertThat(get("/Patient/" + missing.getIdPart()).statusCode()).isEqualTo(404);
    }

    private Patient created(Patient patient) {
        HttpResponse<String> created = putJson("/Patient/" + patient.getIdPart(), json(patient));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return patient;
    }

    /**
     * Sends {@code bundle} with three PUT entries: {@code changeOfVersion1} and
     * {@code updateOfVersion1} with {@code ifMatch: W/"1"}, {@code create} without; expects one 412
     * and returns its conflicts.
     */
    private List<String> conflictsOf(Bundle bundle, Patient changeOfVersion1, Patient create, Patient updateOfVersion1) {
        for (Patient patient : List.of(changeOfVersion1, create, updateOfVersion1)) {
            Bundle.BundleEntryRequestComponent request = bundle.addEntry().setResource(patient).getRequest()
                    .setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + patient.getIdPart());
            if (patient != create) {
                request.setIfMatch("W/\"1\"");
            }
        }
        HttpResponse<String> answer = postJson("", json(bundle));
        return conflicts(assertOutcome(fhirContext, answer, 412, "conflict", "Bundle.entry[0]"));
    }

    /** Each issue's sync-conflict extension, as one line; every issue must carry one. */
    private static List<String> conflicts(OperationOutcome outcome) {
        return outcome.getIssue().stream().map(issue -> {
            Extension conflict = issue.getExtensionByUrl(SyncDevice.CONFLICT_EXTENSION);
            assertThat(conflict).as("sync-conflict on %s", issue.getDiagnostics()).isNotNull();
            assertThat(issue.getExpression()).extracting(Object::toString)
                    .containsExactly("Bundle.entry[" + part(conflict, "entry") + "]");
            return "entry " + part(conflict, "entry") + ", " + part(conflict, "resource") + ", sent "
                    + part(conflict, "sentVersion") + ", current " + part(conflict, "currentVersion") + ", "
                    + part(conflict, "currentState");
        }).toList();
    }

    private static String part(Extension conflict, String name) {
        Extension part = conflict.getExtensionByUrl(name);
        return part == null ? "-" : part.getValue().primitiveValue();
    }
}
