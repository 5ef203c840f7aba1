package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.http.HttpResponse;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What the drainer spends per event when it moves a backlog of read events (the shape a read
 * load leaves) into the trail: wall time and this JVM thread's CPU per event, logged and printed
 * (PostgreSQL's own CPU is not counted). A loose bound only: the figure is for docs/PERFORMANCE.md.
 */
class AuditDrainCostTest extends ServerIntegrationTest {

    private static final int EVENTS = 3000;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    AuditSchedule schedule;

    /**
     * 8 clients reading one patient for 15 s, the scheduled drainer running as in production:
     * the outbox's worst age and size, sampled every 200 ms, and how long it takes to empty
     * after the load.
     */
    @Test
    void underAReadLoadTheOutboxStaysYoung() throws Exception {
        String soignant = TestTokens.get().user("soignant.read.load", java.util.Set.of("soignant"), java.util.Set.of("CSCOM-KONOBOUGOU"));
        Patient patient = ClinicalRecords.patient("Keita", "Aminata", "cscom-konobougou");
        assertThat(as(soignant, () -> putJson("/Patient/" + patient.getIdPart(), json(patient))).statusCode()).isEqualTo(201);
        drainer.drainAll();
        long end = System.nanoTime() + 15_000_000_000L;
        java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(8);
        for (int c = 0; c < 8; c++) {
            clients.submit(() -> {
                while (System.nanoTime() < end) {
                    if (as(soignant, () -> get("/Patient/" + patient.getIdPart())).statusCode() == 200) {
                        reads.incrementAndGet();
                    }
                }
                return null;
            });
        }
        double worstAge = 0;
        long mostRows = 0;
        while (System.nanoTime() < end) {
            var sample = jdbc.queryForMap("select coalesce(extract(epoch from clock_timestamp() - min(created_at)), 0) as age,"
                    + " count(*) as rows from srm_audit_outbox where attempts = 0");
            worstAge = Math.max(worstAge, ((Number) sample.get("age")).doubleValue());
            mostRows = Math.max(mostRows, ((Number) sample.get("rows")).longValue());
            Thread.sleep(200);
        }
        clients.shutdown();
        clients.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        long stopped = System.nanoTime();
        while (jdbc.queryForObject("select count(*) from srm_audit_outbox where attempts = 0", Long.class) > 0
                && System.nanoTime() - stopped < 120_000_000_000L) {
            Thread.sleep(100);
        }
        double emptyAfter = (System.nanoTime() - stopped) / 1e9;
        String figure = String.format(java.util.Locale.ROOT,
                "AUDIT-READ-LOAD: %d reads in 15 s (%.0f/s, 8 clients in the test JVM), outbox worst age %.1f s, most rows %d,"
                        + " empty %.1f s after the load", reads.get(), reads.get() / 15.0, worstAge, mostRows, emptyAfter);
        System.out.println(figure);
        LoggerFactory.getLogger(getClass()).info(figure);
        assertThat(reads.get()).isPositive();
    }

    @Test
    void drainingABacklogOfReadEventsCostsLittlePerEvent() {
        String soignant = TestTokens.get().user("soignant.drain.cost", java.util.Set.of("soignant"), java.util.Set.of("CSCOM-KONOBOUGOU"));
        Patient patient = ClinicalRecords.patient("Sangare", "Oumou", "cscom-konobougou");
        HttpResponse<String> created = as(soignant, () -> putJson("/Patient/" + patient.getIdPart(), json(patient)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        schedule.stop();
        try {
            drainer.drainAll();
            assertThat(as(soignant, () -> get("/Patient/" + patient.getIdPart())).statusCode()).isEqualTo(200);
            String readEvent = jdbc.queryForObject("select payload from srm_audit_outbox where payload like ? order by id desc limit 1",
                    String.class, "%\"read\"%Patient/" + patient.getIdPart() + "%");
            drainer.drainAll();
            jdbc.update("insert into srm_audit_outbox (payload) select ? from generate_series(1, ?)", readEvent, EVENTS);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu = threads.getCurrentThreadCpuTime();
            long wall = System.nanoTime();
            int drained = drainer.drainAll();
            double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
            double wallMs = (System.nanoTime() - wall) / 1e6;
            String figure = String.format(java.util.Locale.ROOT,
                    "AUDIT-DRAIN-COST: %d events drained in %.0f ms wall (%.3f ms/event), drainer thread CPU %.0f ms (%.3f ms/event)",
                    drained, wallMs, wallMs / drained, cpuMs, cpuMs / drained);
            System.out.println(figure);
            LoggerFactory.getLogger(getClass()).info(figure);
            assertThat(drained).isGreaterThanOrEqualTo(EVENTS);
        } finally {
            schedule.start();
        }
    }
}
