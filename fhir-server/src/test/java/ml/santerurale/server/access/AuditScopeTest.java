package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * A major reads the audit trail of their own site only, including every access to their site's
 * patients by users of several sites; the national admin reads all of it.
 */
class AuditScopeTest extends ServerIntegrationTest {

    private final String djeliStaff = TestTokens.get().user("soignant.djeli.audit", Set.of("soignant"), Set.of("CSCOM-DJELI"));
    private final String konobougouStaff = TestTokens.get().user("soignant.kono.audit", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String konobougouMajor = TestTokens.get().user("major.kono.audit", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
    private final String djeliMajor = TestTokens.get().user("major.djeli.audit", Set.of("major"), Set.of("CSCOM-DJELI"));

    private String recordAndRead(String token) {
        String id = UUID.randomUUID().toString();
        Patient patient = ml.santerurale.server.support.Conforming.patient("Audit", "Scope");
        patient.setId(id);
        var created = as(token, () -> putJson("/Patient/" + id, json(patient)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        var read = as(token, () -> get("/Patient/" + id));
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        return id;
    }

    /** Successful reads and creates of the patient this reader sees: refusal events do not count. */
    private int events(String token, String patientId) {
        var response = as(token, () -> get("/AuditEvent?entity-name=Patient/" + patientId));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle found = parse(Bundle.class, response.body());
        return (int) found.getEntry().stream().map(e -> (AuditEvent) e.getResource())
                .filter(e -> e.getOutcome() == AuditEvent.AuditEventOutcome._0)
                .filter(e -> e.getAction() == AuditEvent.AuditEventAction.R || e.getAction() == AuditEvent.AuditEventAction.C)
                .count();
    }

    @Test
    void aMajorSeesTheAuditTrailOfTheirSiteOnly() throws InterruptedException {
        String atDjeli = recordAndRead(djeliStaff);
        String atKonobougou = recordAndRead(konobougouStaff);
        long deadline = System.currentTimeMillis() + 20_000;
        while ((events(TestTokens.get().admin(), atDjeli) == 0 || events(TestTokens.get().admin(), atKonobougou) == 0)
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        assertThat(events(TestTokens.get().admin(), atDjeli)).isPositive();
        assertThat(events(TestTokens.get().admin(), atKonobougou)).isPositive();
        assertThat(events(konobougouMajor, atKonobougou)).isPositive();
        assertThat(events(konobougouMajor, atDjeli)).isZero();
    }

    @Test
    void aMajorSeesADistrictDoctorsAccessToTheirSitesPatient() throws InterruptedException {
        String atKonobougou = recordAndRead(konobougouStaff);
        String district = TestTokens.get().user("medecin.district.audit", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU", "CSCOM-DJELI"));
        assertThat(as(district, () -> get("/Patient/" + atKonobougou)).statusCode()).isEqualTo(200);
        long deadline = System.currentTimeMillis() + 20_000;
        while (districtEvents(atKonobougou) == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        assertThat(districtEvents(atKonobougou)).isPositive();
    }

    @Test
    void aSearchAcrossTwoSitesLeavesEachMajorTheEventOfTheirPatientOnly() throws InterruptedException {
        String family = "Scope" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        String atKonobougou = record(konobougouStaff, family);
        String atDjeli = record(djeliStaff, family);
        String district = TestTokens.get().user("medecin.district.split", Set.of("medecin"),
                Set.of("CSCOM-KONOBOUGOU", "CSCOM-DJELI"));
        HttpResponse<String> search = as(district, () -> get("/Patient?family=" + family));
        assertThat(search.statusCode()).isEqualTo(200);
        assertThat(parse(Bundle.class, search.body()).getEntry()).hasSize(2);
        String requestId = search.headers().firstValue("X-Request-ID").orElseThrow();

        AuditEvent konobougou = awaitSearchEvent(konobougouMajor, atKonobougou, "medecin.district.split");
        AuditEvent djeli = awaitSearchEvent(djeliMajor, atDjeli, "medecin.district.split");

        // Each major's event names their own patient, never the other site's, and keeps the query.
        assertThat(json(konobougou)).contains("Patient/" + atKonobougou).doesNotContain(atDjeli);
        assertThat(json(djeli)).contains("Patient/" + atDjeli).doesNotContain(atKonobougou);
        assertThat(queryOf(konobougou)).contains("family=" + family);
        assertThat(queryOf(djeli)).contains("family=" + family);
        // The two halves of one access, tied by the request id.
        assertThat(requestIdOf(konobougou)).isEqualTo(requestId);
        assertThat(requestIdOf(djeli)).isEqualTo(requestId);
        // Neither major sees the other's half.
        assertThat(searchEvents(konobougouMajor, atDjeli)).isEmpty();
        assertThat(searchEvents(djeliMajor, atKonobougou)).isEmpty();
    }

    @Test
    void aQueryNamingPatientsOfTwoSitesIsKeptNationallyAndNeverShownToAMajor() throws InterruptedException {
        String atKonobougou = record(konobougouStaff, "Ids");
        String atDjeli = record(djeliStaff, "Ids");
        String district = TestTokens.get().user("medecin.district.ids", Set.of("medecin"),
                Set.of("CSCOM-KONOBOUGOU", "CSCOM-DJELI"));
        HttpResponse<String> search = as(district, () -> get("/Patient?_id=" + atKonobougou + "," + atDjeli));
        assertThat(parse(Bundle.class, search.body()).getEntry()).hasSize(2);
        String requestId = search.headers().firstValue("X-Request-ID").orElseThrow();

        AuditEvent konobougou = awaitSearchEvent(konobougouMajor, atKonobougou, "medecin.district.ids");
        AuditEvent djeli = awaitSearchEvent(djeliMajor, atDjeli, "medecin.district.ids");
        assertThat(json(konobougou)).doesNotContain(atDjeli);
        assertThat(queryOf(konobougou)).isNull();
        assertThat(json(djeli)).doesNotContain(atKonobougou);
        assertThat(queryOf(djeli)).isNull();

        // The admin finds the whole query in the national trail, under the same request id.
        long deadline = System.currentTimeMillis() + 20_000;
        List<AuditEvent> national;
        do {
            national = auditEvents(TestTokens.get().admin(), "agent-name=medecin.district.ids&_count=50").stream()
                    .filter(e -> requestId.equals(requestIdOf(e)) && queryOf(e) != null).toList();
        } while (national.isEmpty() && System.currentTimeMillis() < deadline && pause());
        assertThat(national).singleElement().satisfies(event -> {
            assertThat(queryOf(event)).contains(atKonobougou).contains(atDjeli);
            assertThat(event.getMeta().getSecurity()).isEmpty();
            assertThat(event.getEntity()).noneMatch(e -> e.getWhat().hasReference());
        });
    }

    private String record(String token, String family) {
        String id = UUID.randomUUID().toString();
        Patient patient = ml.santerurale.server.support.Conforming.patient(family, "Split");
        patient.setId(id);
        assertThat(as(token, () -> putJson("/Patient/" + id, json(patient))).statusCode()).isEqualTo(201);
        return id;
    }

    private AuditEvent awaitSearchEvent(String major, String patientId, String username) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        List<AuditEvent> found = searchEvents(major, patientId);
        while (found.stream().noneMatch(e -> json(e).contains(username)) && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
            found = searchEvents(major, patientId);
        }
        return found.stream().filter(e -> json(e).contains(username)).findFirst()
                .orElseThrow(() -> new AssertionError("No search event of " + username + " for Patient/" + patientId));
    }

    private List<AuditEvent> searchEvents(String token, String patientId) {
        return auditEvents(token, "entity-name=Patient/" + patientId + "&subtype=search-type");
    }

    private List<AuditEvent> auditEvents(String token, String query) {
        HttpResponse<String> response = as(token, () -> get("/AuditEvent?" + query));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream().map(e -> (AuditEvent) e.getResource()).toList();
    }

    private static boolean pause() {
        try {
            Thread.sleep(500);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String queryOf(AuditEvent event) {
        return event.getEntity().stream().filter(AuditEvent.AuditEventEntityComponent::hasQuery)
                .map(e -> new String(e.getQuery(), StandardCharsets.UTF_8)).findFirst().orElse(null);
    }

    private static String requestIdOf(AuditEvent event) {
        return event.getEntity().stream().filter(e -> "XrequestId".equals(e.getType().getCode()))
                .map(e -> e.getWhat().getIdentifier().getValue()).findFirst().orElse(null);
    }

    private long districtEvents(String patientId) {
        Bundle found = parse(Bundle.class, as(konobougouMajor, () -> get("/AuditEvent?entity-name=Patient/" + patientId)).body());
        return found.getEntry().stream().filter(e -> json(e.getResource()).contains("medecin.district.audit")).count();
    }
}
