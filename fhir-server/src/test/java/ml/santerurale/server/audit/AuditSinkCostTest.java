package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What recording an event costs a read on the request thread: one JSON encoding and one insert
 * committed without waiting for the disk flush. A loose bound (the benchmark measures the real
 * figure); the median is logged.
 */
class AuditSinkCostTest extends ServerIntegrationTest {

    @Autowired
    OutboxAuditSink sink;

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
            AuditEvent event = new AuditEvent();
            event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
            event.addEntity().setWhat(new Reference("Patient/" + UUID.randomUUID())).setName("cost-test");
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
