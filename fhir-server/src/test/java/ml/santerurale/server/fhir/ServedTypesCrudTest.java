package ml.santerurale.server.fhir;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import java.util.Set;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.*;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Create, read, version, update, conditional update and delete every served type. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServedTypesCrudTest extends ServerIntegrationTest {

    private String patientId;
    private String encounterId;

    @BeforeAll
    void aPatientAndAConsultation() {
        patientId = UUID.randomUUID().toString();
        Patient patient = Conforming.patient("Diarra", "Fatoumata");
        patient.setId(patientId);
        assertThat(putJson("/Patient/" + patientId, json(patient)).statusCode()).isEqualTo(201);
        encounterId = UUID.randomUUID().toString();
        Encounter encounter = Conforming.encounter("Patient/" + patientId, "Organization/cscom-konobougou");
        encounter.setId(encounterId);
        assertThat(putJson("/Encounter/" + encounterId, json(encounter)).statusCode()).isEqualTo(201);
    }

    Stream<Function<String, Resource>> servedTypes() {
        return Stream.of(
                p -> Conforming.patient("Sangaré", "Awa"),
                p -> Conforming.encounter("Patient/" + p, "Organization/cscom-konobougou"),
                p -> Conforming.condition("Patient/" + p, "Encounter/" + encounterId, "B54", "Paludisme"),
                p -> Conforming.artemetherLumefantrine("Patient/" + p, "Encounter/" + encounterId),
                p -> Conforming.rapidMalariaTest("Patient/" + p, "Encounter/" + encounterId),
                p -> Conforming.referral("Patient/" + p, "Organization/cscom-djeli", ServiceRequest.ServiceRequestStatus.ACTIVE),
                p -> Conforming.temperature("Patient/" + p, 38.5),
                p -> { String code = "CSCOM-TEST-" + UUID.randomUUID(); return Conforming.site(code, "CSCOM de test"); },
                p -> { String code = "CSCOM-TEST-" + UUID.randomUUID();
                        return Conforming.siteLocation(code, "Salle de consultation", "Organization/cscom-konobougou"); },
                p -> { Practitioner r = new Practitioner(); r.addName().setFamily("Konaté"); return r; },
                p -> { PractitionerRole r = new PractitionerRole(); r.setActive(true); return r; },
                p -> Conforming.pdf("Patient/" + p),
                p -> { Binary r = new Binary(); r.setContentType("text/plain"); r.setData("ordonnance".getBytes(StandardCharsets.UTF_8)); return r; },
                p -> { Consent r = new Consent(); r.setStatus(Consent.ConsentState.ACTIVE);
                        r.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
                        r.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", null)));
                        r.setPatient(new Reference("Patient/" + p)); return r; },
                p -> Conforming.syncProvenance("Patient/" + p, "soignant", "tablette-test", UUID.randomUUID().toString()));
    }

    @Test
    void servesExactlyTheServedTypesAndSaysSoInItsCapabilityStatement() {
        CapabilityStatement capability = parse(CapabilityStatement.class, get("/metadata").body());
        List<String> types = capability.getRestFirstRep().getResource().stream()
                .map(CapabilityStatement.CapabilityStatementRestResourceComponent::getType).sorted().toList();
        assertThat(types).containsExactlyInAnyOrderElementsOf(ServedResourceTypes.ALL);
        assertThat(servedTypes().count()).as("every stored type but AuditEvent, Measure and MeasureReport, which clients cannot write")
                .isEqualTo(ServedResourceTypes.STORED.size() - 3);
    }

    @ParameterizedTest
    @MethodSource("servedTypes")
    void createsWithClientIdVersionsEveryChangeAndHonoursIfMatch(Function<String, Resource> factory) {
        Resource resource = factory.apply(patientId);
        as(tokenFor(resource), () -> { crudLifecycle(resource); return null; });
    }

    /** Clinical records are written by care staff; reference data by administrators. */
    private static String tokenFor(Resource resource) {
        return Set.of("Organization", "Location", "Practitioner", "PractitionerRole").contains(resource.fhirType())
                ? TestTokens.get().admin()
                : TestTokens.get().medecin("CSCOM-KONOBOUGOU");
    }

    private void crudLifecycle(Resource resource) {
        String type = resource.fhirType();
        String id = UUID.randomUUID().toString();
        resource.setId(id);
        String url = "/" + type + "/" + id;

        HttpResponse<String> created = putJson(url, json(resource));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(created.headers().firstValue("ETag")).hasValue("W/\"1\"");

        HttpResponse<String> read = get(url);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(parse(resource.getClass(), read.body()).getIdElement().getIdPart()).isEqualTo(id);

        resource.setLanguage("fr");
        HttpResponse<String> updated = putJson(url, json(resource));
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(updated.headers().firstValue("ETag")).hasValue("W/\"2\"");

        HttpResponse<String> unchanged = putJson(url, json(resource));
        assertThat(unchanged.statusCode()).isEqualTo(200);
        assertThat(unchanged.headers().firstValue("ETag")).as("an update that changes nothing makes no version").hasValue("W/\"2\"");

        resource.setLanguage("en");
        HttpResponse<String> stale = send(request(url).header("Content-Type", "application/fhir+json")
                .header("If-Match", "W/\"1\"").PUT(HttpRequest.BodyPublishers.ofString(json(resource))));
        assertOutcome(fhirContext, stale, 412, "conflict", "not the current version");

        HttpResponse<String> current = send(request(url).header("Content-Type", "application/fhir+json")
                .header("If-Match", "W/\"2\"").PUT(HttpRequest.BodyPublishers.ofString(json(resource))));
        assertThat(current.statusCode()).as(current.body()).isEqualTo(200);
        assertThat(current.headers().firstValue("ETag")).hasValue("W/\"3\"");

        assertThat(get(url + "/_history/1").statusCode()).isEqualTo(200);
        assertThat(get(url + "/_history").body()).contains("\"total\":3");

        HttpResponse<String> deleted = send(request(url).DELETE());
        assertThat(deleted.statusCode()).isIn(200, 204);
        assertThat(get(url).statusCode()).isEqualTo(410);
    }

    @ParameterizedTest
    @MethodSource("servedTypes")
    void assignsUuidsToResourcesCreatedWithoutAnId(Function<String, Resource> factory) {
        Resource resource = factory.apply(patientId);
        HttpResponse<String> created = as(tokenFor(resource), () -> postJson("/" + resource.fhirType(), json(resource)));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String location = created.headers().firstValue("Location").orElseThrow();
        String id = location.replaceAll(".*/" + resource.fhirType() + "/([^/]+)/_history/.*", "$1");
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
    }

    @Test
    void noRoleMayWriteTheAuditTrailThroughTheApi() {
        AuditEvent event = new AuditEvent();
        event.setId(UUID.randomUUID().toString());
        event.setType(new Coding("http://dicom.nema.org/resources/ontology/DCM", "110110", "Patient Record"));
        event.setRecorded(new Date());
        for (String token : List.of(TestTokens.get().admin(), TestTokens.get().medecin("CSCOM-KONOBOUGOU"),
                TestTokens.get().user("major.test", Set.of("major"), Set.of("CSCOM-KONOBOUGOU")))) {
            as(token, () -> {
                assertOutcome(fhirContext, putJson("/AuditEvent/" + event.getIdElement().getIdPart(), json(event)),
                        403, "forbidden", "may not update AuditEvent");
                assertOutcome(fhirContext, postJson("/AuditEvent", json(event)), 403, "forbidden", "may not create AuditEvent");
                assertOutcome(fhirContext, send(request("/AuditEvent/" + event.getIdElement().getIdPart()).DELETE()),
                        403, "forbidden", "may not delete AuditEvent");
                return null;
            });
        }
        assertThat(as(TestTokens.get().admin(), () -> get("/AuditEvent?_count=1")).statusCode()).isEqualTo(200);
    }

    @Test
    void refusesIfMatchOnAResourceThatDoesNotExist() {
        String id = UUID.randomUUID().toString();
        Patient patient = Conforming.patient("Keïta", "Binta");
        patient.setId(id);
        HttpResponse<String> response = send(request("/Patient/" + id).header("Content-Type", "application/fhir+json")
                .header("If-Match", "W/\"3\"").PUT(HttpRequest.BodyPublishers.ofString(json(patient))));
        assertOutcome(fhirContext, response, 412, "not-found", "does not exist, so it cannot match If-Match");
        assertThat(get("/Patient/" + id).statusCode()).isEqualTo(404);
    }

    @Test
    void refusesATransactionWhoseIfMatchEntriesNameMissingResourcesAndWritesNothing() {
        String upserted = UUID.randomUUID().toString();
        String missing = UUID.randomUUID().toString();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Patient plain = Conforming.patient("Coulibaly", "Mariam");
        plain.setId(upserted);
        transaction.addEntry().setResource(plain).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + upserted);
        Patient stale = Conforming.patient("Coulibaly", "Seydou");
        stale.setId(missing);
        transaction.addEntry().setResource(stale).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + missing)
                .setIfMatch("W/\"3\"");

        HttpResponse<String> response = postJson("", json(transaction));

        assertOutcome(fhirContext, response, 412, "conflict", "was sent as an update of version 3 but the server has no such resource");
        assertThat(response.body()).contains("Bundle.entry[1]").contains("Patient/" + missing).contains("missing");
        assertThat(get("/Patient/" + upserted).statusCode()).as("nothing of the transaction written").isEqualTo(404);
        assertThat(get("/Patient/" + missing).statusCode()).isEqualTo(404);
    }

    @Test
    void transactionIfMatchOnSharedReferenceDataIsCheckedLikeAnUpdate() {
        String admin = TestTokens.get().admin();
        Organization organization = Conforming.site("CSCOM-TEST-" + UUID.randomUUID(), "CSCOM de test");
        organization.setId(UUID.randomUUID().toString());
        String url = "Organization/" + organization.getIdElement().getIdPart();
        assertThat(as(admin, () -> send(request("/" + url).header("Content-Type", "application/fhir+json")
                .PUT(HttpRequest.BodyPublishers.ofString(json(organization))))).statusCode()).isEqualTo(201);
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(organization.setName("CSCOM renommé")).getRequest()
                .setMethod(Bundle.HTTPVerb.PUT).setUrl(url).setIfMatch("W/\"1\"");

        HttpResponse<String> response = as(admin, () -> postJson("", json(transaction)));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(parse(Organization.class, as(admin, () -> get("/" + url)).body()).getMeta().getVersionId()).isEqualTo("2");
    }

    @Test
    void conditionalCreateFindsTheExistingPatientByIdentifier() {
        String nationalId = "ML-" + UUID.randomUUID();
        Patient patient = Conforming.patient("Touré", "Aïssata");
        patient.addIdentifier().setSystem("https://sante-rurale.ml/fhir/sid/test").setValue(nationalId);
        String body = json(patient);
        HttpRequest.Builder create = request("/Patient").header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "identifier=https://sante-rurale.ml/fhir/sid/test|" + nationalId)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        assertThat(send(create).statusCode()).isEqualTo(201);
        HttpResponse<String> again = send(request("/Patient").header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "identifier=https://sante-rurale.ml/fhir/sid/test|" + nationalId)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(get("/Patient?identifier=https://sante-rurale.ml/fhir/sid/test|" + nationalId + "&_summary=count").body())
                .contains("\"total\":1");

        patient.addName().setFamily("Touré").addGiven("Aïssa");
        HttpResponse<String> conditionalUpdate = putJson(
                "/Patient?identifier=https://sante-rurale.ml/fhir/sid/test|" + nationalId, json(patient));
        assertThat(conditionalUpdate.statusCode()).as(conditionalUpdate.body()).isEqualTo(200);
        assertThat(conditionalUpdate.headers().firstValue("ETag")).hasValue("W/\"2\"");
    }
}
