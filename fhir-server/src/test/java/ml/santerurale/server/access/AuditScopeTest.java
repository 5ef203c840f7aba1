package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/** A major reads the audit trail of their own site only; the national admin reads all of it. */
class AuditScopeTest extends ServerIntegrationTest {

    private final String djeliStaff = TestTokens.get().user("soignant.djeli.audit", Set.of("soignant"), Set.of("CSCOM-DJELI"));
    private final String konobougouStaff = TestTokens.get().user("soignant.kono.audit", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String konobougouMajor = TestTokens.get().user("major.kono.audit", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));

    private String recordAndRead(String token) {
        String id = UUID.randomUUID().toString();
        Patient patient = new Patient();
        patient.setId(id);
        patient.addName().setFamily("Audit").addGiven("Scope");
        as(token, () -> putJson("/Patient/" + id, json(patient)));
        as(token, () -> get("/Patient/" + id));
        return id;
    }

    private int events(String token, String patientId) {
        Bundle found = parse(Bundle.class, as(token, () -> get("/AuditEvent?entity-name=Patient/" + patientId)).body());
        return found.getEntry().size();
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

    private long districtEvents(String patientId) {
        Bundle found = parse(Bundle.class, as(konobougouMajor, () -> get("/AuditEvent?entity-name=Patient/" + patientId)).body());
        return found.getEntry().stream().filter(e -> json(e.getResource()).contains("medecin.district.audit")).count();
    }
}
