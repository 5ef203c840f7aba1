package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import ml.santerurale.interceptors.audit.AuditEventFactory;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every access to patient data, and every refused attempt, leaves an AuditEvent (IHE BALP shape).
 * Its patients live at a site of their own (CSCOM Tamani), so the writes and deletes here do not
 * show in other tests' views of the pilot sites.
 */
class AuditTrailTest extends ServerIntegrationTest {

    private static final String SITE = "CSCOM-TAMANI";

    private String caller = TestTokens.get().medecin(SITE);

    @Override
    protected String token() {
        return caller;
    }

    private <T> T asUser(String token, java.util.function.Supplier<T> action) {
        String previous = caller;
        caller = token;
        try {
            return action.get();
        } finally {
            caller = previous;
        }
    }

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    org.springframework.jdbc.core.JdbcTemplate jdbc;

    @Test
    void aReadOfAPatientNamesThePatientTheUserTheirSitesAndTheClient() {
        String id = createPatient("Diarra");
        String medecin = TestTokens.get().medecin(SITE, "CSCOM-DJELI");
        HttpResponse<String> read = asUser(medecin, () -> get("/Patient/" + id));
        assertThat(read.statusCode()).isEqualTo(200);

        AuditEvent event = awaitEvent("Patient/" + id, e -> hasSubtype(e, "read"));
        assertThat(requestIdOf(event)).isEqualTo(read.headers().firstValue("X-Request-ID").orElseThrow());
        assertThat(event.getType().getCode()).isEqualTo("rest");
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(event.getRecorded()).isNotNull();
        AuditEvent.AuditEventAgentComponent user = event.getAgentFirstRep();
        assertThat(user.getRequestor()).isTrue();
        assertThat(user.getWho().getIdentifier().getSystem()).isEqualTo(AuditEventFactory.SUBJECT_SYSTEM);
        assertThat(user.getWho().getIdentifier().getValue()).isNotBlank();
        assertThat(user.getAltId()).isEqualTo("medecin.test");
        assertThat(user.getRole()).extracting(r -> r.getCodingFirstRep().getCode()).containsExactly("medecin");
        assertThat(user.getExtensionsByUrl(AuditEventFactory.SITE_EXTENSION))
                .extracting(x -> ((Identifier) x.getValue()).getValue())
                .containsExactly("CSCOM-DJELI", SITE);
        assertThat(user.getNetwork().getAddress()).isIn("127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(event.getAgent().get(1).getWho().getIdentifier().getValue()).isEqualTo("pwa");
        assertThat(event.getSource().getObserver().getDisplay()).isNotBlank();
        assertThat(entityRefs(event)).contains("Patient/" + id);
        assertThat(events("Patient/" + id)).filteredOn(e -> hasSubtype(e, "read")).hasSize(1);
    }

    @Test
    void concurrentReadsEachLeaveExactlyOneEvent() throws Exception {
        String id = createPatient("Keïta");
        int threads = 8;
        int readsEach = 25;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
        try {
            List<java.util.concurrent.Future<?>> readers = new java.util.ArrayList<>();
            for (int t = 0; t < threads; t++) {
                readers.add(pool.submit(() -> {
                    for (int n = 0; n < readsEach; n++) {
                        assertThat(get("/Patient/" + id).statusCode()).isEqualTo(200);
                    }
                    return null;
                }));
            }
            for (java.util.concurrent.Future<?> reader : readers) {
                reader.get(2, java.util.concurrent.TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        int expected = threads * readsEach;
        long deadline = System.nanoTime() + 30_000_000_000L;
        int stored;
        do {
            drainer.drainAll();
            stored = asUser(TestTokens.get().admin(), () -> parse(Bundle.class,
                    get("/AuditEvent?entity-name=Patient/" + id + "&subtype=read&_summary=count").body())).getTotal();
        } while (stored < expected && System.nanoTime() < deadline);
        assertThat(stored).as("one read event per read, none lost, none doubled").isEqualTo(expected);
    }

    @Test
    void aSearchNamesEveryPatientReturnedAndKeepsTheQuery() {
        String family = "Audit" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        String first = createPatient(family);
        String second = createPatient(family);
        HttpResponse<String> search = get("/Patient?family=" + family);
        assertThat(search.statusCode()).isEqualTo(200);

        AuditEvent event = awaitEvent("Patient/" + first, e -> hasSubtype(e, "search-type"));
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.E);
        assertThat(entityRefs(event)).contains("Patient/" + first, "Patient/" + second);
        assertThat(event.getEntity()).filteredOn(e -> e.hasQuery())
                .extracting(e -> new String(e.getQuery(), StandardCharsets.UTF_8))
                .singleElement().asString().contains("family=" + family);
    }

    @Test
    void aSearchOfObservationsNamesThePatientsTheyAreAbout() {
        String patient = createPatient("Keita");
        Observation observation = ml.santerurale.server.support.Conforming.temperature("Patient/" + patient, 38.1);
        assertThat(postJson("/Observation", json(observation)).statusCode()).isEqualTo(201);
        assertThat(get("/Observation?subject=Patient/" + patient).statusCode()).isEqualTo(200);

        AuditEvent event = awaitEvent("Patient/" + patient, e -> hasSubtype(e, "search-type"));
        assertThat(new String(event.getEntity().stream().filter(e -> e.hasQuery()).findFirst().orElseThrow().getQuery(),
                StandardCharsets.UTF_8)).contains("/Observation?subject=");
    }

    @Test
    void createUpdateAndDeleteEachLeaveAnEventAndTheAuditedPatientStaysDeletable() {
        String id = createPatient("Traoré");
        Patient changed = patient("Traoré");
        changed.setId(id);
        changed.getNameFirstRep().addGiven("Awa");
        assertThat(putJson("/Patient/" + id, json(changed)).statusCode()).isEqualTo(200);
        awaitEvent("Patient/" + id, e -> hasSubtype(e, "update"));

        assertThat(send(request("/Patient/" + id).DELETE()).statusCode()).as("deletable though audited").isEqualTo(200);

        assertThat(awaitEvent("Patient/" + id, e -> hasSubtype(e, "create")).getAction())
                .isEqualTo(AuditEvent.AuditEventAction.C);
        assertThat(awaitEvent("Patient/" + id, e -> hasSubtype(e, "update")).getAction())
                .isEqualTo(AuditEvent.AuditEventAction.U);
        // HAPI stores no reference to a deleted resource: the delete names it logically.
        assertThat(awaitEvent("Patient/" + id, e -> hasSubtype(e, "delete")).getAction())
                .isEqualTo(AuditEvent.AuditEventAction.D);
        assertThat(events("Patient/" + id)).as("one event per write, not one per hook call")
                .filteredOn(e -> hasSubtype(e, "create")).hasSize(1);
    }

    @Test
    void theEntriesOfATransactionLeaveOneEventPerPatientMarkedAsPartOfIt() {
        String patientId = UUID.randomUUID().toString();
        String otherPatientId = UUID.randomUUID().toString();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (String id : List.of(patientId, otherPatientId)) {
            Patient patient = patient("Coulibaly");
            patient.setId(id);
            transaction.addEntry().setResource(patient).getRequest()
                    .setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
            Observation observation = ml.santerurale.server.support.Conforming.temperature("Patient/" + id, 38.1);
            transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(observation)
                    .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        }
        HttpResponse<String> response = postJson("", json(transaction));
        assertThat(response.statusCode()).isEqualTo(200);
        String requestId = response.headers().firstValue("X-Request-ID").orElseThrow();

        // One event per patient, naming the patient and everything written for them.
        AuditEvent event = awaitEvent("Patient/" + patientId, e -> hasSubtype(e, "transaction"));
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.C);
        assertThat(event.getSubtype()).extracting(Coding::getCode).containsExactly("create", "transaction");
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(entityRefs(event)).hasSize(2).contains("Patient/" + patientId)
                .anySatisfy(reference -> assertThat(reference).startsWith("Observation/"))
                .doesNotContain("Patient/" + otherPatientId);
        assertThat(requestIdOf(event)).isEqualTo(requestId);
        assertThat(events("Patient/" + patientId)).filteredOn(e -> hasSubtype(e, "transaction")).hasSize(1);
        assertThat(requestIdOf(awaitEvent("Patient/" + otherPatientId, e -> hasSubtype(e, "transaction"))))
                .isEqualTo(requestId);
    }

    @Test
    void aTransactionThatFailsLeavesNoSuccessEvent() {
        String patientId = UUID.randomUUID().toString();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient patient = patient("Konaté");
        patient.setId(patientId);
        transaction.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + patientId);
        Observation observation = ml.santerurale.server.support.Conforming.temperature("Patient/" + UUID.randomUUID(), 38.1); // missing: the whole Bundle fails
        transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(observation)
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        assertThat(postJson("", json(transaction)).statusCode()).isEqualTo(400);

        drainer.drainAll();
        assertThat(get("/Patient/" + patientId).statusCode()).isEqualTo(404);
        assertThat(events("Patient/" + patientId)).filteredOn(e -> hasSubtype(e, "create")).isEmpty();
    }

    @Test
    void aRequestWithoutTokenIsAuditedAsARefusal() {
        String id = createPatient("Sangaré");
        HttpResponse<String> response = send(HttpRequest.newBuilder(java.net.URI.create(fhirBase() + "/Patient/" + id)).GET());
        assertThat(response.statusCode()).isEqualTo(401);

        AuditEvent event = awaitEvent("Patient/" + id, e -> e.getOutcome() == AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).startsWith("HTTP 401");
        assertThat(event.getAgentFirstRep().getWho().getDisplay()).isEqualTo("unauthenticated");
        assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
    }

    @Test
    void aForbiddenDeleteIsAuditedWithTheUser() {
        String id = createPatient("Touré");
        String soignant = TestTokens.get().user("soignant.audit", Set.of("soignant"), Set.of(SITE));
        assertThat(asUser(soignant, () -> send(request("/Patient/" + id).DELETE())).statusCode()).isEqualTo(403);

        AuditEvent event = awaitEvent("Patient/" + id, e -> hasSubtype(e, "delete"));
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).startsWith("HTTP 403");
        assertThat(event.getAgentFirstRep().getAltId()).isEqualTo("soignant.audit");
        assertThat(events("Patient/" + id)).filteredOn(e -> hasSubtype(e, "delete")).hasSize(1);
    }

