package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.SearchTotalModeEnum;
import ca.uhn.fhir.rest.api.SummaryEnum;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceGoneException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.Names;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The server as an integrator meets it through HAPI's own generic client ({@code hapi-fhir-client}):
 * CRUD with versions, conditional create and update, token searches with {@code |}, paging with
 * totals, history, batch and transaction, by a care worker of CSCOM Konobougou and one of CSCOM
 * Djéli. Each site sees its own records by id and never the other's.
 *
 * <p>The client is built as an integrator would build it, except that it does not fetch
 * {@code /metadata} first ({@code ServerValidationModeEnum.NEVER}): nothing here depends on that.
 * Records are profile-shaped ({@link ClinicalRecords}); a single-site care worker's records are
 * stamped with that site by the server, so no site label is sent.
 *
 * <p>Does not cover: the referral grant (ReferralAccessTest), the sync protocol (SyncPushTest,
 * SyncFeedTest), PATCH, XML.
 */
class GenericClientConformanceTest extends ServerIntegrationTest {

    private static final String CARNET = "https://sante-rurale.ml/fhir/sid/carnet";
    private static final String KONOBOUGOU = "cscom-konobougou";
    private static final String DJELI = "cscom-djeli";

    private final String konobougouToken = TestTokens.get().user("soignant.konobougou.gc", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String djeliToken = TestTokens.get().user("soignant.djeli.gc", Set.of("soignant"), Set.of("CSCOM-DJELI"));
    private final String konobougouMajorToken = TestTokens.get().user("major.konobougou.gc", Set.of("major"), Set.of("CSCOM-KONOBOUGOU"));

    private IGenericClient konobougou;
    private IGenericClient djeli;
    private String family;

    @BeforeEach
    void twoSitesClients() {
        konobougou = as(konobougouToken, this::client);
        djeli = as(djeliToken, this::client);
        family = "Gc" + Names.unique(8);
    }

    @Test
    void createReadVreadUpdateAndDeleteWorkAtTheOwnSiteAndNeverAtTheOther() {
        MethodOutcome created = konobougou.create().resource(newPatient("Aminata", KONOBOUGOU)).execute();
        assertThat(created.getCreated()).isTrue();
        IdType id = (IdType) created.getId();
        assertThat(id.getIdPart()).matches("[0-9a-f-]{36}");
        assertThat(id.getVersionIdPart()).isEqualTo("1");

        Patient read = konobougou.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(read.getNameFirstRep().getFamily()).isEqualTo(family);
        assertThat(read.getMeta().getSecurity()).anySatisfy(label -> assertThat(label.getCode()).isEqualTo("CSCOM-KONOBOUGOU"));

        read.getNameFirstRep().addGiven("Nana");
        MethodOutcome updated = konobougou.update().resource(read).withId(id.withVersion("1")).execute();
        assertThat(updated.getId().getVersionIdPart()).isEqualTo("2");
        Patient version1 = konobougou.read().resource(Patient.class).withIdAndVersion(id.getIdPart(), "1").execute();
        assertThat(version1.getNameFirstRep().getGiven()).extracting(StringType::getValue).containsExactly("Aminata");
        Patient version2 = konobougou.read().resource(Patient.class).withId(id.getIdPart()).execute();
        assertThat(version2.getNameFirstRep().getGiven()).extracting(StringType::getValue).containsExactly("Aminata", "Nana");
        assertThatThrownBy(() -> konobougou.update().resource(version1).withId(id.withVersion("1")).execute())
                .as("If-Match with a stale version").isInstanceOf(PreconditionFailedException.class);

        assertThatThrownBy(() -> djeli.read().resource(Patient.class).withId(id.getIdPart()).execute())
                .isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> djeli.read().resource(Patient.class).withIdAndVersion(id.getIdPart(), "1").execute())
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(ids(djeli.search().forResource(Patient.class).where(Patient.RES_ID.exactly().code(id.getIdPart()))
                .returnBundle(Bundle.class).execute())).isEmpty();
        assertThatThrownBy(() -> djeli.update().resource(version2).withId(id.withVersion("2")).execute())
                .as("the copy read at Konobougou carries Konobougou's site label, which Djéli may not write")
                .isInstanceOf(ForbiddenOperationException.class);
        Patient djelisOwn = newPatient("Écrasé", DJELI);
        djelisOwn.setId(id.toUnqualifiedVersionless());
        assertThatThrownBy(() -> djeli.update().resource(djelisOwn).withId(id.withVersion("2")).execute())
                .as("an If-Match update of the other site's record answers as for a missing one")
                .isInstanceOfAny(PreconditionFailedException.class, ResourceNotFoundException.class);
        assertThat(konobougou.read().resource(Patient.class).withId(id.getIdPart()).execute().getMeta().getVersionId())
                .as("untouched by Djéli").isEqualTo("2");

        assertThatThrownBy(() -> konobougou.delete().resourceById(id.toUnqualifiedVersionless()).execute())
                .as("a soignant may not delete").isInstanceOf(ForbiddenOperationException.class);
        IGenericClient major = as(konobougouMajorToken, this::client);
        major.delete().resourceById(id.toUnqualifiedVersionless()).execute();
        assertThatThrownBy(() -> konobougou.read().resource(Patient.class).withId(id.getIdPart()).execute())
                .isInstanceOf(ResourceGoneException.class);
    }

