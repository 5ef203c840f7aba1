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

    @BeforeAll
    void aPatient() {
        patientId = UUID.randomUUID().toString();
        Patient patient = new Patient();
        patient.setId(patientId);
        patient.addName().setFamily("Diarra").addGiven("Fatoumata");
        assertThat(putJson("/Patient/" + patientId, json(patient)).statusCode()).isEqualTo(201);
    }

    Stream<Function<String, Resource>> servedTypes() {
        return Stream.of(
                p -> { Patient r = new Patient(); r.addName().setFamily("Sangaré").addGiven("Awa"); return r; },
                p -> { Encounter r = new Encounter(); r.setStatus(Encounter.EncounterStatus.FINISHED);
                        r.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
                        r.setSubject(new Reference("Patient/" + p)); return r; },
                p -> { Condition r = new Condition(); r.setSubject(new Reference("Patient/" + p));
                        r.setCode(new CodeableConcept(new Coding("http://hl7.org/fhir/sid/icd-10", "B54", "Paludisme"))); return r; },
                p -> { MedicationRequest r = new MedicationRequest(); r.setStatus(MedicationRequest.MedicationRequestStatus.ACTIVE);
                        r.setIntent(MedicationRequest.MedicationRequestIntent.ORDER);
                        r.setMedication(new CodeableConcept().setText("Artéméther-luméfantrine"));
                        r.setSubject(new Reference("Patient/" + p)); return r; },
                p -> { Procedure r = new Procedure(); r.setStatus(Procedure.ProcedureStatus.COMPLETED);
                        r.setSubject(new Reference("Patient/" + p)); return r; },
                p -> { ServiceRequest r = new ServiceRequest(); r.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE);
                        r.setIntent(ServiceRequest.ServiceRequestIntent.ORDER); r.setSubject(new Reference("Patient/" + p)); return r; },
                p -> { Observation r = new Observation(); r.setStatus(Observation.ObservationStatus.FINAL);
                        r.setCode(new CodeableConcept(new Coding("http://loinc.org", "8310-5", "Body temperature")));
                        r.setSubject(new Reference("Patient/" + p)); r.setValue(new Quantity(38.5).setUnit("Cel")); return r; },
                p -> { Organization r = new Organization(); r.setName("CSCOM de test"); return r; },
                p -> { Location r = new Location(); r.setName("Salle de consultation"); return r; },
                p -> { Practitioner r = new Practitioner(); r.addName().setFamily("Konaté"); return r; },
                p -> { PractitionerRole r = new PractitionerRole(); r.setActive(true); return r; },
                p -> { DocumentReference r = new DocumentReference(); r.setStatus(Enumerations.DocumentReferenceStatus.CURRENT);
                        r.addContent().getAttachment().setContentType("text/plain").setData("fiche".getBytes(StandardCharsets.UTF_8));
                        r.setSubject(new Reference("Patient/" + p)); return r; },
                p -> { Binary r = new Binary(); r.setContentType("text/plain"); r.setData("ordonnance".getBytes(StandardCharsets.UTF_8)); return r; },
                p -> { Consent r = new Consent(); r.setStatus(Consent.ConsentState.ACTIVE);
                        r.setScope(new CodeableConcept(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null)));
                        r.addCategory(new CodeableConcept(new Coding("http://loinc.org", "59284-0", null)));
                        r.setPatient(new Reference("Patient/" + p)); return r; },
                p -> { Provenance r = new Provenance(); r.addTarget(new Reference("Patient/" + p)); r.setRecorded(new Date());
                        r.addAgent().setWho(new Reference().setDisplay("soignant")); return r; });
    }

    @Test
    void servesExactlyTheSixteenTypesAndSaysSoInItsCapabilityStatement() {
        CapabilityStatement capability = parse(CapabilityStatement.class, get("/metadata").body());
        List<String> types = capability.getRestFirstRep().getResource().stream()
                .map(CapabilityStatement.CapabilityStatementRestResourceComponent::getType).sorted().toList();
        assertThat(types).containsExactlyInAnyOrderElementsOf(ServedResourceTypes.ALL);
        assertThat(servedTypes().count()).as("every served type but AuditEvent, which clients cannot write")
                .isEqualTo(ServedResourceTypes.ALL.size() - 1);
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
        Patient patient = new Patient();
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
        Patient plain = new Patient();
        plain.setId(upserted);
        transaction.addEntry().setResource(plain).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + upserted);
        Patient stale = new Patient();
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
        Organization organization = new Organization().setName("CSCOM de test " + UUID.randomUUID());
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
        Patient patient = new Patient();
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

        patient.addName().setFamily("Touré");
        HttpResponse<String> conditionalUpdate = putJson(
                "/Patient?identifier=https://sante-rurale.ml/fhir/sid/test|" + nationalId, json(patient));
        assertThat(conditionalUpdate.statusCode()).as(conditionalUpdate.body()).isEqualTo(200);
        assertThat(conditionalUpdate.headers().firstValue("ETag")).hasValue("W/\"2\"");
    }
}