    @Test
    void historyOfAPatientIsAuditedNamingThePatient() {
        String id = createPatient("Maïga");
        assertThat(get("/Patient/" + id + "/_history").statusCode()).isEqualTo(200);

        AuditEvent event = awaitEvent("Patient/" + id, e -> e.getSubtype().stream().anyMatch(c -> c.getCode().startsWith("history")));
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(entityRefs(event)).contains("Patient/" + id);
    }

    @Test
    void aReadOfAnotherSitesPatientIsAuditedAsARefusal() {
        String id = createPatient("Dembélé");
        String elsewhere = TestTokens.get().user("soignant.djeli.audit", Set.of("soignant"), Set.of("CSCOM-DJELI"));
        assertThat(asUser(elsewhere, () -> get("/Patient/" + id)).statusCode()).isEqualTo(404);

        AuditEvent event = awaitEvent("Patient/" + id, e -> e.getOutcome() == AuditEvent.AuditEventOutcome._4
                && "soignant.djeli.audit".equals(e.getAgentFirstRep().getAltId()));
        assertThat(event.getOutcomeDesc()).startsWith("HTTP 404");
        assertThat(event.getSubtypeFirstRep().getCode()).isEqualTo("read");
    }

    @Test
    void aForgedTokenIsAuditedAsARefusal() {
        String id = createPatient("Sissoko");
        java.util.Base64.Encoder base64 = java.util.Base64.getUrlEncoder().withoutPadding();
        String unsigned = base64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + base64.encodeToString("{\"sub\":\"intrus\",\"realm_access\":{\"roles\":[\"admin\"]}}".getBytes(StandardCharsets.UTF_8)) + ".";
        HttpResponse<String> response = send(HttpRequest.newBuilder(java.net.URI.create(fhirBase() + "/Patient/" + id))
                .header("Authorization", "Bearer " + unsigned).GET());
        assertThat(response.statusCode()).isEqualTo(401);

        AuditEvent event = awaitEvent("Patient/" + id, e -> e.getOutcome() == AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).startsWith("HTTP 401");
        assertThat(event.getAgentFirstRep().getWho().getDisplay()).isEqualTo("unauthenticated");
    }

