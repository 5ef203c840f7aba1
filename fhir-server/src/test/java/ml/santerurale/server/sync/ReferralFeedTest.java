package ml.santerurale.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.FeedHorizon;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.SyncDevice;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** A referral brings the patient into the receiving site's feed; its completion takes them out. */
class ReferralFeedTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    private final String referring = TestTokens.get().user("medecin.baguineda.feed", Set.of("medecin"), Set.of("CSCOM-BAGUINEDA"));
    private final String receiving = TestTokens.get().user("soignant.banco.feed", Set.of("soignant"), Set.of("CSCOM-BANCO"));

    private SyncDevice device(String token) {
        return new SyncDevice("phone-" + UUID.randomUUID(), fhirBase(), () -> token, fhirContext, Clock.systemUTC());
    }

    /** An active referral of the patient to CSCOM Banco. */
    private static ServiceRequest referralToBanco(Patient patient, String reason) {
        ServiceRequest referral = ml.santerurale.server.support.Conforming.referral("Patient/" + patient.getIdElement().getIdPart(), "Organization/cscom-banco",
                ServiceRequest.ServiceRequestStatus.ACTIVE);
        referral.setId(UUID.randomUUID().toString());
        referral.getCode().setText(reason);
        return referral;
    }

    @Test
    void completedReferralRemovesThePatientFromTheReceivingSiteFeed() throws InterruptedException {
        SyncDevice atBaguineda = device(referring);
        SyncDevice atBanco = device(receiving);
        atBanco.pull(500);
        Patient patient = Consultations.patient("Konaté", "Bintou");
        ServiceRequest referral = referralToBanco(patient, "Référence: grossesse à risque");
        atBaguineda.record(patient, referral);
        assertThat(atBaguineda.push().accepted).hasSize(1);
        String patientKey = SyncDevice.key(patient);
        String referralKey = SyncDevice.key(referral);

        FeedHorizon.awaitPastEveryChange(jdbc);
        atBanco.pull(500);

        assertThat(atBanco.records()).as("the referred patient and the referral entered Banco's feed")
                .containsKeys(patientKey, referralKey);

        Patient edited = (Patient) atBaguineda.records().get(patientKey).copy();
        edited.getNameFirstRep().addGiven("Awa");
        ServiceRequest completed = (ServiceRequest) atBaguineda.records().get(referralKey).copy();
        completed.setStatus(ServiceRequest.ServiceRequestStatus.COMPLETED);
        atBaguineda.record(completed);
        assertThat(atBaguineda.push().accepted).hasSize(1);
        atBaguineda.record(edited);
        assertThat(atBaguineda.push().accepted).hasSize(1);

        FeedHorizon.awaitPastEveryChange(jdbc);
        SyncDevice.PullReport afterCompletion = atBanco.pull(500);

        assertThat(afterCompletion.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .contains("DELETE " + patientKey, "DELETE " + referralKey);
        assertThat(atBanco.records()).as("Banco's phone purged the patient").doesNotContainKeys(patientKey, referralKey);
        assertThat(afterCompletion.entries).as("Baguineda's later edit stays out of Banco's feed")
                .noneMatch(e -> e.getResource() != null && SyncDevice.key(e.getResource()).equals(patientKey));
        assertThat(as(referring, () -> get("/" + patientKey)).statusCode()).as("still at the referring site").isEqualTo(200);
    }

    @Test
    void revokedReferralRemovesThePatientFromTheReceivingSiteFeed() throws InterruptedException {
        assertEndingTheReferralRemovesThePatientFromBancosFeed(referral -> {
            ServiceRequest revoked = parse(ServiceRequest.class, as(referring, () -> get("/" + referral)).body());
            revoked.setStatus(ServiceRequest.ServiceRequestStatus.REVOKED);
            return as(referring, () -> putJson("/" + referral, json(revoked)));
        });
    }

    @Test
    void deletedReferralRemovesThePatientFromTheReceivingSiteFeed() throws InterruptedException {
        assertEndingTheReferralRemovesThePatientFromBancosFeed(referral -> as(referring, () -> send(request("/" + referral).DELETE())));
    }

    /**
     * Baguineda refers a patient to Banco, then ends the referral by {@code ending} (given
     * {@code ServiceRequest/<id>}): Banco's next pull holds a DELETE of the patient and of the
     * referral, and Banco no longer reads the patient, who is still at Baguineda.
     */
    private void assertEndingTheReferralRemovesThePatientFromBancosFeed(
            java.util.function.Function<String, java.net.http.HttpResponse<String>> ending) throws InterruptedException {
        SyncDevice atBanco = device(receiving);
        atBanco.pull(500);
        Patient patient = ClinicalRecords.patient("Sidibé", "Rokia", "cscom-baguineda");
        ServiceRequest referral = ClinicalRecords.referral(patient, "cscom-banco");
        String patientKey = SyncDevice.key(patient);
        String referralKey = SyncDevice.key(referral);
        for (var resource : java.util.List.of(patient, referral)) {
            var created = as(referring, () -> putJson("/" + SyncDevice.key(resource), json(resource)));
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        }
        FeedHorizon.awaitPastEveryChange(jdbc);
        atBanco.pull(500);
        assertThat(atBanco.records()).as("the referred patient and the referral entered Banco's feed")
                .containsKeys(patientKey, referralKey);

        var ended = ending.apply(referralKey);
        assertThat(ended.statusCode()).as(ended.body()).isEqualTo(200);
        FeedHorizon.awaitPastEveryChange(jdbc);
        SyncDevice.PullReport afterTheEnd = atBanco.pull(500);

        assertThat(afterTheEnd.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .contains("DELETE " + patientKey, "DELETE " + referralKey);
        assertThat(atBanco.records()).as("Banco's phone purged the patient").doesNotContainKeys(patientKey, referralKey);
        assertThat(as(receiving, () -> get("/" + patientKey)).statusCode()).as("the grant is gone").isEqualTo(404);
        assertThat(as(referring, () -> get("/" + patientKey)).statusCode()).as("still at the referring site").isEqualTo(200);
    }

    @Test
    void referredPatientsLaterVersionsReachTheReceivingSiteEachOnce() throws InterruptedException {
        SyncDevice atBaguineda = device(referring);
        SyncDevice atBanco = device(receiving);
        atBanco.pull(500);
        Patient patient = Consultations.patient("Coulibaly", "Mariam");
        ServiceRequest referral = referralToBanco(patient, "Référence: paludisme grave");
        atBaguineda.record(patient, referral);
        assertThat(atBaguineda.push().accepted).hasSize(1);
        String patientKey = SyncDevice.key(patient);
        FeedHorizon.awaitPastEveryChange(jdbc);
        atBanco.pull(500);
        assertThat(atBanco.records()).containsKey(patientKey);

        Patient edited = (Patient) atBaguineda.records().get(patientKey).copy();
        edited.getNameFirstRep().addGiven("Nènè");
        atBaguineda.record(edited);
        Patient unrelated = Consultations.patient("Diarra", "Oumou");
        atBaguineda.record(unrelated);
        assertThat(atBaguineda.push().accepted).hasSize(2);
        FeedHorizon.awaitPastEveryChange(jdbc);
        SyncDevice.PullReport changes = atBanco.pull(500);

        assertThat(changes.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .as("the edit made at the referring site while the referral is active, nothing else of that site")
                .filteredOn(entry -> entry.contains(" Patient/") || entry.contains(" ServiceRequest/"))
                .containsExactly("PUT " + patientKey + "/_history/2");
        assertThat(((Patient) atBanco.records().get(patientKey)).getNameFirstRep().getGiven()).extracting(Object::toString)
                .contains("Nènè");

        SyncDevice newPhoneAtBanco = device(receiving);
        SyncDevice.PullReport fromScratch = newPhoneAtBanco.pull(1);
        assertThat(fromScratch.entries).extracting(e -> e.getRequest().getUrl())
                .as("a first sync gets each version of the referred patient once")
                .filteredOn(url -> url.startsWith(patientKey + "/"))
                .containsExactly(patientKey + "/_history/1", patientKey + "/_history/2");
        assertThat(fromScratch.entries).extracting(e -> e.getRequest().getUrl()).doesNotHaveDuplicates()
                .noneMatch(url -> url.startsWith(SyncDevice.key(unrelated)));
    }

    @Test
    void theEndOfOneReferralRemovesNothingStillVisible() throws InterruptedException {
        SyncDevice atBaguineda = device(referring);
        SyncDevice atBanco = device(receiving);
        SyncDevice districtDoctor = device(TestTokens.get().user("medecin.district.feed", Set.of("medecin"),
                Set.of("CSCOM-BAGUINEDA", "CSCOM-BANCO")));
        atBanco.pull(500);
        districtDoctor.pull(500);
        Patient patient = Consultations.patient("Diallo", "Hawa");
        ServiceRequest first = referralToBanco(patient, "Référence: échographie");
        ServiceRequest second = referralToBanco(patient, "Référence: bilan sanguin");
        atBaguineda.record(patient, first, second);
        assertThat(atBaguineda.push().accepted).hasSize(1);
        String patientKey = SyncDevice.key(patient);
        FeedHorizon.awaitPastEveryChange(jdbc);
        atBanco.pull(500);
        districtDoctor.pull(500);
        assertThat(atBanco.records()).containsKey(patientKey);

        ServiceRequest firstDone = (ServiceRequest) atBaguineda.records().get(SyncDevice.key(first)).copy();
        firstDone.setStatus(ServiceRequest.ServiceRequestStatus.COMPLETED);
        atBaguineda.record(firstDone);
        assertThat(atBaguineda.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);

        SyncDevice.PullReport atBancoAfterFirst = atBanco.pull(500);
        assertThat(atBancoAfterFirst.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .as("the first referral leaves, the patient stays: the second one still grants them")
                .contains("DELETE " + SyncDevice.key(first)).doesNotContain("DELETE " + patientKey);
        assertThat(atBanco.records()).containsKey(patientKey);
        SyncDevice.PullReport doctorAfterFirst = districtDoctor.pull(500);
        assertThat(doctorAfterFirst.entries).extracting(e -> e.getRequest().getMethod() + " " + e.getRequest().getUrl())
                .as("a doctor of both sites keeps the patient and the referral of their own site")
                .noneMatch(entry -> entry.startsWith("DELETE "));
        assertThat(districtDoctor.records()).containsKeys(patientKey, SyncDevice.key(first), SyncDevice.key(second));

        ServiceRequest secondDone = (ServiceRequest) atBaguineda.records().get(SyncDevice.key(second)).copy();
        secondDone.setStatus(ServiceRequest.ServiceRequestStatus.COMPLETED);
        atBaguineda.record(secondDone);
        assertThat(atBaguineda.push().accepted).hasSize(1);
        FeedHorizon.awaitPastEveryChange(jdbc);
        atBanco.pull(500);
        assertThat(atBanco.records()).as("both referrals ended").doesNotContainKey(patientKey);

        SyncDevice newPhoneAtBanco = device(receiving);
        SyncDevice.PullReport firstSync = newPhoneAtBanco.pull(500);
        assertThat(firstSync.entries).as("an ended referral shows nothing of the patient to a new phone")
                .noneMatch(e -> e.getResource() != null && SyncDevice.key(e.getResource()).equals(patientKey));
        assertThat(newPhoneAtBanco.records()).doesNotContainKey(patientKey);
    }

    @Test
    void aReferralToAnOrganisationThatIsNotOneOfOurSitesGrantsNothing() throws InterruptedException {
        String clinic = "clinique-privee-" + UUID.randomUUID().toString().substring(0, 8);
        org.hl7.fhir.r4.model.Organization outsidePilot = ml.santerurale.server.support.Conforming.site(
                clinic.toUpperCase(java.util.Locale.ROOT), "CSCOM hors du pilote");
        outsidePilot.setId(clinic);
        assertThat(as(TestTokens.get().admin(), () -> putJson("/Organization/" + clinic, json(outsidePilot))).statusCode())
                .isEqualTo(201);
        SyncDevice atBaguineda = device(referring);
        Patient patient = Consultations.patient("Kanté", "Oumar");
        ServiceRequest toRegion = referralToBanco(patient, "Référence: clinique privée");
        toRegion.getPerformer().clear();
        toRegion.addPerformer(new Reference("Organization/" + clinic));
        atBaguineda.record(patient, toRegion);
        assertThat(atBaguineda.push().accepted).hasSize(1);

        assertThat(jdbc.queryForObject("select count(*) from srm_referral_grant where service_request_id = ?", Integer.class,
                toRegion.getIdElement().getIdPart())).isZero();
        assertThat(jdbc.queryForObject("select count(*) from srm_change where scope is not null and fhir_id in (?, ?)", Integer.class,
                toRegion.getIdElement().getIdPart(), patient.getIdElement().getIdPart())).as("no scope row, for anyone").isZero();
        FeedHorizon.awaitPastEveryChange(jdbc);
        assertThat(device(receiving).pull(500).entries).noneMatch(e -> e.getRequest().getUrl().contains(patient.getIdElement().getIdPart()));
    }
}
