package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.audit.AuditOutboxDrainer;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.OperationOutcomeAssert;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * What a search reaches besides its own type: {@code _include}, {@code _revinclude}, {@code _has}
 * and chains pass the role matrix and the audit scope of every type they reach, exactly as a
 * direct search of that type would, and a referral grant opens the referred patient's own record
 * only, never a record that merely mentions them nor a count over the referring site.
 *
 * <p>Fixture, recorded at Konobougou: patient K with a consultation, read by the district doctor
 * (so the audit trail names K at Konobougou and nationally); patient R referred to Djéli, with a
 * temperature; patient L whose {@code link} points at R, with an observation and a Condition
 * whose {@code asserter} is R.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrossTypeReachTest extends ServerIntegrationTest {

    private static final String KONOBOUGOU = "cscom-konobougou";
    private static final String DJELI = "cscom-djeli";

    private final String konobougouSoignant = TestTokens.get().user("soignant.konobougou.reach", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String konobougouMajor = TestTokens.get().user("major.konobougou.reach", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));
    private final String djeliSoignant = TestTokens.get().user("soignant.djeli.reach", Set.of("soignant"), Set.of("CSCOM-DJELI"));
    private final String djeliMajor = TestTokens.get().user("major.djeli.reach", Set.of("major"), Set.of("CSCOM-DJELI"));
    private final String district = TestTokens.get().user("medecin.district.reach", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU", "CSCOM-DJELI"));
    private final String admin = TestTokens.get().user("admin.national.reach", Set.of("admin"), Set.of());

    @Autowired
    AuditOutboxDrainer drainer;

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private Patient k;
    private Patient r;
    private Patient l;
    private Observation kTemperature;
    private Observation rTemperature;
    private Observation lTemperature;
    private Condition lAsserted;

    @BeforeAll
    void konobougouRecordsAndRefers() {
        k = ClinicalRecords.patient("Kone" + suffix, "Awa", KONOBOUGOU);
        Encounter kVisit = ClinicalRecords.encounter(k, KONOBOUGOU);
        kTemperature = ClinicalRecords.temperature(k, kVisit);
        r = ClinicalRecords.patient("Sangare" + suffix, "Oumou", KONOBOUGOU);
        Encounter rVisit = ClinicalRecords.encounter(r, KONOBOUGOU);
        rTemperature = ClinicalRecords.temperature(r, rVisit);
        l = ClinicalRecords.patient("Lingani" + suffix, "Fanta", KONOBOUGOU);
        l.addLink().setType(Patient.LinkType.SEEALSO).setOther(ClinicalRecords.reference(r));
        Encounter lVisit = ClinicalRecords.encounter(l, KONOBOUGOU);
        lTemperature = ClinicalRecords.temperature(l, lVisit);
        lAsserted = ClinicalRecords.malaria(l, lVisit);
        lAsserted.setAsserter(ClinicalRecords.reference(r));
        ServiceRequest referral = ClinicalRecords.referral(r, DJELI);
        as(konobougouSoignant, () -> {
            for (var resource : List.of(k, kVisit, kTemperature, r, rVisit, rTemperature, l, lVisit, lTemperature, lAsserted, referral)) {
                HttpResponse<String> created = putJson("/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart(), json(resource));
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            }
            return null;
        });
        // The district doctor reads K (an event at Konobougou) and asks for a version that does
        // not exist (a refusal of a two-site user: stored nationally).
        assertThat(as(district, () -> get("/Patient/" + k.getIdPart())).statusCode()).isEqualTo(200);
        assertThat(as(district, () -> get("/Patient/" + k.getIdPart() + "/_history/99")).statusCode()).isEqualTo(404);
        awaitAuditOf(k, event -> siteOf(event) == null, admin);
        awaitAuditOf(k, event -> "CSCOM-KONOBOUGOU".equals(siteOf(event)), konobougouMajor);
        awaitAuditOf(r, event -> "CSCOM-KONOBOUGOU".equals(siteOf(event)), konobougouMajor);
    }

    // --- 1. the audit trail through _revinclude, _has and wildcards

    @Test
    void aCareWorkerCannotReachTheAuditTrailThroughAPatientSearch() {
        for (String query : List.of(
                "/Patient?_id=" + k.getIdPart() + "&_revinclude=AuditEvent:patient",
                "/Patient?_id=" + k.getIdPart() + "&_revinclude=AuditEvent:entity",
                "/Patient?_id=" + k.getIdPart() + "&_revinclude:iterate=AuditEvent:patient",
                "/Patient?_id=" + k.getIdPart() + "&_has:AuditEvent:patient:altid=medecin.district.reach",
                "/Patient?_id=" + k.getIdPart() + "&_has:AuditEvent:entity:_id=x",
                "/Encounter?patient=" + k.getIdPart() + "&_revinclude:iterate=AuditEvent:patient")) {
            HttpResponse<String> answer = as(konobougouSoignant, () -> get(query));
            OperationOutcomeAssert.assertOutcome(fhirContext, answer, 403, "forbidden", "AuditEvent");
        }
        HttpResponse<String> wildcard = as(konobougouSoignant, () -> get("/Patient?_id=" + k.getIdPart() + "&_revinclude=*"));
        assertThat(wildcard.statusCode()).as(wildcard.body()).isIn(200, 403);
        assertThat(wildcard.body()).as("a wildcard never brings the audit trail").doesNotContain("\"resourceType\":\"AuditEvent\"");
    }

    @Test
    void aMajorReachesThroughAPatientOnlyTheAuditEventsOfTheirOwnSite() {
        List<AuditEvent> direct = auditEvents(as(konobougouMajor, () -> get("/AuditEvent?patient=" + k.getIdPart())));
        assertThat(direct).as("a direct search shows the major their site's events").isNotEmpty()
                .allSatisfy(event -> assertThat(siteOf(event)).isEqualTo("CSCOM-KONOBOUGOU"));
        List<AuditEvent> national = auditEvents(as(admin, () -> get("/AuditEvent?entity-name=Patient/" + k.getIdPart())));
        assertThat(national).as("the national trail names K too").anySatisfy(event -> assertThat(siteOf(event)).isNull());

        List<AuditEvent> reached = auditEvents(as(konobougouMajor,
                () -> get("/Patient?_id=" + k.getIdPart() + "&_revinclude=AuditEvent:patient")));
        assertThat(reached).isNotEmpty().allSatisfy(event -> assertThat(siteOf(event)).isEqualTo("CSCOM-KONOBOUGOU"));
        HttpResponse<String> filter = as(konobougouMajor,
                () -> get("/Patient?_id=" + k.getIdPart() + "&_has:AuditEvent:patient:altid=medecin.district.reach"));
        OperationOutcomeAssert.assertOutcome(fhirContext, filter, 403, "forbidden", "AuditEvent");
    }

    @Test
    void aReferralNeverOpensTheReferringSitesAuditTrail() {
        for (String token : List.of(djeliSoignant, djeliMajor)) {
            HttpResponse<String> answer = as(token, () -> get("/Patient?_id=" + r.getIdPart() + "&_revinclude=AuditEvent:patient"));
            if (answer.statusCode() == 200) {
                assertThat(auditEvents(answer)).as("Djéli sees none of Konobougou's events about R").isEmpty();
                assertThat(patientIds(answer)).as("the referred patient still comes").containsExactly(r.getIdPart());
            } else {
                OperationOutcomeAssert.assertOutcome(fhirContext, answer, 403, "forbidden", "AuditEvent");
            }
        }
    }

    // --- 9. chains from the audit trail into clinical types follow the clinical rules

    @Test
    void anAdminCannotReadDemographicsThroughTheAuditTrail() {
        for (String query : List.of(
                "/AuditEvent?patient.family=" + k.getNameFirstRep().getFamily() + "&_summary=count",
                "/AuditEvent?patient:Patient.family=" + k.getNameFirstRep().getFamily(),
                "/AuditEvent?entity.family=" + k.getNameFirstRep().getFamily(),
                "/AuditEvent?patient=" + k.getIdPart() + "&_include=AuditEvent:patient",
                "/AuditEvent?patient=" + k.getIdPart() + "&_include=*")) {
            HttpResponse<String> answer = as(admin, () -> get(query));
            OperationOutcomeAssert.assertOutcome(fhirContext, answer, 403, "forbidden", "Patient");
        }
        assertThat(auditEvents(as(admin, () -> get("/AuditEvent?patient=" + k.getIdPart()))))
                .as("the audit trail itself stays readable to the admin").isNotEmpty();
    }

    // --- 2. a referral opens the referred patient's own record, not what mentions them

    @Test
    void aReferralDoesNotExposeRecordsThatMerelyMentionTheReferredPatient() {
        String links = "/Patient?_id=" + r.getIdPart() + "&_revinclude=Patient:link";
        String asserted = "/Patient?_id=" + r.getIdPart() + "&_revinclude=Condition:asserter";
        assertThat(ids(as(konobougouSoignant, () -> get(links)))).as("the owner sees the link").contains(l.getIdPart());
        assertThat(ids(as(konobougouSoignant, () -> get(asserted)))).as("the owner sees the condition").contains(lAsserted.getIdPart());

        assertThat(ids(as(djeliSoignant, () -> get(links)))).containsExactly(r.getIdPart());
        assertThat(ids(as(djeliSoignant, () -> get(asserted)))).containsExactly(r.getIdPart());
        assertThat(ids(as(djeliSoignant, () -> get("/Patient?_id=" + r.getIdPart()
                + "&_revinclude=Observation:subject&_revinclude:iterate=Patient:link&_include:iterate=Observation:subject"))))
                .containsExactlyInAnyOrder(r.getIdPart(), rTemperature.getIdPart());
        assertThat(ids(as(djeliSoignant, () -> get("/Observation?subject=" + r.getIdPart()))))
                .as("the referred patient's own records stay open").containsExactly(rTemperature.getIdPart());
    }

    // --- 3. negated, chained and reverse-chained values never select a partition

    @Test
    void aReferralOpensNoCountOverTheReferringSite() {
        String family = l.getNameFirstRep().getFamily();
        List<String> queries = List.of(
                "/Patient?_id:not=" + r.getIdPart() + "&family=" + family + "&_summary=count",
                // Searches that join on references are matched, not counted: HAPI answers _summary=count on
                // them (and :missing on a reference at all) with a 500 when partitioned (a join it builds
                // wrongly), whoever asks.
                "/Patient?_id:not=" + r.getIdPart() + "&_has:Observation:subject:code=8310-5&family=" + family,
                "/Observation?subject.link=" + r.getIdPart(),
                "/Observation?subject:Patient.link=" + r.getIdPart(),
                "/Patient?_id=" + r.getIdPart() + "," + l.getIdPart() + "&_summary=count",
                "/Observation?patient=" + r.getIdPart() + "," + l.getIdPart(),
                "/Condition?asserter=" + r.getIdPart());
        for (String query : queries) {
            assertThat(total(as(konobougouSoignant, () -> get(query)))).as("the owner counts it: %s", query).isPositive();
        }
        for (String query : queries) {
            assertThat(total(as(djeliSoignant, () -> get(query)))).as("through the referral: %s", query).isZero();
        }
        assertThat(total(as(djeliSoignant, () -> get("/Patient?_id=" + r.getIdPart() + "&_summary=count"))))
                .as("a count restricted to the referred patient is theirs to see").isEqualTo(1);
    }

    // --- helpers

    private void awaitAuditOf(Patient patient, java.util.function.Predicate<AuditEvent> matching, String reader) {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(15));
        while (Instant.now().isBefore(deadline)) {
            drainer.drainAll();
            if (auditEvents(as(reader, () -> get("/AuditEvent?entity-name=Patient/" + patient.getIdPart()))).stream().anyMatch(matching)) {
                return;
            }
        }
        throw new AssertionError("no audit event about " + patient.getIdPart() + " reached the trail");
    }

    private static String siteOf(AuditEvent event) {
        return event.getMeta().getSecurity().stream()
                .filter(c -> ml.santerurale.interceptors.access.SiteLabels.SYSTEM.equals(c.getSystem()))
                .map(org.hl7.fhir.r4.model.Coding::getCode).findFirst().orElse(null);
    }

    private Bundle bundle(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body());
    }

    private List<String> ids(HttpResponse<String> response) {
        return bundle(response).getEntry().stream().map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    private List<String> patientIds(HttpResponse<String> response) {
        return bundle(response).getEntry().stream().filter(e -> e.getResource() instanceof Patient)
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }

    private List<AuditEvent> auditEvents(HttpResponse<String> response) {
        return bundle(response).getEntry().stream().filter(e -> e.getResource() instanceof AuditEvent)
                .map(e -> (AuditEvent) e.getResource()).toList();
    }

    /** The count a response gives: its total for a count, else its matches. */
    private int total(HttpResponse<String> response) {
        assertThat(response.statusCode()).as("%s -> %s", response.uri(), response.body()).isEqualTo(200);
        Bundle bundle = bundle(response);
        if (bundle.getEntry().isEmpty() && bundle.hasTotal()) {
            return bundle.getTotal();
        }
        return (int) bundle.getEntry().stream()
                .filter(e -> e.getSearch().getMode() == Bundle.SearchEntryMode.MATCH).count();
    }
}
