package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Coding;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** The retention purge removes only AuditEvents older than the retention, and is itself audited. */
class AuditRetentionTest extends ServerIntegrationTest {

    @Autowired
    AuditRetentionJob retentionJob;

    @Autowired
    AuditOutboxDrainer drainer;

    @Autowired
    AuditEventStore store;

    @Autowired
    AuditProperties properties;

    @Test
    void purgesOnlyEventsOlderThanTheRetentionAndRecordsThePurge() {
        String marker = "retention-" + UUID.randomUUID();
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(1);
        String old = stored(event(marker, Instant.now().minus(Duration.ofDays(400))));
        String recent = stored(event(marker, Instant.now().minus(Duration.ofDays(300))));
        assertThat(properties.retention().toTotalMonths()).isEqualTo(12);

        int purged = retentionJob.purge();

        assertThat(purged).isGreaterThanOrEqualTo(1);
        // Gone, not merely marked deleted (a deleted one would answer 410 Gone).
        HttpResponse<String> oldRead = as(TestTokens.get().admin(), () -> get("/AuditEvent/" + old));
        assertThat(oldRead.statusCode()).as(oldRead.body()).isEqualTo(404);
        HttpResponse<String> recentRead = as(TestTokens.get().admin(), () -> get("/AuditEvent/" + recent));
        assertThat(recentRead.statusCode()).as(recentRead.body()).isEqualTo(200);
        assertThat(parse(AuditEvent.class, recentRead.body()).getIdElement().getIdPart()).isEqualTo(recent);

        // Another purge (a scheduled run) may record its own event beside this one: find this run's.
        String description = purged + " AuditEvent(s) recorded before";
        AuditEvent purge = awaitPurgeSince(started, description);
        assertThat(purge.getAction()).isEqualTo(AuditEvent.AuditEventAction.D);
        assertThat(purge.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(purge.getOutcomeDesc()).contains(description);
    }

    /**
     * The purge event recorded since {@code since} whose outcome says {@code description}, waiting
     * up to 10 s (the scheduled drain may hold the row a moment).
     */
    private AuditEvent awaitPurgeSince(Instant since, String description) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            drainer.drainAll();
            HttpResponse<String> purges = as(TestTokens.get().admin(),
                    () -> get("/AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM|110101&_sort=-date"
                            + "&date=ge" + since + "&_count=50"));
            assertThat(purges.statusCode()).as(purges.body()).isEqualTo(200);
            Bundle found = parse(Bundle.class, purges.body());
            for (Bundle.BundleEntryComponent entry : found.getEntry()) {
                AuditEvent event = (AuditEvent) entry.getResource();
                if (event.getOutcomeDesc() != null && event.getOutcomeDesc().contains(description)) {
                    return event;
                }
            }
            assertThat(System.nanoTime()).as("a purge AuditEvent saying \"%s\" within 10 s", description).isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Stored as the drainer stores events (the audit store takes no writes from the API); returns its id. */
    private String stored(AuditEvent event) {
        StoredAuditEvent row = AuditOutboxDrainer.stored(event, "", new Date(), fhirContext.newJsonParser());
        store.append(List.of(row));
        return row.id();
    }

    private static AuditEvent event(String marker, Instant recorded) {
        AuditEvent event = new AuditEvent();
        event.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", null));
        event.setRecorded(Date.from(recorded));
        event.getSource().setObserver(new org.hl7.fhir.r4.model.Reference().setDisplay("test"));
        event.addAgent().setRequestor(true).setAltId(marker);
        return event;
    }
}
