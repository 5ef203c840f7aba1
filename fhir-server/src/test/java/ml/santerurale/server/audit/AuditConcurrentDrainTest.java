package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Several drains at once (the server's drain threads, and here three more) store every outbox
 * event exactly once: they share the rows, none is stored twice, none is left behind.
 */
class AuditConcurrentDrainTest extends ServerIntegrationTest {

    private static final int EVENTS = 600;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    AuditProperties properties;

    @Autowired
    org.springframework.transaction.PlatformTransactionManager transactionManager;

    /** The extra drain threads drain only while the oldest row waiting is older than their threshold. */
    @Test
    void theOutboxIsBehindOnlyWhileItsOldestRowIsOlderThanTheThreshold() {
        new org.springframework.transaction.support.TransactionTemplate(transactionManager).executeWithoutResult(status -> {
            status.setRollbackOnly();
            // Not committed: the server's own drains cannot see it; the drainer's query joins this transaction.
            jdbc.update("insert into srm_audit_outbox (payload) values ('{}')");
            jdbc.queryForObject("select pg_sleep(0.3)", String.class);
            assertThat(drainer.isBehind(java.time.Duration.ofMillis(100))).as("a row older than 100 ms waits").isTrue();
            assertThat(drainer.isBehind(java.time.Duration.ofHours(1))).as("no row an hour old").isFalse();
        });
    }

    @Test
    void drainsRunningAtOnceStoreEachEventExactlyOnce() throws Exception {
        assertThat(properties.drainThreads()).as("the server itself drains on more than one thread").isGreaterThan(1);
        String marker = "drain-" + UUID.randomUUID();
        String read = "{\"resourceType\":\"AuditEvent\",\"meta\":{\"security\":[{\"system\":"
                + "\"https://sante-rurale.ml/fhir/CodeSystem/site\",\"code\":\"CSCOM-KONOBOUGOU\"}]},\"type\":{\"system\":"
                + "\"http://terminology.hl7.org/CodeSystem/audit-event-type\",\"code\":\"rest\"},"
                + "\"subtype\":[{\"system\":\"http://hl7.org/fhir/restful-interaction\",\"code\":\"read\"}],\"action\":\"R\","
                + "\"recorded\":\"2026-12-07T02:04:01.123+00:00\",\"outcome\":\"0\",\"agent\":[{\"who\":{\"identifier\":{\"system\":"
                + "\"https://sante-rurale.ml/fhir/sid/oidc-subject\",\"value\":\"b7c1\"},\"display\":\"MARKER\"},"
                + "\"name\":\"MARKER\",\"requestor\":true}],"
                + "\"source\":{\"observer\":{\"display\":\"test\"}},\"entity\":[{\"what\":"
                + "{\"reference\":\"Patient/p-1\"},\"name\":\"Patient/p-1\"}]}";
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            rows.add(new Object[] {read.replace("MARKER", marker + "-" + i)});
        }
        jdbc.batchUpdate("insert into srm_audit_outbox (payload) values (?)", rows);

        ExecutorService drains = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> moved = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                moved.add(drains.submit(drainer::drainAll));
            }
            for (Future<Integer> drain : moved) {
                drain.get(2, TimeUnit.MINUTES);
            }
        } finally {
            drains.shutdownNow();
        }
        drainer.drainAll();

        Map<String, Object> stored = jdbc.queryForMap("select count(*) as events,"
                + " count(distinct substring(resource from ?)) as distinct_events from srm_audit_event where resource like ?",
                '"' + marker + "-([0-9]+)\"", "%" + marker + "-%");
        assertThat(((Number) stored.get("events")).intValue()).as("events stored").isEqualTo(EVENTS);
        assertThat(((Number) stored.get("distinct_events")).intValue()).as("each one once").isEqualTo(EVENTS);
        assertThat(jdbc.queryForObject("select count(*) from srm_audit_outbox where payload like ?", Integer.class,
                "%" + marker + "-%")).as("left in the outbox").isZero();
    }
}
