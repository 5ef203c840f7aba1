package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

/** The searches care workers and integrators rely on. */
class SearchTest extends ServerIntegrationTest {

    @Test
    void pagesThroughTwoHundredFiftyResultsVisitingEachExactlyOnce() {
        String village = "Village-" + UUID.randomUUID().toString().substring(0, 8);
        Set<String> created = new HashSet<>();
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int i = 0; i < 250; i++) {
            Patient patient = ml.santerurale.server.support.Conforming.patient("Sidibé", "Oumar" + i);
            String id = UUID.randomUUID().toString();
            patient.setId(id);
            patient.addAddress().setCity(village);
            bundle.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
            created.add(id);
        }
        assertThat(postJson("", json(bundle)).statusCode()).isEqualTo(200);

        List<String> seen = new ArrayList<>();
        Bundle page = parse(Bundle.class, get("/Patient?address-city=" + village + "&_count=40&_sort=_id").body());
        int pages = 1;
        while (true) {
            page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
            Bundle.BundleLinkComponent next = page.getLink("next");
            if (next == null) {
                break;
            }
            page = parse(Bundle.class, send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(next.getUrl()))
                    .header("Authorization", "Bearer " + token()).GET()).body());
            pages++;
        }
        assertThat(pages).isEqualTo(7);
        assertThat(seen).hasSize(250).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(created);
    }

    @Test
    void aNameSearchOfAFewPagesIsCountedByItsFirstPassAndPagesThroughEveryMatch() {
        String family = "Premier" + UUID.randomUUID().toString().substring(0, 8).replace("-", "");
        Set<String> created = new HashSet<>();
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (int i = 0; i < 45; i++) {
            Patient patient = ml.santerurale.server.support.Conforming.patient(family, "Awa" + i);
            String id = UUID.randomUUID().toString();
            patient.setId(id);
            bundle.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
            created.add(id);
        }
        assertThat(postJson("", json(bundle)).statusCode()).isEqualTo(200);

        Bundle first = parse(Bundle.class, get("/Patient?family=" + family.substring(0, 12)).body());

        assertThat(first.getEntry()).hasSize(20);
        assertThat(first.hasTotal()).as("the first pass found every match, so the search knows its size").isTrue();
        assertThat(first.getTotal()).isEqualTo(45);
        List<String> seen = new ArrayList<>();
        first.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
        Bundle page = first;
        while (page.getLink("next") != null) {
            page = parse(Bundle.class, send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(page.getLink("next").getUrl()))
                    .header("Authorization", "Bearer " + token()).GET()).body());
            page.getEntry().forEach(e -> seen.add(e.getResource().getIdElement().getIdPart()));
        }
        assertThat(seen).hasSize(45).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(created);
    }

    @Test
    void findsNamesWhateverTheAccentsAndCase() {
        String given = "Bakary" + UUID.randomUUID().toString().substring(0, 6);
        Patient patient = patient("Traoré", given);
        assertThat(putJson("/Patient/" + patient.getIdElement().getIdPart(), json(patient)).statusCode()).isEqualTo(201);

        assertThat(ids("/Patient?name=traore&given=" + given)).containsExactly(patient.getIdElement().getIdPart());
        assertThat(ids("/Patient?family=TRAORE&given=" + given.toLowerCase())).containsExactly(patient.getIdElement().getIdPart());
        assertThat(ids("/Patient?name=Traoré&given=" + given)).containsExactly(patient.getIdElement().getIdPart());
    }

    @Test
    void findsNamesBySoundWithThePhoneticParameter() {
        String birthDate = "1961-0" + (1 + (int) (Math.random() * 9)) + "-1" + (int) (Math.random() * 9);
        Patient coulibaly = patient("Coulibaly", "Mariam");
        coulibaly.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(birthDate));
        Patient other = patient("Sangaré", "Mariam");
        other.setBirthDateElement(new org.hl7.fhir.r4.model.DateType(birthDate));
        putJson("/Patient/" + coulibaly.getIdElement().getIdPart(), json(coulibaly));
        putJson("/Patient/" + other.getIdElement().getIdPart(), json(other));

        assertThat(ids("/Patient?phonetic=kulibali&birthdate=" + birthDate)).containsExactly(coulibaly.getIdElement().getIdPart());
        assertThat(ids("/Patient?phonetic=Koulibaly&birthdate=" + birthDate)).containsExactly(coulibaly.getIdElement().getIdPart());
        assertThat(ids("/Patient?name=kulibali&birthdate=" + birthDate)).as("plain name search is by spelling").isEmpty();
    }

    @Test
    void aPatientRegisteredAMomentAgoIsFoundByTheVeryNextNameSearch() {
        String family = "Fresh" + UUID.randomUUID().toString().substring(0, 8).replaceAll("[0-9-]", "q");
        String prefix = family.substring(0, family.length() - 2).toLowerCase();
        List<String> registered = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            assertThat(ids("/Patient?name=" + prefix)).as("search before registration %d", i).containsExactlyInAnyOrderElementsOf(registered);
            Patient patient = patient(family, "Awa" + i);
            assertThat(putJson("/Patient/" + patient.getIdElement().getIdPart(), json(patient)).statusCode()).isEqualTo(201);
            registered.add(patient.getIdElement().getIdPart());
            assertThat(ids("/Patient?name=" + prefix)).as("the same search right after registration %d", i)
                    .containsExactlyInAnyOrderElementsOf(registered);
            assertThat(ids("/Patient?name=" + prefix + "&_count=1")).as("and its first page with _count").hasSize(1);
        }
    }

    @Test
    void answersFullTextSearchesFromTheLuceneIndex() {
        String word = "onchocercose" + UUID.randomUUID().toString().substring(0, 6).replaceAll("[0-9-]", "x");
        Patient patient = patient("Keïta", "Salif");
        putJson("/Patient/" + patient.getIdElement().getIdPart(), json(patient));
        org.hl7.fhir.r4.model.Encounter encounter = ml.santerurale.server.support.Conforming.encounter(
                "Patient/" + patient.getIdElement().getIdPart(), "Organization/cscom-konobougou");
        encounter.setId(UUID.randomUUID().toString());
        assertThat(putJson("/Encounter/" + encounter.getIdElement().getIdPart(), json(encounter)).statusCode()).isEqualTo(201);
        Condition condition = new Condition();
        condition.setId(UUID.randomUUID().toString());
        condition.setEncounter(new Reference("Encounter/" + encounter.getIdElement().getIdPart()));
        condition.setSubject(new Reference("Patient/" + patient.getIdElement().getIdPart()));
        condition.setCode(new CodeableConcept(new Coding("http://hl7.org/fhir/sid/icd-10", "B73", "Onchocercose")).setText(word + " cutanée"));
        condition.getText().setStatus(org.hl7.fhir.r4.model.Narrative.NarrativeStatus.GENERATED)
                .setDivAsString("<div xmlns=\"http://www.w3.org/1999/xhtml\">Diagnostic: " + word + "</div>");
        assertThat(putJson("/Condition/" + condition.getIdElement().getIdPart(), json(condition)).statusCode()).isEqualTo(201);

        assertThat(ids("/Condition?_content=" + word)).containsExactly(condition.getIdElement().getIdPart());
        assertThat(ids("/Condition?_text=" + word)).containsExactly(condition.getIdElement().getIdPart());
        assertThat(ids("/Condition?code:text=" + word)).containsExactly(condition.getIdElement().getIdPart());
    }

    @Test
    void includesAndRevincludesRelatedResources() {
        Patient patient = patient("Konaté", "Ibrahim");
        String patientId = patient.getIdElement().getIdPart();
        putJson("/Patient/" + patientId, json(patient));
        Encounter encounter = new Encounter();
        encounter.setId(UUID.randomUUID().toString());
        encounter.setStatus(Encounter.EncounterStatus.FINISHED);
        encounter.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", null));
        encounter.addType(ml.santerurale.server.support.ClinicalRecords.curative());
        encounter.setSubject(new Reference("Patient/" + patientId));
        encounter.setServiceProvider(new Reference("Organization/cscom-konobougou"));
        encounter.getPeriod().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026-11-20T09:00:00Z"));
        assertThat(putJson("/Encounter/" + encounter.getIdElement().getIdPart(), json(encounter)).statusCode()).isEqualTo(201);

        Bundle withPatient = parse(Bundle.class, get("/Encounter?patient=" + patientId + "&_include=Encounter:patient").body());
        assertThat(withPatient.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactlyInAnyOrder("Encounter", "Patient");

        Bundle withEncounters = parse(Bundle.class, get("/Patient?_id=" + patientId + "&_revinclude=Encounter:patient").body());
        assertThat(withEncounters.getEntry()).extracting(e -> e.getResource().fhirType()).containsExactlyInAnyOrder("Patient", "Encounter");

        assertThat(ids("/Encounter?service-provider=Organization/cscom-konobougou&date=ge2026-11-20&patient=" + patientId))
                .containsExactly(encounter.getIdElement().getIdPart());
        assertThat(ids("/Encounter?patient.name=konate&patient=" + patientId)).containsExactly(encounter.getIdElement().getIdPart());
        assertThat(get("/Encounter?patient=" + patientId + "&_summary=count").body()).contains("\"total\":1");
        assertThat(ids("/Patient?_id=" + patientId + "&_lastUpdated=gt2000-01-01")).containsExactly(patientId);
    }

    @Test
    void searchesByTelephoneIdentifierAndBirthdate() {
        Patient patient = patient("Sangaré", "Aminata");
        String phone = "+22376" + (100000 + (int) (Math.random() * 899999));
        patient.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue(phone);
        patient.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/carnet").setValue("C-" + phone);
        patient.setGender(Enumerations.AdministrativeGender.FEMALE);
        String id = patient.getIdElement().getIdPart();
        putJson("/Patient/" + id, json(patient));
        assertThat(ids("/Patient?phone=" + phone.replace("+", "%2B"))).containsExactly(id);
        assertThat(ids("/Patient?identifier=https://sante-rurale.ml/fhir/sid/carnet|C-" + phone.replace("+", "%2B"))).containsExactly(id);
    }

    @Test
    void aMissingParameterFindsTheCallersSiteResourcesWithoutItAndNoOtherSites() {
        String village = "Manque" + UUID.randomUUID().toString().substring(0, 8);
        Patient withPhone = patient("Keïta", "Adama");
        withPhone.addAddress().setCity(village).setState("Koulikoro");
        withPhone.addTelecom().setSystem(org.hl7.fhir.r4.model.ContactPoint.ContactPointSystem.PHONE).setValue("+223 76 11 22 33");
        Patient bare = patient("Keïta", "Bintou");
        bare.addAddress().setCity(village);
        Patient djeli = patient("Keïta", "Fanta");
        djeli.addAddress().setCity(village);
        String djeliToken = TestTokens.get().user("soignant.djeli.missing", Set.of("soignant"), Set.of("CSCOM-DJELI"));
        assertThat(putJson("/Patient/" + withPhone.getIdElement().getIdPart(), json(withPhone)).statusCode()).isEqualTo(201);
        assertThat(putJson("/Patient/" + bare.getIdElement().getIdPart(), json(bare)).statusCode()).isEqualTo(201);
        assertThat(as(djeliToken, () -> putJson("/Patient/" + djeli.getIdElement().getIdPart(), json(djeli))).statusCode()).isEqualTo(201);
        String here = "/Patient?address-city=" + village;

        assertThat(ids(here + "&telecom:missing=true")).as("token").containsExactly(bare.getIdElement().getIdPart());
        assertThat(ids(here + "&telecom:missing=false")).containsExactly(withPhone.getIdElement().getIdPart());
        assertThat(ids(here + "&address-state:missing=true")).as("string").containsExactly(bare.getIdElement().getIdPart());
        assertThat(ids(here + "&death-date:missing=true")).as("date")
                .containsExactlyInAnyOrder(bare.getIdElement().getIdPart(), withPhone.getIdElement().getIdPart());
        assertThat(ids(here + "&general-practitioner:missing=true")).as("reference")
                .containsExactlyInAnyOrder(bare.getIdElement().getIdPart(), withPhone.getIdElement().getIdPart());
        assertThat(ids("/Patient?telecom:missing=true&_id=" + bare.getIdElement().getIdPart() + ","
                + djeli.getIdElement().getIdPart() + "," + withPhone.getIdElement().getIdPart()))
                .as("with no other index table").containsExactly(bare.getIdElement().getIdPart());
        assertThat(as(djeliToken, () -> ids(here + "&telecom:missing=true"))).containsExactly(djeli.getIdElement().getIdPart());
        assertThat(ids("/Observation?value-quantity:missing=true&_count=1")).as("quantity").isNotNull();
        assertThat(ids("/ServiceRequest?instantiates-uri:missing=true&_count=1")).as("uri").isNotNull();
        assertThat(ids("/Location?near:missing=true&_count=1")).as("coordinates").isNotNull();
    }

    private Patient patient(String family, String given) {
        Patient patient = ml.santerurale.server.support.Conforming.patient(family, given);
        patient.setId(UUID.randomUUID().toString());
        return patient;
    }

    private List<String> ids(String search) {
        var response = get(search);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return parse(Bundle.class, response.body()).getEntry().stream()
                .filter(e -> e.getSearch().getMode() != Bundle.SearchEntryMode.INCLUDE)
                .map(e -> e.getResource().getIdElement().getIdPart()).toList();
    }
}
