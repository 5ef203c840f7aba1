package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.support.CronExpression;

/**
 * The retention purge runs on its own schedule, once a day by default (README, Access control:
 * Trace), and records each run as an AuditEvent.
 */
class AuditPurgeScheduleTest extends ServerIntegrationTest {

    @Autowired
    AuditProperties properties;

    @Autowired
    AuditSchedule schedule;

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    AuditRetentionJob retentionJob;

    @Test
    void theServersPurgeIsScheduledOnceADay() {
        assertThat(schedule.isRunning()).as("the audit schedule started with the server").isTrue();
        CronExpression cron = CronExpression.parse(properties.retentionCron());
        ZonedDateTime run = ZonedDateTime.of(2026, 12, 4, 12, 0, 0, 0, ZoneOffset.UTC);
        for (int day = 0; day < 3; day++) {
            ZonedDateTime next = cron.next(run);
            if (day > 0) {
                assertThat(Duration.between(run, next)).as("from the run of %s", run).isEqualTo(Duration.ofDays(1));
            }
            run = next;
        }
    }

    @Test
    void theScheduleRunsThePurgeOnItsCronAndThePurgeIsRecorded() throws InterruptedException {
        Instant before = Instant.now().minusMillis(1);
        AuditSchedule everySecond = new AuditSchedule(drainer::drainQuietly, drainer::drainQuietly, 1, Duration.ofMinutes(5),
                retentionJob::purgeQuietly, "* * * * * *");
        everySecond.start();
        try {
            long deadline = System.nanoTime() + 15_000_000_000L;
            AuditEvent latest;
            do {
                drainer.drainAll();
                HttpResponse<String> purges = as(TestTokens.get().admin(),
                        () -> get("/AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM|110101&_sort=-date&_count=1"));
                assertThat(purges.statusCode()).as(purges.body()).isEqualTo(200);
                Bundle found = parse(Bundle.class, purges.body());
                latest = found.getEntry().isEmpty() ? null : (AuditEvent) found.getEntryFirstRep().getResource();
                Thread.sleep(200);
            } while ((latest == null || latest.getRecorded().toInstant().isBefore(before)) && System.nanoTime() < deadline);
            assertThat(latest).as("a purge recorded by the scheduled run").isNotNull();
            assertThat(latest.getRecorded().toInstant()).as("recorded by this run").isAfterOrEqualTo(before);
            assertThat(latest.getAction()).isEqualTo(AuditEvent.AuditEventAction.D);
        } finally {
            everySecond.stop();
        }
    }
}