    @Test
    void aConditionalCreateMatchesWithinItsSiteAndCreatesAnotherRecordAtTheOther() {
        String carnet = "GC-" + UUID.randomUUID();

        MethodOutcome first = conditionalCreate(konobougou, carnet, KONOBOUGOU);
        MethodOutcome again = conditionalCreate(konobougou, carnet, KONOBOUGOU);
        MethodOutcome atDjeli = conditionalCreate(djeli, carnet, DJELI);
        MethodOutcome againAtDjeli = conditionalCreate(djeli, carnet, DJELI);

        assertThat(first.getCreated()).isTrue();
        assertThat(again.getCreated()).as("matched the first").isNotEqualTo(Boolean.TRUE);
        assertThat(again.getId().getIdPart()).isEqualTo(first.getId().getIdPart());
        assertThat(atDjeli.getCreated()).as("a second site registers the same carnet").isTrue();
        assertThat(atDjeli.getId().getIdPart()).isNotEqualTo(first.getId().getIdPart());
        assertThat(againAtDjeli.getCreated()).isNotEqualTo(Boolean.TRUE);
        assertThat(againAtDjeli.getId().getIdPart()).isEqualTo(atDjeli.getId().getIdPart());
        assertThat(ids(byCarnet(konobougou, carnet))).containsExactly(first.getId().getIdPart());
        assertThat(ids(byCarnet(djeli, carnet))).containsExactly(atDjeli.getId().getIdPart());
    }

    @Test
    void aConditionalUpdateChangesTheOwnSitesRecordAndCreatesAtTheOther() {
        String carnet = "GC-" + UUID.randomUUID();

        MethodOutcome created = conditionalUpdate(konobougou, carnet, "Aminata", KONOBOUGOU);
        MethodOutcome changed = conditionalUpdate(konobougou, carnet, "Assitan", KONOBOUGOU);
        MethodOutcome atDjeli = conditionalUpdate(djeli, carnet, "Awa", DJELI);

        assertThat(created.getCreated()).isTrue();
        assertThat(changed.getId().getIdPart()).isEqualTo(created.getId().getIdPart());
        assertThat(changed.getId().getVersionIdPart()).isEqualTo("2");
        assertThat(atDjeli.getCreated()).isTrue();
        assertThat(atDjeli.getId().getIdPart()).isNotEqualTo(created.getId().getIdPart());
        assertThat(atDjeli.getId().getVersionIdPart()).isEqualTo("1");
        Patient atKonobougou = konobougou.read().resource(Patient.class).withId(created.getId().getIdPart()).execute();
        assertThat(atKonobougou.getMeta().getVersionId()).as("Djéli's update did not reach it").isEqualTo("2");
        assertThat(atKonobougou.getNameFirstRep().getGivenAsSingleString()).isEqualTo("Assitan");
    }

