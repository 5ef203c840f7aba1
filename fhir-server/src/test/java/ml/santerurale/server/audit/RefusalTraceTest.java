package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Every attempt on patient data leaves its event, through every route, and the trail of one site
 * never tells its readers that an id exists at another: a refused attempt on another site's
 * record is recorded exactly as one on a missing record.
 */
class RefusalTraceTest extends ServerIntegrationTest {

    private static final String UNRESOLVED = "https://sante-rurale.ml/fhir/sid/unresolved-reference";

    @Autowired
    AuditOutboxDrainer drainer;

    private final String unique = UUID.randomUUID().toString().substring(0, 8);
    private final String djeliStaff = TestTokens.get().user("soignant.djeli.trace", Set.of("soignant"), Set.of("CSCOM-DJELI"));
    private final String konobougouMajorName = "major.konobougou.trace." + unique;
    private final String konobougouMajor = TestTokens.get().user(konobougouMajorName, Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
    private final String admin = TestTokens.get().user("admin.trace", Set.of("admin"), Set.of());
    private Patient atDjeli;
    private final String missing = UUID.randomUUID().toString();

    @BeforeEach
    void aPatientAtDjeli() {
        atDjeli = ClinicalRecords.patient("Traore" + unique, "Sali", "cscom-djeli");
        HttpResponse<String> created = as(djeliStaff, () -> putJson("/Patient/" + atDjeli.getIdPart(), json(atDjeli)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @Test
    void aBatchReadOfAnotherSitesRecordIsAuditedAsAMissingOne() {
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + atDjeli.getIdPart());
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + missing);
        HttpResponse<String> answer = as(konobougouMajor, () -> postJson("", json(batch)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Bundle responses = parse(Bundle.class, answer.body());
        assertThat(responses.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("404"));

        AuditEvent other = awaitEvent(e -> names(e, atDjeli.getIdPart()));
        AuditEvent absent = awaitEvent(e -> names(e, missing));
        assertSameShape(other, absent);
        assertThat(other.getOutcome()).isNotEqualTo(AuditEvent.AuditEventOutcome._0);
        assertThat(other.getSubtype()).extracting(c -> c.getCode()).contains("read", "batch");
    }

    @Test
    void aPageLinkReusedByAnotherUserIsAudited() {
        for (int i = 0; i < 2; i++) {
            Patient another = ClinicalRecords.patient("Traore" + unique, "Awa" + i, "cscom-djeli");
            assertThat(as(djeliStaff, () -> putJson("/Patient/" + another.getIdPart(), json(another))).statusCode()).isEqualTo(201);
        }
        Bundle page = parse(Bundle.class, as(djeliStaff, () -> get("/Patient?family=Traore" + unique + "&_count=1")).body());
        String next = page.getLink("next").getUrl();
        HttpResponse<String> reused = as(konobougouMajor, () -> send(HttpRequest.newBuilder(java.net.URI.create(next))
                .header("Authorization", "Bearer " + konobougouMajor).header("Accept", "application/fhir+json").GET()));
        assertThat(reused.statusCode()).isEqualTo(410);
        AuditEvent event = awaitEvent(e -> e.getOutcomeDesc() != null && e.getOutcomeDesc().contains("410"));
        assertThat(event.getOutcome()).isNotEqualTo(AuditEvent.AuditEventOutcome._0);
    }

    @Test
    void aDeleteOfAnotherSitesRecordIsAuditedAsADeleteOfAMissingOne() {
        HttpResponse<String> other = as(konobougouMajor, () -> send(request("/Patient/" + atDjeli.getIdPart()).DELETE()));
        HttpResponse<String> absent = as(konobougouMajor, () -> send(request("/Patient/" + missing).DELETE()));
        assertThat(other.statusCode()).isEqualTo(absent.statusCode());
        assertThat(other.body().replace(atDjeli.getIdPart(), "ID")).isEqualTo(absent.body().replace(missing, "ID"));
        AuditEvent otherEvent = awaitEvent(e -> names(e, atDjeli.getIdPart()));
        AuditEvent absentEvent = awaitEvent(e -> names(e, missing));
        assertThat(otherEvent.getAction()).isEqualTo(AuditEvent.AuditEventAction.D);
        assertSameShape(otherEvent, absentEvent);
        assertThat(as(djeliStaff, () -> get("/Patient/" + atDjeli.getIdPart())).statusCode()).as("still there").isEqualTo(200);
    }

    @Test
    void aReadOfAnotherSitesRecordLeavesTheSameTraceAsAReadOfAMissingOne() {
        assertThat(as(konobougouMajor, () -> get("/Patient/" + atDjeli.getIdPart())).statusCode()).isEqualTo(404);
        assertThat(as(konobougouMajor, () -> get("/Patient/" + missing)).statusCode()).isEqualTo(404);
        AuditEvent other = awaitEvent(e -> names(e, atDjeli.getIdPart()));
        AuditEvent absent = awaitEvent(e -> names(e, missing));
        assertSameShape(other, absent);
        // The major reads their own site's trail: the same two events, indistinguishable there too.
        List<AuditEvent> seenByMajor = events(konobougouMajor, "/AuditEvent?altid=" + konobougouMajorName);
        assertThat(seenByMajor).filteredOn(e -> names(e, atDjeli.getIdPart()) || names(e, missing)).hasSize(2)
                .allSatisfy(e -> assertThat(patientEntity(e).getWhat().hasReference()).isFalse());
    }

    /** Same entities, same outcome, same subtypes: only the id differs. */
    private void assertSameShape(AuditEvent other, AuditEvent absent) {
        AuditEvent.AuditEventEntityComponent a = patientEntity(other);
        AuditEvent.AuditEventEntityComponent b = patientEntity(absent);
        assertThat(a.getWhat().hasReference()).as("no resolved reference to another site's record").isFalse();
        assertThat(a.getWhat().getIdentifier().getSystem()).isEqualTo(UNRESOLVED).isEqualTo(b.getWhat().getIdentifier().getSystem());
        assertThat(other.getOutcome()).isEqualTo(absent.getOutcome());
        assertThat(other.getAction()).isEqualTo(absent.getAction());
        assertThat(other.getSubtype()).extracting(c -> c.getCode()).isEqualTo(absent.getSubtype().stream().map(c -> c.getCode()).toList());
        assertThat(other.getMeta().getSecurity()).extracting(c -> c.getCode())
                .isEqualTo(absent.getMeta().getSecurity().stream().map(c -> c.getCode()).toList());
        assertThat(String.valueOf(other.getOutcomeDesc()).replace(atDjeli.getIdPart(), "ID"))
                .isEqualTo(String.valueOf(absent.getOutcomeDesc()).replace(missing, "ID"));
    }

    private static AuditEvent.AuditEventEntityComponent patientEntity(AuditEvent event) {
        return event.getEntity().stream().filter(e -> e.hasName() && e.getName().startsWith("Patient/")).findFirst().orElseThrow();
    }

    private static boolean names(AuditEvent event, String id) {
        return event.getEntity().stream().anyMatch(e -> ("Patient/" + id).equals(e.getName()));
    }

    private AuditEvent awaitEvent(Predicate<AuditEvent> matching) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            drainer.drainAll();
            var found = events(admin, "/AuditEvent?altid=" + konobougouMajorName + "&_count=100").stream().filter(matching).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new AssertionError("no such audit event of " + konobougouMajorName);
    }

    private List<AuditEvent> events(String token, String query) {
        HttpResponse<String> response = as(token, () -> get(query));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
    }
}
