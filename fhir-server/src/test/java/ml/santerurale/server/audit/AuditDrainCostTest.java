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
