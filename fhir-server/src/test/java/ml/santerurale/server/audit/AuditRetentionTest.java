package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.jpa.api.dao.IFhirResourceDao;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.instance.model.api.IIdType;
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
    DaoRegistry daoRegistry;

    @Autowired
    AuditProperties properties;

    @Test
    void purgesOnlyEventsOlderThanTheRetentionAndRecordsThePurge() {
        IFhirResourceDao<AuditEvent> dao = daoRegistry.getResourceDao(AuditEvent.class);
        String marker = "retention-" + UUID.randomUUID();
        IIdType old = dao.create(event(marker, Instant.now().minus(Duration.ofDays(400))), new SystemRequestDetails())
                .getId().toUnqualifiedVersionless();
        IIdType recent = dao.create(event(marker, Instant.now().minus(Duration.ofDays(300))), new SystemRequestDetails())
                .getId().toUnqualifiedVersionless();
        assertThat(properties.retention().toTotalMonths()).isEqualTo(12);

        int purged = retentionJob.purge();

        assertThat(purged).isGreaterThanOrEqualTo(1);
        // Expunged, not merely deleted (a deleted one would answer 410 Gone and keep its versions).
        assertThatThrownBy(() -> dao.read(old, new SystemRequestDetails()))
                .isInstanceOf(ResourceNotFoundException.class).isNotInstanceOf(ResourceGoneException.class);
        assertThat(dao.read(recent, new SystemRequestDetails()).getIdElement().getIdPart()).isEqualTo(recent.getIdPart());

        AuditEvent purge = awaitLatestPurge();
        assertThat(purge.getAction()).isEqualTo(AuditEvent.AuditEventAction.D);
        assertThat(purge.getOutcome()).isEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(purge.getOutcomeDesc()).contains(purged + " AuditEvent(s) recorded before");
    }

    /** The newest purge event, waiting up to 10 s (the scheduled drain may hold the row a moment). */
    private AuditEvent awaitLatestPurge() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            drainer.drainAll();
            HttpResponse<String> purges = as(TestTokens.get().admin(),
                    () -> get("/AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM|110101&_sort=-date&_count=1"));
            assertThat(purges.statusCode()).as(purges.body()).isEqualTo(200);
            Bundle found = parse(Bundle.class, purges.body());
            if (!found.getEntry().isEmpty()) {
                return (AuditEvent) found.getEntryFirstRep().getResource();
            }
            assertThat(System.nanoTime()).as("a purge AuditEvent within 10 s").isLessThan(deadline);
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
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
