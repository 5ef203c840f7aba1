package ml.santerurale.server.reporting;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import ml.santerurale.dhis2.DataValueSet;
import ml.santerurale.dhis2.DeliveryInstance;
import ml.santerurale.dhis2.Dhis2Properties;
import ml.santerurale.dhis2.ExportJournal;
import ml.santerurale.server.support.FakeDhis2;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.apache.camel.CamelContext;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Delivery to DHIS2 through the Camel route, against the fake DHIS2: what DHIS2 stores and
 * counts, what the journal records of each attempt, outages, conflicts and refusals. Each test
 * uses its own month of 2025 at CSCOM Konobougou.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Dhis2DeliveryTest extends ServerIntegrationTest {

    private static final String SITE = "cscom-konobougou";
    private static final String CODE = "CSCOM-KONOBOUGOU";
    private static final FakeDhis2 DHIS2 = FakeDhis2.get();

    @Autowired
    ExportJournal journal;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    LateDataReexport lateData;

    @Autowired
    CamelContext serverCamel;

    @Autowired
    Dhis2Properties properties;

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private String orgUnit;

    @BeforeAll
    void watchTheLogAndIntroduceTheSite() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
        Organization site = parse(Organization.class, as(TestTokens.get().admin(), () -> get("/Organization/" + SITE)).body());
        orgUnit = site.getIdentifier().stream().filter(i -> i.getSystem().endsWith("/dhis2-org-unit")).findFirst().orElseThrow().getValue();
        DHIS2.knowOrgUnit(orgUnit);
    }

    @AfterAll
    void stopWatching() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    }

    @Test
    void anExportIsStoredByDhis2AndARepostAfterLateDataCountsAsUpdates() {
        consultation("2025-08-10T09:00:00Z");
        Parameters first = export("202508", false);
        assertThat(part(first, "status")).isEqualTo("queued");

        ExportJournal.Export sent = finished("202508");
        int cells = 34;
        assertThat(sent.status()).isEqualTo("sent");
        assertThat(sent.imported()).isEqualTo(cells);
        assertThat(sent.updated()).isZero();
        assertThat(DHIS2.value("PH_DATASET_RMA", "202508", orgUnit, "PH_RMA_CONSULTATIONS", "PH_COC_15P_F")).isEqualTo("1");
        assertThat(DHIS2.received().get(DHIS2.received().size() - 1).query())
                .contains("importStrategy=CREATE_AND_UPDATE").contains("idScheme=CODE");

        // A consultation recorded offline arrives late: the period is exported again.
        consultation("2025-08-20T09:00:00Z");
        export("202508", false);
        List<ExportJournal.Export> exports = awaitFinished("202508", 2);
        ExportJournal.Export resent = exports.get(1);
        assertThat(resent.status()).isEqualTo("sent");
        assertThat(resent.imported()).as("nothing doubled").isZero();
        assertThat(resent.updated()).isEqualTo(cells);
        assertThat(resent.payloadSha256()).isNotEqualTo(sent.payloadSha256());
        assertThat(DHIS2.value("PH_DATASET_RMA", "202508", orgUnit, "PH_RMA_CONSULTATIONS", "PH_COC_15P_F")).isEqualTo("2");

        // The report itself is stored and searchable by its reporter and period.
        Bundle reports = parse(Bundle.class, get("/MeasureReport?reporter=Organization/" + SITE + "&period=2025-08").body());
        assertThat(reports.getEntry()).hasSize(1);
        String metrics = send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator/prometheus")).GET()).body();
        assertThat(metrics).containsPattern("srm_dhis2_exports_total\\{[^}]*status=\"sent\"[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("srm_dhis2_last_success_timestamp_seconds\\{[^}]*site=\"CSCOM-KONOBOUGOU\"[^}]*\\} [1-9]");
    }

    @Test
    void lateDataTriggerAReexportThatDhis2CountsAsUpdates() {
        consultation("2025-07-10T09:00:00Z");
        export("202507", false);
        assertThat(finished("202507").imported()).isEqualTo(34);
        lateData.check();
        assertThat(journal.exportsOf(CODE, "202507")).as("nothing new since the export").hasSize(1);

        // Recorded offline, synced weeks later: a consultation of July, and one of January (another period).
        consultation("2025-07-31T23:00:00Z");
        consultation("2025-01-15T09:00:00Z");
        lateData.check();

        List<ExportJournal.Export> exports = awaitFinished("202507", 2);
        assertThat(exports).hasSize(2);
        assertThat(exports.get(1).status()).isEqualTo("sent");
        assertThat(exports.get(1).imported()).as("never doubled").isZero();
        assertThat(exports.get(1).updated()).isEqualTo(34);
        assertThat(DHIS2.value("PH_DATASET_RMA", "202507", orgUnit, "PH_RMA_CONSULTATIONS", "PH_COC_15P_F")).isEqualTo("2");
        lateData.check();
        assertThat(journal.exportsOf(CODE, "202507")).as("counts unchanged since the re-export").hasSize(2);
    }

    @Test
    void dhis2DownThenUpLosesNothing() {
        consultation("2025-09-10T09:00:00Z");
        awaitNothingPending();
        DHIS2.failNext(FakeDhis2.Failure.ERROR_500, FakeDhis2.Failure.DROP, FakeDhis2.Failure.HANG);
        export("202509", false);

        ExportJournal.Export export = finished("202509");
        assertThat(export.status()).isEqualTo("sent");
        assertThat(export.attempts()).isEqualTo(4);
        assertThat(export.imported()).isEqualTo(34);
        assertThat(attempts(export.id())).containsExactly("1 retry 500", "2 retry null", "3 retry null", "4 sent 200");
    }

    @Test
    void anAttemptCutShortByAStopIsSentAgainOnceItsLeaseExpires() throws InterruptedException {
        // What a server stopped mid-attempt leaves: the export claimed (attempt 1), leased, never answered.
        DataValueSet set = new DataValueSet("PH_DATASET_RMA", "2025-05-01", "202504", orgUnit,
                List.of(new DataValueSet.DataValue("PH_RMA_CONSULTATIONS", "PH_COC_15P_M", "7")));
        jdbc.update("insert into srm_dhis2_export (report, site, period, org_unit, data_set, payload, payload_sha256, status,"
                + " attempts, next_attempt_at) values ('rma-monthly', ?, '202504', ?, 'PH_DATASET_RMA', ?, ?, 'pending', 1,"
                + " now() + interval '2 seconds')", CODE, orgUnit, set.toJson(), set.valuesHash());
        Thread.sleep(1000);
        assertThat(journal.exportsOf(CODE, "202504").get(0).status()).as("leased: not sent twice at once").isEqualTo("pending");

        ExportJournal.Export export = finished("202504");
        assertThat(export.status()).isEqualTo("sent");
        assertThat(export.attempts()).isEqualTo(2);
        assertThat(DHIS2.value("PH_DATASET_RMA", "202504", orgUnit, "PH_RMA_CONSULTATIONS", "PH_COC_15P_M")).isEqualTo("7");
    }

    /**
     * A delivery stopped mid-attempt, then resumed by a fresh delivery instance over the same
     * journal. Real: the journal and its lease, the route (a second and a third instance, each in a
     * Camel context of its own, the first stopped as a shutdown stops it), DHIS2's behaviour
     * (faked: it imports, then never answers). Simulated: the restart is a new Camel context in the
     * same JVM, not a new process; the stopped instance's thread, blocked in its socket read, ends at
     * the response timeout and journals that attempt as unanswered, which a killed process could not
     * do (its export would wait for the lease instead: the test above).
     */
    @Test
    void aDeliveryStoppedWhileDhis2HoldsItsAnswerIsCompletedOnceByTheNextInstanceAsUpdates() throws Exception {
        consultation("2024-01-15T10:00:00Z");
        awaitNothingPending();
        // The server's own route stands still: only the two instances below deliver.
        serverCamel.getRouteController().stopRoute("dhis2-delivery");
        try {
            int before = DHIS2.received().size();
            DHIS2.failNext(FakeDhis2.Failure.IMPORT_THEN_HANG);
            assertThat(part(export("202401", false), "status")).isEqualTo("queued");

            // Instance 1 posts; DHIS2 imports and holds the answer; instance 1 is stopped meanwhile.
            try (DeliveryInstance first = DeliveryInstance.start(journal, properties)) {
                await(() -> DHIS2.received().size() > before, () -> "instance 1's post to reach DHIS2");
                first.stop(1);
            }
            assertThat(DHIS2.value("PH_DATASET_RMA", "202401", orgUnit, "PH_RMA_CONSULTATIONS", "PH_COC_15P_F"))
                    .as("DHIS2 imported the first post").isEqualTo("1");
            assertThat(journal.exportsOf(CODE, "202401").get(0).status()).as("not sent, as far as the journal knows")
                    .isEqualTo("pending");

            // Instance 2, fresh, over the same journal: sends it again once it is due.
            ExportJournal.Export export;
            try (DeliveryInstance second = DeliveryInstance.start(journal, properties)) {
                export = finished("202401");
            }
            assertThat(journal.exportsOf(CODE, "202401")).hasSize(1);
            assertThat(export.status()).isEqualTo("sent");
            assertThat(export.attempts()).isEqualTo(2);
            assertThat(export.imported()).as("nothing new to DHIS2").isZero();
            assertThat(export.updated()).as("every cell of the resend updated").isEqualTo(34);
            assertThat(attempts(export.id())).last().asString().startsWith("2 sent");
            assertThat(DHIS2.received().size() - before).as("two posts in all").isEqualTo(2);
            assertThat(DHIS2.value("PH_DATASET_RMA", "202401", orgUnit, "PH_RMA_CONSULTATIONS", "PH_COC_15P_F")).isEqualTo("1");
        } finally {
            serverCamel.getRouteController().startRoute("dhis2-delivery");
        }
    }

    @Test
    void conflictsAreJournaledAndNotRetried() {
        consultation("2025-10-10T09:00:00Z");
        awaitNothingPending();
        DHIS2.forget("PH_RMA_IRA");
        try {
            export("202510", false);
            ExportJournal.Export export = finished("202510");
            assertThat(export.status()).isEqualTo("warning");
            assertThat(export.attempts()).isEqualTo(1);
            assertThat(export.ignored()).isEqualTo(4);
            assertThat(export.imported()).isEqualTo(30);
            assertThat(export.conflicts()).contains("PH_RMA_IRA: Data element not found or not accessible");
            assertThat(attempts(export.id())).containsExactly("1 warning 409");

            // Admins read the journal as FHIR: a Task per export.
            Bundle tasks = parse(Bundle.class, as(TestTokens.get().admin(),
                    () -> get("/$dhis2-export-journal?site=" + SITE + "&period=202510")).body());
            Task task = (Task) tasks.getEntryFirstRep().getResource();
            assertThat(task.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
            assertThat(task.getBusinessStatus().getText()).isEqualTo("warning");
            assertThat(task.getFor().getReference()).isEqualTo("Organization/" + SITE);
            assertThat(task.getOutput()).anySatisfy(o -> assertThat(o.getValue().primitiveValue())
                    .isEqualTo("PH_RMA_IRA: Data element not found or not accessible"));
            assertOutcome(fhirContext, as(TestTokens.get().medecin(CODE), () -> get("/$dhis2-export-journal?site=" + SITE
                    + "&period=202510")), 403, "forbidden", "Only an administrator");
        } finally {
            DHIS2.knowAgain("PH_RMA_IRA");
        }
    }

    @Test
    void refusedCredentialsFailWithoutRetryAndTheSecretIsInNoLogLineNorJournal() {
        consultation("2025-11-10T09:00:00Z");
        awaitNothingPending();
        DHIS2.expectAuthorization("ApiToken d2pat_another_token");
        try {
            export("202511", false);
            ExportJournal.Export export = finished("202511");
            assertThat(export.status()).isEqualTo("failed");
            assertThat(export.attempts()).isEqualTo(1);
            assertThat(export.lastError()).contains("HTTP 401");
        } finally {
            DHIS2.expectAuthorization(FakeDhis2.AUTHORIZATION);
        }
        String secret = FakeDhis2.AUTHORIZATION.substring("ApiToken ".length());
        assertThat(logs.list).isNotEmpty().allSatisfy(event -> {
            assertThat(event.getFormattedMessage()).doesNotContain(secret);
            if (event.getThrowableProxy() != null) {
                assertThat(ThrowableProxyUtil.asString(event.getThrowableProxy())).doesNotContain(secret);
            }
        });
        assertThat(jdbc.queryForObject("select count(*) from srm_dhis2_export where payload like ? or coalesce(last_error, '') like ?"
                + " or coalesce(conflicts, '') like ?", Integer.class, "%" + secret + "%", "%" + secret + "%", "%" + secret + "%")).isZero();
        assertThat(jdbc.queryForObject("select count(*) from srm_dhis2_attempt where coalesce(detail, '') like ?", Integer.class,
                "%" + secret + "%")).isZero();
    }

    @Test
    void aDryRunSendsNothingAndJournalsNothing() {
        consultation("2025-12-10T09:00:00Z");
        int sent = DHIS2.received().size();
        Parameters answer = export("202512", true);
        assertThat(part(answer, "status")).isEqualTo("dry-run");
        assertThat(part(answer, "dataValueSet")).contains("\"orgUnit\":\"" + orgUnit + "\"").contains("\"period\":\"202512\"");
        assertThat(DHIS2.received()).hasSize(sent);
        assertThat(journal.exportsOf(CODE, "202512")).isEmpty();
    }

    @Test
    void onlyAdminsAndTheExportClientMayExportAndReportsAreWrittenByNoClient() {
        String body = parameters("202512", true);
        assertOutcome(fhirContext, as(TestTokens.get().medecin(CODE), () -> postJson("/$dhis2-export", body)), 403, "forbidden",
                "dhis2-export");
        String client = TestTokens.get().sign(TestTokens.get().claims("service-account-dhis2-export", Set.of(), Set.of())
                .claim("azp", "dhis2-export").build());
        assertThat(as(client, () -> postJson("/$dhis2-export", body)).statusCode()).isEqualTo(200);
        assertOutcome(fhirContext, as(client, () -> get("/Patient?_count=1")), 403, "forbidden", "");
        assertOutcome(fhirContext, as(TestTokens.get().admin(), () -> postJson("/$dhis2-export", parameters("2025-12", true))),
                400, "invalid", "neither a month (yyyyMM");
        assertOutcome(fhirContext, as(TestTokens.get().admin(), () -> postJson("/MeasureReport",
                "{\"resourceType\":\"MeasureReport\",\"status\":\"complete\",\"type\":\"summary\",\"measure\":\"x\","
                        + "\"period\":{\"start\":\"2025-01-01\"}}")), 403, "forbidden", "may not create MeasureReport");
    }

    // --- helpers ----------------------------------------------------------------------------

    private void consultation(String start) {
        ReportingData data = new ReportingData(SITE);
        data.add(new ReportingData.Visit("female", "1990", Instant.parse(start), List.of(), false, false, null));
        HttpResponse<String> answer = as(TestTokens.get().medecin(CODE), () -> postJson("", json(data.transaction())));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    }

    private Parameters export(String period, boolean dryRun) {
        HttpResponse<String> answer = as(TestTokens.get().admin(), () -> postJson("/$dhis2-export", parameters(period, dryRun)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return parse(Parameters.class, answer.body());
    }

    private String parameters(String period, boolean dryRun) {
        Parameters parameters = new Parameters();
        parameters.addParameter().setName("period").setValue(new StringType(period));
        parameters.addParameter().setName("site").setValue(new StringType(SITE));
        parameters.addParameter().setName("dryRun").setValue(new BooleanType(dryRun));
        return json(parameters);
    }

    private static String part(Parameters answer, String name) {
        return answer.getParameterFirstRep().getPart().stream().filter(p -> p.getName().equals(name)).findFirst().orElseThrow()
                .getValue().primitiveValue();
    }

    private ExportJournal.Export finished(String period) {
        List<ExportJournal.Export> exports = awaitFinished(period, 1);
        return exports.get(exports.size() - 1);
    }

    private List<ExportJournal.Export> awaitFinished(String period, int count) {
        await(() -> {
            List<ExportJournal.Export> exports = journal.exportsOf(CODE, period);
            return exports.size() >= count && exports.stream().noneMatch(e -> e.status().equals("pending"));
        }, () -> "journal of " + period + ": " + journal.exportsOf(CODE, period));
        return journal.exportsOf(CODE, period);
    }

    /**
     * Before the fake DHIS2 is told to fail: no other export in flight (a late-data check of another
     * test may have queued one) would meet the failure meant for this test's export.
     */
    private void awaitNothingPending() {
        await(() -> jdbc.queryForObject("select count(*) from srm_dhis2_export where status = 'pending'", Integer.class) == 0,
                () -> "exports still pending");
    }

    private static void await(java.util.function.BooleanSupplier done, java.util.function.Supplier<String> what) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (!done.getAsBoolean()) {
            assertThat(Instant.now()).as(what.get()).isBefore(deadline);
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private List<String> attempts(long exportId) {
        return jdbc.query("select attempt, outcome, http_status from srm_dhis2_attempt where export_id = ? order by attempt",
                (rs, i) -> rs.getInt(1) + " " + rs.getString(2) + " " + rs.getObject(3), exportId);
    }
}
