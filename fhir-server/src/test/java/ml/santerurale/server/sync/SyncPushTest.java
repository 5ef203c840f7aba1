package ml.santerurale.server.sync;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.FlakyProxy;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** The push half of the sync protocol (docs/SYNC.md): exactly once, all conflicts at once, Provenance. */
class SyncPushTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "Organization/cscom-konobougou";

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    IdempotencyKeyPurge purge;

    @Autowired
    ml.santerurale.ig.SanteRuraleIg ig;

    private final String soignant = TestTokens.get().user("soignant.konobougou.sync", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String otherSoignant = TestTokens.get().user("soignant2.konobougou.sync", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));

    private SyncDevice device(String id, String token, String fhirBase, Clock clock) {
        return new SyncDevice(id, fhirBase, () -> token, fhirContext, clock);
    }

    private SyncDevice device(String id, String token) {
        return device(id, token, fhirBase(), Clock.systemUTC());
    }

    @Test
    void appliesAConsultationWholeAndRecordsItsProvenance() {
        Clock slowClock = Clock.offset(Clock.systemUTC(), Duration.ofHours(-2));
        String phoneId = "phone-prov-" + UUID.randomUUID();
        SyncDevice phone = device(phoneId, soignant, fhirBase(), slowClock);
        Patient patient = Consultations.patient("Traoré", "Awa");
        SyncDevice.Batch batch = phone.record(Consultations.visit(patient, KONOBOUGOU));

        SyncDevice.PushReport report = phone.push();

        assertThat(report.accepted).containsExactly(batch);
        Bundle response = parse(Bundle.class, report.responses.get(batch.key()).body());
        assertThat(response.getEntry()).hasSize(5).allSatisfy(entry -> assertThat(entry.getResponse().getStatus()).startsWith("201"));
        Bundle provenances = parse(Bundle.class, get("/Provenance?target=Patient/" + patient.getIdElement().getIdPart()).body());
        assertThat(provenances.getEntry()).hasSize(1);
        Provenance provenance = (Provenance) provenances.getEntryFirstRep().getResource();
        assertThat(provenance.getTarget()).hasSize(5);
        assertThat(provenance.getAgent()).extracting(agent -> agent.getWho().getIdentifier().getValue())
                .containsExactly(UUID.nameUUIDFromBytes("soignant.konobougou.sync".getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(), phoneId);
        assertThat(provenance.getEntityFirstRep().getWhat().getIdentifier().getValue()).isEqualTo(batch.key());
        assertThat(provenance.getRecorded().toInstant()).isCloseTo(Instant.now(), within(Duration.ofMinutes(1)));
        assertThat(provenance.getOccurredDateTimeType().getValue().toInstant()).isCloseTo(batch.recordedAt(), within(Duration.ofSeconds(1)));
        Extension offset = provenance.getExtensionByUrl(BatchProvenance.CLOCK_OFFSET);
        double seconds = ((org.hl7.fhir.r4.model.Duration) offset.getValue()).getValue().doubleValue();
        assertThat(seconds).as("a device two hours slow shows a +2 h offset").isBetween(7190.0, 7260.0);
    }

    @Test
    void theProvenanceOfABatchConformsToTheGuide() {
        SyncDevice phone = device("phone-ig-" + UUID.randomUUID(), soignant);
        Patient patient = Consultations.patient("Sissoko", "Awa");
        phone.record(Consultations.visit(patient, KONOBOUGOU));
        assertThat(phone.push().accepted).hasSize(1);
        Bundle provenances = parse(Bundle.class, get("/Provenance?target=Patient/" + patient.getIdElement().getIdPart()).body());
        Provenance provenance = (Provenance) provenances.getEntryFirstRep().getResource();
        assertThat(ig.validate(provenance).getMessages())
                .filteredOn(m -> m.getSeverity().ordinal() >= ca.uhn.fhir.validation.ResultSeverityEnum.ERROR.ordinal())
                .isEmpty();
    }

    @Test
    void aConsultationThatDoesNotConformIsRefusedAloneAndTheOthersLand() {
        SyncDevice phone = device("phone-invalid-" + UUID.randomUUID(), soignant);
        Patient first = Consultations.patient("Camara", "Awa");
        SyncDevice.Batch before = phone.record(Consultations.visit(first, KONOBOUGOU));
        Patient typo = Consultations.patient("Camara", "Rokia");
        Resource[] feverish = Consultations.visit(typo, KONOBOUGOU);
        ((org.hl7.fhir.r4.model.Observation) feverish[2]).getValueQuantity().setValue(392); // 39.2 typed without its point
        SyncDevice.Batch invalid = phone.record(feverish);
        Patient last = Consultations.patient("Camara", "Mariam");
        SyncDevice.Batch after = phone.record(Consultations.visit(last, KONOBOUGOU));

        SyncDevice.PushReport report = phone.push();

        assertThat(report.accepted).containsExactly(before, after);
        assertThat(report.refused).containsExactly(invalid);
        HttpResponse<String> refusal = report.responses.get(invalid.key());
        assertThat(refusal.statusCode()).isEqualTo(422);
        org.hl7.fhir.r4.model.OperationOutcome outcome = parse(org.hl7.fhir.r4.model.OperationOutcome.class, refusal.body());
        assertThat(outcome.getIssue()).anySatisfy(issue -> {
            assertThat(issue.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[2].resource.value.ofType(Quantity)");
            assertThat(issue.getDiagnostics()).contains("entre 30 et 45");
        });
        for (Resource record : feverish) {
            assertThat(get("/" + record.fhirType() + "/" + record.getIdElement().getIdPart()).statusCode())
                    .as("nothing of the refused consultation was written").isEqualTo(404);
        }
        assertThat(get("/Patient/" + first.getIdElement().getIdPart()).statusCode()).isEqualTo(200);
        assertThat(get("/Patient/" + last.getIdElement().getIdPart()).statusCode()).isEqualTo(200);
        assertThat(jdbc.queryForObject("select count(*) from srm_sync_batch where key_value = ?", Integer.class, invalid.key()))
                .as("a refused batch leaves no idempotency key: the corrected one is sent as new").isZero();
    }

    private static org.assertj.core.data.TemporalUnitOffset within(Duration duration) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(duration.toMillis(), java.time.temporal.ChronoUnit.MILLIS);
    }

    @Test
    void sendsTheSameBatchAgainWithARenewedTokenAfterA401() {
        java.util.concurrent.atomic.AtomicBoolean expired = new java.util.concurrent.atomic.AtomicBoolean(true);
        SyncDevice phone = new SyncDevice("phone-401-" + UUID.randomUUID(), fhirBase(),
                () -> expired.getAndSet(false) ? "expired.access.token" : soignant, fhirContext, Clock.systemUTC()).retrying();
        SyncDevice.Batch batch = phone.record(Consultations.visit(Consultations.patient("Konaté", "Rokia"), KONOBOUGOU));

        SyncDevice.PushReport report = phone.push();

        assertThat(report.retries).as("one 401, then the renewed token").isEqualTo(1);
        assertThat(report.accepted).containsExactly(batch);
    }

    @Test
    void replaysOriginalResponseOnRetryAfterLostResponse() throws Exception {
        try (FlakyProxy link = new FlakyProxy(port)) {
            SyncDevice phone = device("phone-lost-" + UUID.randomUUID(), soignant, "http://localhost:" + link.port() + "/fhir", Clock.systemUTC())
                    .retrying();
            Patient patient = Consultations.patient("Diarra", "Fatoumata");
            Resource[] visit = Consultations.visit(patient, KONOBOUGOU);
            SyncDevice.Batch batch = phone.record(visit);
            link.loseNextAnswers(1);

            SyncDevice.PushReport report = phone.push();

            assertThat(link.answersLost()).isEqualTo(1);
            assertThat(report.retries).isEqualTo(1);
            assertThat(report.accepted).containsExactly(batch);
            HttpResponse<String> answer = report.responses.get(batch.key());
            assertThat(answer.headers().firstValue("X-Sync-Replayed")).contains("true");
            Bundle replayed = parse(Bundle.class, answer.body());
            assertThat(replayed.getEntry()).allSatisfy(entry -> {
                assertThat(entry.getResponse().getStatus()).as("the original answer, not a 412 or a 200 update").startsWith("201");
                assertThat(entry.getResponse().getLocation()).endsWith("/_history/1");
            });
            for (Resource resource : visit) {
                assertThat(versionsStored(resource)).as("versions of %s", SyncDevice.key(resource)).isEqualTo(1);
            }
            assertThat(parse(Bundle.class, get("/Provenance?target=Patient/" + patient.getIdElement().getIdPart()).body()).getEntry())
                    .as("one Provenance: the retry applied nothing").hasSize(1);
        }
    }

    @Test
    void concurrentCopiesOfOneBatchApplyOnce() {
        SyncDevice phone = device("phone-twice-" + UUID.randomUUID(), soignant);
        Patient patient = Consultations.patient("Keita", "Oumou");
        Resource[] visit = Consultations.visit(patient, KONOBOUGOU);
        SyncDevice.Batch batch = phone.record(visit);
        String body = json(phone.bundleOf(batch));

        // Eight copies released together by a barrier, each on its own thread.
        int copies = 8;
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(copies);
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(copies);
        List<CompletableFuture<HttpResponse<String>>> sent = new java.util.ArrayList<>();
        for (int i = 0; i < copies; i++) {
            sent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return as(soignant, () -> postJson("", body));
            }, senders));
        }
        List<HttpResponse<String>> answers = sent.stream().map(CompletableFuture::join).toList();
        senders.shutdown();

        assertThat(answers).allSatisfy(answer -> assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200));
        List<String> locations = parse(Bundle.class, answers.get(0).body()).getEntry().stream()
                .map(e -> e.getResponse().getLocation()).toList();
        assertThat(answers).allSatisfy(answer -> assertThat(parse(Bundle.class, answer.body()).getEntry())
                .extracting(e -> e.getResponse().getLocation()).isEqualTo(locations));
        assertThat(answers).filteredOn(answer -> answer.headers().firstValue("X-Sync-Replayed").isPresent())
                .as("one copy applied, seven replayed").hasSize(copies - 1);
        for (Resource resource : visit) {
            assertThat(versionsStored(resource)).as("versions of %s", SyncDevice.key(resource)).isEqualTo(1);
        }
        assertThat(parse(Bundle.class, get("/Provenance?target=Patient/" + patient.getIdElement().getIdPart()).body()).getEntry())
                .as("one Provenance for eight copies").hasSize(1);
    }

    @Test
    void aConflictHoldsBackOnlyItsOwnConsultation() {
        SyncDevice phone = device("phone-session-" + UUID.randomUUID(), soignant);
        Patient known = Consultations.patient("Traoré", "Salif");
        phone.record(known);
        assertThat(phone.push().accepted).hasSize(1);
        Patient elsewhere = (Patient) phone.records().get(SyncDevice.key(known)).copy();
        elsewhere.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+223 76 00 00 02");
        assertThat(putJson("/Patient/" + known.getIdElement().getIdPart(), json(elsewhere)).statusCode()).isEqualTo(200);

        Patient stale = (Patient) phone.records().get(SyncDevice.key(known)).copy();
        stale.getNameFirstRep().addGiven("Junior");
        SyncDevice.Batch conflicting = phone.record(stale);
        Patient newcomer = Consultations.patient("Coulibaly", "Awa");
        SyncDevice.Batch independent = phone.record(Consultations.visit(newcomer, KONOBOUGOU));

        SyncDevice.PushReport session = phone.push();

        assertThat(session.conflicted).containsExactly(conflicting);
        assertThat(session.accepted).containsExactly(independent);
        assertThat(get("/Patient/" + newcomer.getIdElement().getIdPart()).statusCode()).isEqualTo(200);
    }

    @Test
    void listsEveryConflictAtOnceAndConvergesAfterResolution() throws InterruptedException {
        SyncDevice first = device("phone-a-" + UUID.randomUUID(), soignant);
        SyncDevice second = device("phone-b-" + UUID.randomUUID(), otherSoignant);
        Patient patient = Consultations.patient("Coulibaly", "Mariam");
        Resource[] visit = Consultations.visit(patient, KONOBOUGOU);
        first.record(visit);
        assertThat(first.push().accepted).hasSize(1);
        // The second phone has the same records at version 1 (as its last pull gave them).
        for (Resource resource : visit) {
            Resource copy = resource.copy();
            copy.getMeta().setVersionId("1");
            second.records().put(SyncDevice.key(copy), copy);
        }
        Patient byFirst = (Patient) first.records().get(SyncDevice.key(patient)).copy();
        byFirst.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+223 66 11 22 33");
        org.hl7.fhir.r4.model.Encounter encounterByFirst = (org.hl7.fhir.r4.model.Encounter) first.records().get(SyncDevice.key(visit[1])).copy();
        encounterByFirst.setStatus(org.hl7.fhir.r4.model.Encounter.EncounterStatus.CANCELLED);
        first.record(byFirst, encounterByFirst);
        assertThat(first.push().accepted).hasSize(1);

        Patient bySecond = (Patient) second.records().get(SyncDevice.key(patient)).copy();
        bySecond.getNameFirstRep().addGiven("Kadia");
        org.hl7.fhir.r4.model.Encounter encounterBySecond = (org.hl7.fhir.r4.model.Encounter) second.records().get(SyncDevice.key(visit[1])).copy();
        encounterBySecond.setStatus(org.hl7.fhir.r4.model.Encounter.EncounterStatus.FINISHED);
        encounterBySecond.getClass_().setDisplay("ambulatoire");
        Patient newcomer = Consultations.patient("Sidibé", "Nana");
        Resource alreadyThere = visit[3].copy();
        alreadyThere.getMeta().setVersionId(null);
        second.records().remove(SyncDevice.key(alreadyThere));
        second.record(bySecond, encounterBySecond, newcomer, alreadyThere);

        SyncDevice.PushReport refused = second.push();

        assertThat(refused.conflicted).hasSize(1);
        OperationOutcome outcome = assertOutcome(fhirContext, refused.responses.values().iterator().next(), 412, "conflict",
                "Bundle.entry[0]: " + SyncDevice.key(patient) + " was sent as a change of version 1 but the current version is 2");
        assertThat(outcome.getIssue()).extracting(OperationOutcome.OperationOutcomeIssueComponent::getDiagnostics).containsExactly(
                "Bundle.entry[0]: " + SyncDevice.key(patient) + " was sent as a change of version 1 but the current version is 2",
                "Bundle.entry[1]: " + SyncDevice.key(visit[1]) + " was sent as a change of version 1 but the current version is 2",
                "Bundle.entry[3]: " + SyncDevice.key(alreadyThere) + " was sent as new (no ifMatch) but the server already has it at version 1");
        Extension machineReadable = outcome.getIssueFirstRep().getExtensionByUrl(SyncDevice.CONFLICT_EXTENSION);
        assertThat(machineReadable.getExtensionByUrl("entry").getValue().primitiveValue()).isEqualTo("0");
        assertThat(machineReadable.getExtensionByUrl("sentVersion").getValue().primitiveValue()).isEqualTo("1");
        assertThat(machineReadable.getExtensionByUrl("currentVersion").getValue().primitiveValue()).isEqualTo("2");
        assertThat(get("/Patient/" + newcomer.getIdElement().getIdPart()).statusCode()).as("nothing of the batch written").isEqualTo(404);

        second.resolveConflicts((server, mine) -> {
            if (mine instanceof Patient minePatient && server instanceof Patient serverPatient) {
                Patient merged = serverPatient.copy();
                merged.setName(List.of(minePatient.getNameFirstRep().copy()));
                return merged;
            }
            return server.copy();
        });
        SyncDevice.PushReport resolved = second.push();

        assertThat(resolved.accepted).as(resolved.responses.toString()).hasSize(1);
        Patient converged = parse(Patient.class, get("/Patient/" + patient.getIdElement().getIdPart()).body());
        assertThat(converged.getMeta().getVersionId()).isEqualTo("3");
        assertThat(converged.getNameFirstRep().getGiven()).extracting(Object::toString).containsExactly("Mariam", "Kadia");
        assertThat(converged.getTelecom()).extracting(t -> t.getValue()).contains("+223 66 11 22 33");
        assertThat(get("/Patient/" + newcomer.getIdElement().getIdPart()).statusCode()).isEqualTo(200);

        FeedHorizon.awaitPastEveryChange(jdbc);
        first.pull(500);
        second.pull(500);
        for (String key : List.of(SyncDevice.key(patient), SyncDevice.key(visit[1]), SyncDevice.key(newcomer))) {
            Resource onFirst = first.records().get(key);
            Resource onSecond = second.records().get(key);
            assertThat(onFirst).as("%s on the first phone", key).isNotNull();
            assertThat(onSecond).as("%s on the second phone", key).isNotNull();
            assertThat(onSecond.getMeta().getVersionId()).as(key).isEqualTo(onFirst.getMeta().getVersionId());
            assertThat(content(onFirst).equalsDeep(content(onSecond))).as("both phones hold the same %s", key).isTrue();
        }
        assertThat(first.records().get(SyncDevice.key(patient)).getMeta().getVersionId()).isEqualTo("3");
    }

    /** A record without its id and meta (when and where the server stored it). */
    private static Resource content(Resource resource) {
        Resource content = resource.copy();
        content.setIdElement(null);
        content.setMeta(null);
        return content;
    }

    @Test
    void refusesAReusedKeyWithDifferentContent() {
        SyncDevice phone = device("phone-reuse-" + UUID.randomUUID(), soignant);
        SyncDevice.Batch batch = phone.record(Consultations.visit(Consultations.patient("Sangaré", "Aminata"), KONOBOUGOU));
        Bundle original = phone.bundleOf(batch);
        assertThat(postJson("", json(original)).statusCode()).isEqualTo(200);
        Bundle changed = original.copy();
        ((Patient) changed.getEntryFirstRep().getResource()).getNameFirstRep().setFamily("Sangare");

        assertOutcome(fhirContext, postJson("", json(changed)), 422, "business-rule",
                "the idempotency key '" + batch.key() + "' was already used for a different Bundle");
        assertOutcome(fhirContext, as(otherSoignant, () -> postJson("", json(original))), 422, "business-rule",
                "was already used for a different Bundle");
    }

    @Test
    void forgetsKeysAfterTheWindow() {
        SyncDevice phone = device("phone-old-" + UUID.randomUUID(), soignant);
        Patient patient = Consultations.patient("Dembélé", "Sira");
        SyncDevice.Batch batch = phone.record(patient);
        String body = json(phone.bundleOf(batch));
        assertThat(postJson("", body).statusCode()).isEqualTo(200);
        jdbc.update("update srm_sync_batch set received_at = now() - interval '31 days' where key_value = ?", batch.key());

        assertThat(purge.purge()).isGreaterThanOrEqualTo(1);

        assertThat(jdbc.queryForObject("select count(*) from srm_sync_batch where key_value = ?", Integer.class, batch.key())).isZero();
        assertOutcome(fhirContext, postJson("", body), 412, "conflict", "was sent as new (no ifMatch) but the server already has it at version 1");
    }

    private int versionsStored(Resource resource) {
        return jdbc.queryForObject("select count(*) from hfj_res_ver v join hfj_resource r on r.res_id = v.res_id"
                + " where r.res_type = ? and r.fhir_id = ?", Integer.class, resource.fhirType(), resource.getIdElement().getIdPart());
    }
}
