package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What recording an event costs a read on the request thread: one JSON encoding and one insert
 * committed without waiting for the disk flush. A loose bound (the benchmark measures the real
 * figure); the median is logged. Requests recording at the same moment each store their events
 * exactly once.
 */
class AuditSinkCostTest extends ServerIntegrationTest {

    @Autowired
    OutboxAuditSink sink;

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void eventsOfManyRequestsRecordingAtOnceAreEachStoredExactlyOnce() throws Exception {
        int requests = 24;
        String marker = "group-" + UUID.randomUUID();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(requests);
        try {
            List<Future<?>> recorded = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int request = i;
                recorded.add(threads.submit(() -> {
                    start.await();
                    // A request with two events (two sites) among requests with one.
                    List<AuditEvent> events = new ArrayList<>();
                    events.add(event(marker + "-" + request + "-a"));
                    if (request % 3 == 0) {
                        events.add(event(marker + "-" + request + "-b"));
                    }
                    sink.recordAll(events);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : recorded) {
                future.get(1, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
        }
        drainer.drainAll();
        int expected = requests + requests / 3;
        assertThat(jdbc.queryForObject("select count(*) from srm_audit_event where resource like ?", Integer.class,
                "%" + marker + "-%")).as("events stored").isEqualTo(expected);
        assertThat(jdbc.queryForObject("select count(distinct substring(resource from ?)) from srm_audit_event"
                + " where resource like ?", Integer.class, '"' + marker + "-([0-9]+-[ab])\"", "%" + marker + "-%"))
                .as("each one once").isEqualTo(expected);
        assertThat(jdbc.queryForObject("select count(*) from srm_audit_outbox where payload like ?", Integer.class,
                "%" + marker + "-%")).as("left in the outbox").isZero();
    }

    private static AuditEvent event(String name) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
        event.setRecorded(new java.util.Date());
        event.addEntity().setWhat(new Reference("Patient/" + UUID.randomUUID())).setName(name);
        return event;
    }

    @Test
    void recordingAReadEventCostsAboutAMillisecond() {
        // The best of three series: on the shared 2-core machine other builds can inflate one.
        double medianMs = Double.MAX_VALUE;
        for (int series = 0; series < 3 && medianMs >= 10; series++) {
            medianMs = Math.min(medianMs, medianOfOneSeries());
        }
        assertThat(medianMs).isLessThan(10);
    }

    private double medianOfOneSeries() {
        long[] nanos = new long[300];
        for (int i = 0; i < nanos.length; i++) {
            AuditEvent event = event("cost-test");
            long started = System.nanoTime();
            sink.record(event);
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        double medianMs = nanos[nanos.length / 2] / 1e6;
        double p95Ms = nanos[nanos.length * 95 / 100] / 1e6;
        LoggerFactory.getLogger(getClass()).info("Audit sink cost: median {} ms, p95 {} ms", medianMs, p95Ms);
        return medianMs;
    }
}
