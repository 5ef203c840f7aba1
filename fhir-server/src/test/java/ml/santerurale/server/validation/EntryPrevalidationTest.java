package ml.santerurale.server.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The entries of a Bundle are validated ahead only for the content HAPI will store: an entry HAPI
 * stores as received (but for its id and version) gets the validation made ahead, one HAPI changed
 * gets none (the caller validates what is stored), and nothing is judged twice or left queued.
 */
class EntryPrevalidationTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    /** Records what it was asked to validate; answers one error when the patient has no gender. */
    private final List<IBaseResource> validated = new CopyOnWriteArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holdFirst;
    private EntryPrevalidation prevalidation;

    private ValidationResult validate(IBaseResource resource) {
        if (holdFirst && validated.isEmpty()) {
            validated.add(resource);
            await();
        } else {
            validated.add(resource);
        }
        boolean error = resource instanceof Patient p && !p.hasGender();
        List<SingleValidationMessage> messages = new java.util.ArrayList<>();
        if (error) {
            SingleValidationMessage m = new SingleValidationMessage();
            m.setSeverity(ResultSeverityEnum.ERROR);
            m.setMessage("gender missing");
            messages.add(m);
        }
        return new ValidationResult(FHIR, messages);
    }

    private void await() {
        try {
            release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterEach
    void close() {
        release.countDown();
        if (prevalidation != null) {
            prevalidation.close();
        }
    }

    private static Bundle bundle() {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        bundle.addEntry().setResource(new Patient().addName(new org.hl7.fhir.r4.model.HumanName().setFamily("Kulibali"))
                .setIdElement(new org.hl7.fhir.r4.model.IdType("Patient", "p1")));
        bundle.addEntry().setResource(new Encounter().setSubject(new Reference("urn:uuid:4f6c")).setId("e1"));
        return bundle;
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean() && System.nanoTime() < end) {
            Thread.sleep(5);
        }
    }

    @Test
    void anEntryStoredAsReceivedGetsTheValidationMadeAheadWithItsErrors() throws Exception {
        prevalidation = new EntryPrevalidation(this::validate, 2, 16);
        Bundle bundle = bundle();
        Map<Object, Object> request = new HashMap<>();
        prevalidation.start(bundle, request, r -> true);
        waitUntil(() -> validated.size() == 2);

        Patient stored = (Patient) bundle.getEntry().get(0).getResource();
        stored.setId("Patient/p1/_history/1");
        stored.getMeta().setVersionId("1").setLastUpdatedElement(InstantType.now()).setSource("#req42");
        ValidationResult result = prevalidation.resultFor(0, stored, request);

        assertThat(result).isNotNull();
        assertThat(result.getMessages()).extracting(SingleValidationMessage::getMessage).containsExactly("gender missing");
        assertThat(validated).hasSize(2);
        assertThat(validated.get(0)).isNotSameAs(stored); // a copy taken before HAPI touched the entry
    }

    @Test
    void anEntryHapiChangedGetsNoneAndIsValidatedByTheCaller() throws Exception {
        prevalidation = new EntryPrevalidation(this::validate, 2, 16);
        Bundle bundle = bundle();
        Map<Object, Object> request = new HashMap<>();
        prevalidation.start(bundle, request, r -> true);
        waitUntil(() -> validated.size() == 2);

        Encounter stored = (Encounter) bundle.getEntry().get(1).getResource();
        stored.setSubject(new Reference("Patient/p1")); // what HAPI does to a urn:uuid reference

        assertThat(prevalidation.resultFor(1, stored, request)).isNull();
    }

    @Test
    void aChangedClaimedProfileCountsAsAChange() {
        Patient received = new Patient().setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
        Patient stored = received.copy();
        stored.getMeta().addProfile("https://sante-rurale.ml/fhir/StructureDefinition/srm-patient");

        assertThat(EntryPrevalidation.sameContent(received, stored)).isFalse();
        assertThat(EntryPrevalidation.sameContent(received, received.copy().setId("Patient/x/_history/2"))).isTrue();
    }

    @Test
    void aValidationNotYetStartedIsTakenBackSoTheCallerNeverWaitsBehindTheQueue() throws Exception {
        holdFirst = true;
        prevalidation = new EntryPrevalidation(this::validate, 1, 16);
        Bundle bundle = bundle();
        Map<Object, Object> request = new HashMap<>();
        prevalidation.start(bundle, request, r -> true);
        waitUntil(() -> validated.size() == 1);

        // The only worker is held on entry 0, so entry 1 is still queued: taken back, not awaited.
        assertThat(prevalidation.resultFor(1, bundle.getEntry().get(1).getResource(), request)).isNull();
        release.countDown();
        assertThat(prevalidation.resultFor(0, bundle.getEntry().get(0).getResource(), request)).isNotNull();
        assertThat(validated).hasSize(1);
    }

    @Test
    void whatIsStillQueuedWhenTheRequestEndsIsDroppedAndAnEntryIsNeverHandedOutTwice() throws Exception {
        holdFirst = true;
        prevalidation = new EntryPrevalidation(this::validate, 1, 16);
        Bundle bundle = bundle();
        Map<Object, Object> request = new HashMap<>();
        prevalidation.start(bundle, request, r -> r instanceof Patient || r instanceof Encounter);
        waitUntil(() -> validated.size() == 1);

        prevalidation.finish(request);
        release.countDown();
        Thread.sleep(100);

        assertThat(validated).hasSize(1); // entry 1 never ran
        assertThat(prevalidation.resultFor(0, bundle.getEntry().get(0).getResource(), request)).isNull();
    }

    @Test
    void onlyTheWantedEntriesAreValidatedAndAFullQueueLeavesTheRestToTheCaller() throws Exception {
        prevalidation = new EntryPrevalidation(this::validate, 1, 1);
        holdFirst = true;
        Bundle bundle = bundle();
        bundle.addEntry().setResource(new Patient().setId("p2"));
        bundle.addEntry().setResource(new Patient().setId("p3"));
        Map<Object, Object> request = new HashMap<>();
        prevalidation.start(bundle, request, r -> r instanceof Patient);
        waitUntil(() -> validated.size() == 1);

        // entry 0 running, entry 2 queued (room for one), entry 3 refused by the full queue, entry 1 not wanted
        assertThat(prevalidation.resultFor(1, bundle.getEntry().get(1).getResource(), request)).isNull();
        assertThat(prevalidation.resultFor(3, bundle.getEntry().get(3).getResource(), request)).isNull();
        release.countDown();
        assertThat(prevalidation.resultFor(0, bundle.getEntry().get(0).getResource(), request)).isNotNull();
        waitUntil(() -> validated.size() == 2);
        assertThat(prevalidation.resultFor(2, bundle.getEntry().get(2).getResource(), request)).isNotNull();
        Thread.sleep(100);
        assertThat(validated).hasSize(2).allMatch(Patient.class::isInstance);
    }
}
