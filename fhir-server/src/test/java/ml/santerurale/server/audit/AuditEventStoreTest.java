package ml.santerurale.server.audit;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.interceptors.access.SiteLabels;
import ml.santerurale.interceptors.audit.AuditEventFactory;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audit store (issue 17): events move from the outbox into {@code srm_audit_event} in bulk,
 * the table refuses to change them, and the REST server serves them read-only as AuditEvent with
 * an auditor's searches, paging and each site's events kept to that site.
 *
 * <p>Fixture: seven events of one marker (agent altId), recorded at noon on seven days after a
 * base date two months ago (within the retention), at Konobougou (days 1-5), at Djéli (day 6)
 * and national (day 7).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuditEventStoreTest extends ServerIntegrationTest {

    private static final String DCM = "http://dicom.nema.org/resources/ontology/DCM";

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    PlatformTransactionManager transactionManager;

    private final String marker = "store-" + UUID.randomUUID();
    /** A stored Konobougou patient: named as a reference by Konobougou's events, as a logical identifier by others'. */
    private final org.hl7.fhir.r4.model.Patient stored = ml.santerurale.server.support.ClinicalRecords.patient("Traore", "Mariam",
            "cscom-konobougou");
    private final String patient = "Patient/" + stored.getIdPart();
    private final String requestId = "req-" + UUID.randomUUID();
    private final String admin = TestTokens.get().admin();
    private final String konobougouMajor = TestTokens.get().user("major.store", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
    private final String soignant = TestTokens.get().user("soignant.store", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final List<String> ids = new ArrayList<>();
    private final java.time.LocalDate base = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusMonths(2);

    @BeforeAll
    void sevenEventsMovedInOneDrain() {
        HttpResponse<String> created = as(soignant, () -> putJson("/" + patient, json(stored)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        long before = jdbc.queryForObject("select count(*) from srm_audit_event", Long.class);
        for (int day = 1; day <= 7; day++) {
            String site = day <= 5 ? "CSCOM-KONOBOUGOU" : day == 6 ? "CSCOM-DJELI" : null;
            AuditEvent event = event(day, site, marker, patient);
            jdbc.update("insert into srm_audit_outbox (payload) values (?)", json(event));
        }
        drainer.drainAll();
        List<String> stored = jdbc.queryForList("select id from srm_audit_event where search_keys @> ?::text[]"
                + " order by recorded", String.class, (Object) new String[] {"altid:" + marker});
        assertThat(stored).as("every event of the outbox in the store").hasSize(7);
        ids.addAll(stored);
        assertThat(jdbc.queryForObject("select count(*) from srm_audit_event", Long.class)).isGreaterThanOrEqualTo(before + 7);
        assertThat(jdbc.queryForObject("select count(*) from srm_audit_outbox where payload like ?", Long.class,
                "%" + marker + "%")).as("moved, not copied").isZero();
    }

    private AuditEvent event(int day, String site, String marker, String patient) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding(DCM, "110110", "Patient Record"));
        event.addSubtype(new Coding("http://hl7.org/fhir/restful-interaction", day % 2 == 0 ? "read" : "search-type", null));
        event.setAction(day % 2 == 0 ? AuditEvent.AuditEventAction.R : AuditEvent.AuditEventAction.E);
        event.setOutcome(day == 3 ? AuditEvent.AuditEventOutcome._4 : AuditEvent.AuditEventOutcome._0);
        event.setRecorded(Date.from(base.plusDays(day).atTime(12, 0).toInstant(java.time.ZoneOffset.UTC)));
        event.getSource().setObserver(new Reference().setDisplay("test"));
        event.addAgent().setRequestor(true).setAltId(marker)
                .setWho(new Reference().setIdentifier(new Identifier().setSystem(AuditEventFactory.SUBJECT_SYSTEM)
                        .setValue("subject-" + (day <= 2 ? "a" : "b"))));
        event.addEntity().setWhat(new Reference(patient)).setName(patient);
        event.addEntity().setType(new Coding(AuditEventFactory.BALP_ENTITY_TYPE, "XrequestId", "X-Request-Id"))
                .setWhat(new Reference().setIdentifier(new Identifier().setValue(requestId + (day == 4 ? "-4" : ""))));
        if (site != null) {
            SiteLabels.stamp(event, site);
        }
        return event;
    }

    @Test
    void theStoreRefusesToChangeOrDeleteAnEvent() {
        String id = ids.get(0);
        assertThatThrownBy(() -> jdbc.update("update srm_audit_event set resource = '{}' where id = ?", id))
                .hasStackTraceContaining("append-only: UPDATE refused");
        assertThatThrownBy(() -> jdbc.update("delete from srm_audit_event where id = ?", id))
                .hasStackTraceContaining("append-only: DELETE refused");
        assertThatThrownBy(() -> jdbc.execute("truncate srm_audit_event")).hasStackTraceContaining("append-only: TRUNCATE refused");
        // The retention purge's own declaration is transaction-local: it does not outlive its transaction.
        new TransactionTemplate(transactionManager).executeWithoutResult(status ->
                jdbc.queryForObject("select set_config('srm.audit_retention', 'purge', true)", String.class));
        assertThatThrownBy(() -> jdbc.update("delete from srm_audit_event where id = ?", id))
                .hasStackTraceContaining("append-only: DELETE refused");
        assertThat(jdbc.queryForObject("select count(*) from srm_audit_event where id = ?", Long.class, id)).isEqualTo(1);
    }

    @Test
    void searchesByPatientAgentDateEntityOutcomeAndRequestIdNewestFirst() {
        assertThat(recordedDays("altid=" + marker)).containsExactly(7, 6, 5, 4, 3, 2, 1);
        assertThat(recordedDays("altid=" + marker + "&_sort=date")).containsExactly(1, 2, 3, 4, 5, 6, 7);
        // Only the events stored at the patient's own site name it as a reference (the others as a
        // logical identifier, like a missing record); every event keeps it as the entity's name.
        assertThat(recordedDays("patient=" + stored.getIdPart() + "&altid=" + marker)).containsExactly(5, 4, 3, 2, 1);
        assertThat(recordedDays("patient=" + patient + "&altid=" + marker)).containsExactly(5, 4, 3, 2, 1);
        assertThat(recordedDays("entity=" + patient + "&altid=" + marker)).containsExactly(5, 4, 3, 2, 1);
        assertThat(recordedDays("entity-id=" + patient + "&altid=" + marker)).containsExactly(7, 6);
        assertThat(recordedDays("entity-name=" + patient + "&altid=" + marker)).hasSize(7);
        assertThat(recordedDays("agent:identifier=" + encode(AuditEventFactory.SUBJECT_SYSTEM + "|subject-a") + "&altid=" + marker))
                .containsExactly(2, 1);
        assertThat(recordedDays("altid=" + marker + "&date=ge" + day(3) + "&date=lt" + day(5))).containsExactly(4, 3);
        assertThat(recordedDays("altid=" + marker + "&date=" + day(2))).containsExactly(2);
        assertThat(recordedDays("altid=" + marker + "&date=gt" + day(6))).containsExactly(7);
        assertThat(recordedDays("altid=" + marker + "&date=le" + day(1))).containsExactly(1);
        assertThat(recordedDays("altid=" + marker + "&date=ne" + day(1).substring(0, 4))).isEmpty();
        assertThat(recordedDays("altid=" + marker + "&outcome=4")).containsExactly(3);
        assertThat(recordedDays("altid=" + marker + "&subtype=read&action=R")).containsExactly(6, 4, 2);
        assertThat(recordedDays("altid=" + marker + "&type=" + encode(DCM + "|110110") + "&outcome=0,4")).hasSize(7);
        assertThat(recordedDays("entity-id=" + requestId + "-4")).as("the request id (BALP XrequestId)").containsExactly(4);
        assertThat(recordedDays("entity-id=" + requestId)).hasSize(6);
        HttpResponse<String> count = as(admin, () -> get("/AuditEvent?altid=" + marker + "&_summary=count"));
        assertThat(parse(Bundle.class, count.body()).getTotal()).isEqualTo(7);
    }

    @Test
    void pagesFollowNextLinksAndDoNotShiftWhenEventsArrive() {
        String paged = "paged-" + UUID.randomUUID();
        String pagedPatient = "Patient/" + UUID.randomUUID();
        for (int day = 1; day <= 7; day++) {
            jdbc.update("insert into srm_audit_outbox (payload) values (?)", json(event(day, "CSCOM-KONOBOUGOU", paged, pagedPatient)));
        }
        drainer.drainAll();
        Bundle first = parse(Bundle.class, as(admin, () -> get("/AuditEvent?altid=" + paged + "&_count=3")).body());
        assertThat(days(first)).containsExactly(7, 6, 5);
        assertThat(first.getLink("next")).as("a next link").isNotNull();
        // A newer event of the same search arrives between two pages.
        jdbc.update("insert into srm_audit_outbox (payload) values (?)", json(event(8, "CSCOM-KONOBOUGOU", paged, pagedPatient)));
        drainer.drainAll();
        Bundle second = follow(first.getLink("next").getUrl());
        assertThat(days(second)).containsExactly(4, 3, 2);
        Bundle third = follow(second.getLink("next").getUrl());
        assertThat(days(third)).containsExactly(1);
        assertThat(third.getLink("next")).as("the last page").isNull();
        assertThat(recordedDays(admin, "altid=" + paged)).as("a new search sees it").startsWith(8, 7);
        // Whoever follows a page link gets their own reach: a major of another site sees nothing of it.
        String djeliMajor = TestTokens.get().user("major.djeli.store", Set.of("major"), Set.of("CSCOM-DJELI"));
        String path = first.getLink("next").getUrl();
        HttpResponse<String> foreignPage = as(djeliMajor, () -> get(path.substring(path.indexOf("/fhir") + "/fhir".length())));
        assertThat(foreignPage.statusCode()).isEqualTo(200);
        assertThat(parse(Bundle.class, foreignPage.body()).getEntry()).isEmpty();
    }

    @Test
    void aMajorReadsOnlyTheirSitesEventsAndAnotherSitesEventAnswersLikeAMissingOne() {
        assertThat(recordedDays(konobougouMajor, "altid=" + marker)).doesNotContain(6, 7).contains(5, 4, 3, 2, 1);
        String djeli = ids.get(5);
        HttpResponse<String> foreign = as(konobougouMajor, () -> get("/AuditEvent/" + djeli));
        String missingId = UUID.randomUUID().toString();
        HttpResponse<String> missing = as(konobougouMajor, () -> get("/AuditEvent/" + missingId));
        assertThat(foreign.statusCode()).isEqualTo(404).isEqualTo(missing.statusCode());
        assertThat(foreign.body().replace(djeli, "ID")).isEqualTo(missing.body().replace(missingId, "ID"));
        assertThat(as(konobougouMajor, () -> get("/AuditEvent/" + ids.get(6))).statusCode()).as("national").isEqualTo(404);
        assertThat(as(konobougouMajor, () -> get("/AuditEvent/" + ids.get(0))).statusCode()).isEqualTo(200);
        assertThat(as(konobougouMajor, () -> get("/AuditEvent/" + ids.get(0) + "/_history/1")).statusCode()).isEqualTo(200);
        assertThat(as(konobougouMajor, () -> get("/AuditEvent/" + ids.get(0) + "/_history/2")).statusCode()).isEqualTo(404);
        assertThat(as(admin, () -> get("/AuditEvent/" + djeli)).statusCode()).isEqualTo(200);
        assertThat(as(konobougouMajor, () -> get("/AuditEvent?altid=" + marker + "&_summary=count")).body())
                .contains("\"total\":5");
        assertOutcome(fhirContext, as(soignant, () -> get("/AuditEvent?altid=" + marker)), 403, "forbidden", "");
        assertOutcome(fhirContext, as(soignant, () -> get("/AuditEvent/" + ids.get(0))), 403, "forbidden", "");
    }

    @Test
    void writesAreRefusedWithAnOperationOutcomeAndTheEventStaysAsItWas() {
        String id = ids.get(1);
        AuditEvent event = parse(AuditEvent.class, as(admin, () -> get("/AuditEvent/" + id)).body());
        event.setOutcomeDesc("tampered");
        as(admin, () -> {
            assertOutcome(fhirContext, putJson("/AuditEvent/" + id, json(event)), 403, "forbidden", "AuditEvent");
            assertOutcome(fhirContext, postJson("/AuditEvent", json(event)), 403, "forbidden", "AuditEvent");
            assertOutcome(fhirContext, send(request("/AuditEvent/" + id).DELETE()), 403, "forbidden", "AuditEvent");
            assertOutcome(fhirContext, send(request("/AuditEvent?altid=" + marker).DELETE()), 403, "forbidden", "AuditEvent");
            assertOutcome(fhirContext, send(request("/AuditEvent/" + id).header("Content-Type", "application/json-patch+json")
                    .method("PATCH", HttpRequest.BodyPublishers.ofString("[{\"op\":\"add\",\"path\":\"/outcomeDesc\",\"value\":\"x\"}]"))),
                    403, "forbidden", "AuditEvent");
            Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
            transaction.addEntry().setResource(event).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("AuditEvent/" + id);
            assertOutcome(fhirContext, postJson("", json(transaction)), 403, "forbidden", "AuditEvent");
            return null;
        });
        AuditEvent unchanged = parse(AuditEvent.class, as(admin, () -> get("/AuditEvent/" + id)).body());
        assertThat(unchanged.getOutcomeDesc()).isNotEqualTo("tampered");
        assertThat(unchanged.getMeta().getVersionId()).isEqualTo("1");
    }

    @Test
    void anUnsupportedParameterIsRefusedNotIgnored() {
        HttpResponse<String> answer = as(admin, () -> get("/AuditEvent?altid=" + marker + "&policy=x"));
        assertOutcome(fhirContext, answer, 400, null, "not supported here: policy");
    }

    @Test
    void theCapabilityStatementListsTheTrailsSearchParameters() {
        CapabilityStatement statement = parse(CapabilityStatement.class, get("/metadata").body());
        CapabilityStatement.CapabilityStatementRestResourceComponent auditEvent = statement.getRestFirstRep().getResource()
                .stream().filter(r -> "AuditEvent".equals(r.getType())).findFirst().orElseThrow();
        assertThat(auditEvent.getSearchParam()).extracting(p -> p.getName()).containsExactlyInAnyOrder(
                "_id", "patient", "agent", "agent-name", "altid", "entity", "entity-name", "entity-id", "type", "subtype", "action",
                "outcome", "date");
        assertThat(auditEvent.getSearchInclude()).isEmpty();
    }

    private Bundle follow(String url) {
        String path = url.substring(url.indexOf("/fhir") + "/fhir".length());
        HttpResponse<String> page = as(admin, () -> get(path));
        assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
        return parse(Bundle.class, page.body());
    }

    private List<Integer> recordedDays(String query) {
        return recordedDays(admin, query);
    }

    private List<Integer> recordedDays(String token, String query) {
        HttpResponse<String> answer = as(token, () -> get("/AuditEvent?" + query + "&_count=100"));
        assertThat(answer.statusCode()).as(query + ": " + answer.body()).isEqualTo(200);
        return days(parse(Bundle.class, answer.body()));
    }

    /** The fixture's day {@code n} as a FHIR date. */
    private String day(int n) {
        return base.plusDays(n).toString();
    }

    /** Each entry's day after the base date. */
    private List<Integer> days(Bundle bundle) {
        return bundle.getEntry().stream().map(e -> ((AuditEvent) e.getResource()).getRecorded().toInstant())
                .map(i -> (int) java.time.temporal.ChronoUnit.DAYS.between(base, i.atZone(java.time.ZoneOffset.UTC).toLocalDate()))
                .toList();
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