    @Test
    void aReadOfAMissingPatientIsAudited() {
        String id = UUID.randomUUID().toString();
        assertThat(get("/Patient/" + id).statusCode()).isEqualTo(404);

        // HAPI stores no reference to a resource it does not have: the event names it logically.
        AuditEvent event = awaitEvent("Patient/" + id, e -> hasSubtype(e, "read"));
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._4);
        assertThat(event.getOutcomeDesc()).startsWith("HTTP 404");
        assertThat(event.getEntityFirstRep().getWhat().getIdentifier().getValue()).isEqualTo("Patient/" + id);
    }

    @Test
    void readingReferenceDataLeavesNoEvent() {
        Bundle organizations = parse(Bundle.class, get("/Organization?_count=1").body());
        String reference = "Organization/" + organizations.getEntryFirstRep().getResource().getIdElement().getIdPart();
        drainer.drainAll();
        assertThat(events(reference)).isEmpty();
    }

    @Test
    void theTrailCannotBeChangedThroughTheApi() {
        String id = createPatient("Dembélé");
        AuditEvent event = awaitEvent("Patient/" + id, e -> hasSubtype(e, "create"));
        String admin = TestTokens.get().admin();
        event.setOutcomeDesc("tampered");
        assertThat(asUser(admin, () -> putJson("/AuditEvent/" + event.getIdElement().getIdPart(), json(event))).statusCode())
                .isEqualTo(403);
        assertThat(asUser(admin, () -> send(request("/AuditEvent/" + event.getIdElement().getIdPart()).DELETE())).statusCode())
                .isEqualTo(403);
        assertThat(asUser(admin, () -> send(request("/AuditEvent?entity-name=Patient/" + id).DELETE())).statusCode())
                .as("conditional delete").isEqualTo(403);
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(event).getRequest().setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("AuditEvent/" + event.getIdElement().getIdPart());
        transaction.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("AuditEvent?entity-name=Patient/" + id);
        assertThat(asUser(admin, () -> postJson("", json(transaction))).statusCode()).as("transaction entries").isEqualTo(403);
        AuditEvent unchanged = asUser(admin, () -> parse(AuditEvent.class, get("/AuditEvent/" + event.getIdElement().getIdPart()).body()));
        assertThat(unchanged.getOutcomeDesc()).isNotEqualTo("tampered");
        assertThat(unchanged.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void aPatchIsAuditedAsAnUpdateOfThePatient() {
        String id = createPatient("Coulibaly");
        HttpResponse<String> jsonPatch = send(request("/Patient/" + id).header("Content-Type", "application/json-patch+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString("[{\"op\":\"replace\",\"path\":\"/gender\",\"value\":\"male\"}]")));
        org.hl7.fhir.r4.model.Parameters fhirPath = new org.hl7.fhir.r4.model.Parameters();
        org.hl7.fhir.r4.model.Parameters.ParametersParameterComponent replace = fhirPath.addParameter().setName("operation");
        replace.addPart().setName("type").setValue(new org.hl7.fhir.r4.model.CodeType("replace"));
        replace.addPart().setName("path").setValue(new org.hl7.fhir.r4.model.StringType("Patient.gender"));
        replace.addPart().setName("value").setValue(new org.hl7.fhir.r4.model.CodeType("female"));
        HttpResponse<String> fhirPathPatch = send(request("/Patient/" + id).header("Content-Type", "application/fhir+json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json(fhirPath))));

        for (HttpResponse<String> patch : List.of(jsonPatch, fhirPathPatch)) {
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(200);
            String requestId = patch.headers().firstValue("X-Request-ID").orElseThrow();
            AuditEvent event = awaitEvent("Patient/" + id, e -> requestId.equals(requestIdOf(e)));
            assertThat(event.getAction()).as("a patch is an update").isEqualTo(AuditEvent.AuditEventAction.U);
            assertThat(event.getSubtype()).extracting(Coding::getCode).containsExactly("patch");
            assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
            assertThat(entityRefs(event)).contains("Patient/" + id);
            assertThat(events("Patient/" + id)).as("one event per patch").filteredOn(e -> requestId.equals(requestIdOf(e))).hasSize(1);
        }
        assertThat(parse(Patient.class, get("/Patient/" + id).body()).getMeta().getVersionId()).isEqualTo("3");
    }

    @Test
    void aVreadIsAuditedAsAReadOfThePatient() {
        String id = createPatient("Samaké");
        HttpResponse<String> vread = get("/Patient/" + id + "/_history/1");
        assertThat(vread.statusCode()).as(vread.body()).isEqualTo(200);
        String requestId = vread.headers().firstValue("X-Request-ID").orElseThrow();

        AuditEvent event = awaitEvent("Patient/" + id, e -> requestId.equals(requestIdOf(e)));
        assertThat(event.getAction()).isEqualTo(AuditEvent.AuditEventAction.R);
        assertThat(event.getSubtype()).extracting(Coding::getCode).containsExactly("vread");
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(entityRefs(event)).anySatisfy(reference -> assertThat(reference).startsWith("Patient/" + id));
    }

    @Test
    void aFeedPullIsAuditedNamingThePatientsItCarried() throws InterruptedException {
        String id = createPatient("Bagayoko");
        ml.santerurale.server.support.FeedHorizon.awaitPastEveryChange(jdbc);
        String since = java.net.URLEncoder.encode(java.time.Instant.now().minusSeconds(60).toString(), StandardCharsets.UTF_8);
        HttpResponse<String> pull = get("/_history?_since=" + since + "&_count=500");
        assertThat(pull.statusCode()).as(pull.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, pull.body()).getEntry()).as("the pull carried the new patient")
                .anySatisfy(entry -> assertThat(entry.getRequest().getUrl()).startsWith("Patient/" + id + "/"));
        String requestId = pull.headers().firstValue("X-Request-ID").orElseThrow();

        AuditEvent event = awaitEvent("Patient/" + id, e -> requestId.equals(requestIdOf(e)));
        assertThat(event.getAction()).as("a history query").isEqualTo(AuditEvent.AuditEventAction.E);
        assertThat(event.getSubtype()).extracting(Coding::getCode).containsExactly("history-system");
        assertThat(event.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
    }

    // ---------------------------------------------------------------- helpers

    private String createPatient(String family) {
        String id = UUID.randomUUID().toString();
        Patient patient = patient(family);
        patient.setId(id);
        assertThat(putJson("/Patient/" + id, json(patient)).statusCode()).isEqualTo(201);
        return id;
    }

    private static Patient patient(String family) {
        return ml.santerurale.server.support.Conforming.patient(family, "Test");
    }

    /** The first event naming {@code reference} that matches, waiting up to 10 s for the drain. */
    /**
     * Looked up by {@code entity-name} (every entity's name is its reference): a string, found
     * whatever partition the named resource lives in and whether or not it still exists.
     */
    private AuditEvent awaitEvent(String reference, Predicate<AuditEvent> matching) {
        return awaitEvent("entity-name", reference, matching);
    }

    private AuditEvent awaitEvent(String parameter, String reference, Predicate<AuditEvent> matching) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            drainer.drainAll();
            List<AuditEvent> found = events(parameter, reference).stream().filter(matching).toList();
            if (!found.isEmpty()) {
                return found.get(0);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("No matching AuditEvent for " + reference + " among: "
                        + events(parameter, reference).stream().map(this::json).toList());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private List<AuditEvent> events(String reference) {
        return events("entity-name", reference);
    }

    private List<AuditEvent> events(String parameter, String reference) {
        HttpResponse<String> response = asUser(TestTokens.get().admin(),
                () -> get("/AuditEvent?" + parameter + "=" + reference + "&_count=100"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .map(e -> (AuditEvent) e.getResource()).toList();
    }

    private static boolean hasSubtype(AuditEvent event, String code) {
        return event.getSubtype().stream().anyMatch(c -> code.equals(c.getCode()));
    }

    private static String requestIdOf(AuditEvent event) {
        return event.getEntity().stream()
                .filter(e -> AuditEventFactory.BALP_ENTITY_TYPE.equals(e.getType().getSystem())
                        && "XrequestId".equals(e.getType().getCode()))
                .map(e -> e.getWhat().getIdentifier().getValue()).findFirst().orElse(null);
    }

    private static List<String> entityRefs(AuditEvent event) {
        return event.getEntity().stream().filter(e -> e.getWhat().hasReference())
                .map(e -> e.getWhat().getReference()).toList();
    }
}