    @Test
    void tokenSearchesWithAPipeFindExactlyTheSitesOwnRecord() {
        String carnet = "GC-" + UUID.randomUUID();
        String atKonobougou = conditionalCreate(konobougou, carnet, KONOBOUGOU).getId().getIdPart();
        conditionalCreate(konobougou, "GC-" + UUID.randomUUID(), KONOBOUGOU);

        assertThat(ids(byCarnet(konobougou, carnet))).containsExactly(atKonobougou);
        assertThat(ids(byCarnet(djeli, carnet))).isEmpty();
        Bundle count = djeli.search().forResource(Patient.class).where(Patient.IDENTIFIER.exactly().systemAndIdentifier(CARNET, carnet))
                .summaryMode(SummaryEnum.COUNT).returnBundle(Bundle.class).execute();
        assertThat(count.getTotal()).isZero();
    }

    @Test
    void pagesFollowedWithLoadPageDeliverEveryMatchOnceWithTheWholeCountOrNone() {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            created.add(konobougou.create().resource(newPatient("Fanta" + i, KONOBOUGOU)).execute().getId().getIdPart());
        }

        List<String> seen = new ArrayList<>();
        int pages = 0;
        Bundle page = byFamily(konobougou).count(2).returnBundle(Bundle.class).execute();
        while (true) {
            pages++;
            assertThat(page.getEntry()).hasSizeLessThanOrEqualTo(2);
            assertThat(!page.hasTotal() || page.getTotal() == 5).as("total %s on page %s", page.getTotal(), pages).isTrue();
            seen.addAll(ids(page));
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                break;
            }
            page = konobougou.loadPage().next(page).execute();
        }
        assertThat(pages).isEqualTo(3);
        assertThat(seen).containsExactlyInAnyOrderElementsOf(created);

        Bundle accurate = byFamily(konobougou).count(2).totalMode(SearchTotalModeEnum.ACCURATE).returnBundle(Bundle.class).execute();
        assertThat(accurate.getTotal()).isEqualTo(5);
        assertThat(accurate.getEntry()).hasSize(2);
        Bundle count = byFamily(konobougou).summaryMode(SummaryEnum.COUNT).returnBundle(Bundle.class).execute();
        assertThat(count.getTotal()).isEqualTo(5);
        assertThat(count.getEntry()).isEmpty();

        assertThat(ids(byFamily(djeli).returnBundle(Bundle.class).execute())).isEmpty();
        assertThat(byFamily(djeli).summaryMode(SummaryEnum.COUNT).returnBundle(Bundle.class).execute().getTotal()).isZero();
    }

    @Test
    void instanceAndTypeHistoryShowTheOwnSitesVersionsOnly() {
        Date before = new Date(System.currentTimeMillis() - 1_000);
        Patient patient = newPatient("Kadiatou", KONOBOUGOU);
        IdType id = (IdType) konobougou.create().resource(patient).execute().getId();
        patient.setId(id.toUnqualifiedVersionless());
        for (String given : List.of("Kadi", "Kadidia")) {
            patient.getNameFirstRep().getGiven().clear();
            patient.getNameFirstRep().addGiven(given);
            konobougou.update().resource(patient).execute();
        }
        String djeliId = djeli.create().resource(newPatient("Oumou", DJELI)).execute().getId().getIdPart();

        Bundle instance = konobougou.history().onInstance(id.toUnqualifiedVersionless()).returnBundle(Bundle.class).execute();
        assertThat(instance.getTotal()).isEqualTo(3);
        assertThat(instance.getEntry()).extracting(e -> e.getResource().getMeta().getVersionId()).containsExactly("3", "2", "1");

        List<String> konobougouFeed = typeHistoryIds(konobougou, before);
        assertThat(konobougouFeed).contains(id.getIdPart() + "/1", id.getIdPart() + "/2", id.getIdPart() + "/3");
        assertThat(konobougouFeed).noneMatch(v -> v.startsWith(djeliId));
        List<String> djeliFeed = typeHistoryIds(djeli, before);
        assertThat(djeliFeed).contains(djeliId + "/1");
        assertThat(djeliFeed).noneMatch(v -> v.startsWith(id.getIdPart()));
        assertThatThrownBy(() -> djeli.history().onInstance(id.toUnqualifiedVersionless()).returnBundle(Bundle.class).execute())
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void aTransactionResolvesItsReferencesAndMatchesPerSite() {
        String carnet = "GC-" + UUID.randomUUID();

        Bundle first = konobougou.transaction().withBundle(consultation(carnet, KONOBOUGOU)).execute();
        assertThat(first.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("201"));
        String patientId = new IdType(first.getEntry().get(0).getResponse().getLocation()).getIdPart();
        String encounterId = new IdType(first.getEntry().get(1).getResponse().getLocation()).getIdPart();
        Encounter encounter = konobougou.read().resource(Encounter.class).withId(encounterId).execute();
        assertThat(encounter.getSubject().getReference()).isEqualTo("Patient/" + patientId);

        Bundle again = konobougou.transaction().withBundle(consultation(carnet, KONOBOUGOU)).execute();
        assertThat(again.getEntry().get(0).getResponse().getStatus()).as("the patient matched").startsWith("200");
        assertThat(new IdType(again.getEntry().get(0).getResponse().getLocation()).getIdPart()).isEqualTo(patientId);
        assertThat(again.getEntry().get(1).getResponse().getStatus()).as("a second consultation").startsWith("201");

        Bundle atDjeli = djeli.transaction().withBundle(consultation(carnet, DJELI)).execute();
        assertThat(atDjeli.getEntry()).extracting(e -> e.getResponse().getStatus()).allMatch(s -> s.startsWith("201"));
        String djeliPatientId = new IdType(atDjeli.getEntry().get(0).getResponse().getLocation()).getIdPart();
        assertThat(djeliPatientId).isNotEqualTo(patientId);
        assertThatThrownBy(() -> djeli.read().resource(Encounter.class).withId(encounterId).execute())
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(ids(djeli.search().forResource(Encounter.class).where(Encounter.PATIENT.hasId("Patient/" + patientId))
                .returnBundle(Bundle.class).execute())).isEmpty();
    }

    @Test
    void aBatchAnswersEachEntryOnItsOwnAndOnlyWithinTheSite() {
        String atKonobougou = konobougou.create().resource(newPatient("Sali", KONOBOUGOU)).execute().getId().getIdPart();
        String atDjeli = djeli.create().resource(newPatient("Sira", DJELI)).execute().getId().getIdPart();
        Patient fresh = newPatient("Bintou", KONOBOUGOU);
        fresh.setId(ClinicalRecords.newId());

        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + atKonobougou);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + atDjeli);
        batch.addEntry().setResource(fresh).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + fresh.getIdPart());
        Bundle answer = konobougou.transaction().withBundle(batch).execute();

        assertThat(answer.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
        assertThat(answer.getEntry()).extracting(e -> e.getResponse().getStatus().substring(0, 3)).containsExactly("200", "404", "201");
        assertThat(answer.getEntry().get(0).getResource().getIdElement().getIdPart()).isEqualTo(atKonobougou);
        assertThat(answer.getEntry().get(1).hasResource() && answer.getEntry().get(1).getResource() instanceof Patient)
                .as("no Patient for the other site's id").isFalse();
        assertThat(konobougou.read().resource(Patient.class).withId(fresh.getIdPart()).execute().getNameFirstRep().getFamily())
                .isEqualTo(family);

        Bundle fromDjeli = new Bundle().setType(Bundle.BundleType.BATCH);
        fromDjeli.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient/" + atKonobougou);
        fromDjeli.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Patient?identifier=" + CARNET + "|nothing&family=" + family);
        Bundle djeliAnswer = djeli.transaction().withBundle(fromDjeli).execute();
        assertThat(djeliAnswer.getEntry().get(0).getResponse().getStatus()).startsWith("404");
        assertThat(djeliAnswer.getEntry().get(1).getResponse().getStatus()).startsWith("200");
        assertThat(ids((Bundle) djeliAnswer.getEntry().get(1).getResource())).isEmpty();
    }

    private Patient newPatient(String given, String site) {
        Patient patient = ClinicalRecords.patient(family, given, site);
        patient.setId((String) null);
        return patient;
    }

    private MethodOutcome conditionalCreate(IGenericClient client, String carnet, String site) {
        Patient patient = newPatient("Mariam", site);
        patient.addIdentifier().setSystem(CARNET).setValue(carnet);
        return client.create().resource(patient)
                .conditional().where(Patient.IDENTIFIER.exactly().systemAndIdentifier(CARNET, carnet)).execute();
    }

    private MethodOutcome conditionalUpdate(IGenericClient client, String carnet, String given, String site) {
        Patient patient = newPatient(given, site);
        patient.addIdentifier().setSystem(CARNET).setValue(carnet);
        return client.update().resource(patient)
                .conditional().where(Patient.IDENTIFIER.exactly().systemAndIdentifier(CARNET, carnet)).execute();
    }

    private static Bundle byCarnet(IGenericClient client, String carnet) {
        return client.search().forResource(Patient.class).where(Patient.IDENTIFIER.exactly().systemAndIdentifier(CARNET, carnet))
                .returnBundle(Bundle.class).execute();
    }

    private ca.uhn.fhir.rest.gclient.IQuery<org.hl7.fhir.instance.model.api.IBaseBundle> byFamily(IGenericClient client) {
        return client.search().forResource(Patient.class).where(Patient.FAMILY.matchesExactly().value(family));
    }

    /** A patient registered by carnet (matched if the site knows it), an encounter and a temperature. */
    private Bundle consultation(String carnet, String site) {
        Patient patient = newPatient("Hawa", site);
        patient.addIdentifier().setSystem(CARNET).setValue(carnet);
        Encounter encounter = ClinicalRecords.encounter(patient, site);
        encounter.setId((String) null);
        Observation temperature = ClinicalRecords.temperature(patient, encounter);
        temperature.setId((String) null);
        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        String encounterUrl = "urn:uuid:" + UUID.randomUUID();
        encounter.setSubject(new Reference(patientUrl));
        temperature.setSubject(new Reference(patientUrl));
        temperature.setEncounter(new Reference(encounterUrl));

        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setFullUrl(patientUrl).setResource(patient).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Patient").setIfNoneExist("identifier=" + CARNET + "|" + carnet);
        transaction.addEntry().setFullUrl(encounterUrl).setResource(encounter).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Encounter");
        transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(temperature).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        return transaction;
    }

    /** Every {@code id/version} of the Patient feed since {@code since}, following every page. */
    private static List<String> typeHistoryIds(IGenericClient client, Date since) {
        List<String> versions = new ArrayList<>();
        Bundle page = client.history().onType(Patient.class).returnBundle(Bundle.class).since(since).execute();
        while (true) {
            assertThat(page.hasTotal()).as("history pages carry no total").isFalse();
            for (Bundle.BundleEntryComponent entry : page.getEntry()) {
                if (entry.hasResource()) {
                    versions.add(entry.getResource().getIdElement().getIdPart() + "/" + entry.getResource().getMeta().getVersionId());
                }
            }
            if (page.getLink(Bundle.LINK_NEXT) == null) {
                return versions;
            }
            page = client.loadPage().next(page).execute();
        }
    }

    private static List<String> ids(Bundle bundle) {
        return bundle.getEntry().stream()
                .filter(e -> e.getResource() instanceof Patient || e.getResource() instanceof Encounter)
                .map(e -> e.getResource().getIdElement().getIdPart())
                .toList();
    }
}
