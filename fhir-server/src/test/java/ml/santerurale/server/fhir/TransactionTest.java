package ml.santerurale.server.fhir;

import static ml.santerurale.server.support.OperationOutcomeAssert.assertOutcome;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.UUID;
import ml.santerurale.server.support.Conforming;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.SearchParameter;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/** Transactions are all or nothing, resolve local references, and name the entry that is wrong. */
class TransactionTest extends ServerIntegrationTest {

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void resolvesUrnUuidReferencesBetweenEntries() {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        String patientUrn = "urn:uuid:" + UUID.randomUUID();
        Patient patient = Conforming.patient("Dembélé", "Seydou");
        bundle.addEntry().setFullUrl(patientUrn).setResource(patient).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        String encounterUrn = "urn:uuid:" + UUID.randomUUID();
        Encounter encounter = Conforming.encounter(patientUrn, "Organization/cscom-konobougou");
        bundle.addEntry().setFullUrl(encounterUrn).setResource(encounter).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Encounter");
        Condition condition = Conforming.condition(patientUrn, encounterUrn, "B54", "Paludisme");
        bundle.addEntry().setResource(condition).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Condition");

        HttpResponse<String> response = postJson("", json(bundle));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Bundle result = parse(Bundle.class, response.body());
        String patientLocation = result.getEntry().get(0).getResponse().getLocation();
        String patientId = patientLocation.split("/")[1];
        String conditionId = result.getEntry().get(2).getResponse().getLocation().split("/")[1];

        Condition stored = parse(Condition.class, get("/Condition/" + conditionId).body());
        assertThat(stored.getSubject().getReference()).isEqualTo("Patient/" + patientId);
        assertThat(stored.getEncounter().getReference())
                .isEqualTo("Encounter/" + result.getEntry().get(1).getResponse().getLocation().split("/")[1]);
    }

    @Test
    void writesNothingWhenTheSixtiethEntryIsInvalid() {
        long resourcesBefore = countResources();
        long versionsBefore = countVersions();
        Bundle bundle = consultations(59);
        Observation orphan = Conforming.temperature("Patient/" + UUID.randomUUID(), 38.0);
        put(bundle, orphan, UUID.randomUUID().toString());

        HttpResponse<String> response = postJson("", json(bundle));
        assertOutcome(fhirContext, response, 400, null, "not found");
        assertThat(countResources()).isEqualTo(resourcesBefore);
        assertThat(countVersions()).isEqualTo(versionsBefore);
    }

    @Test
    void namesTheEntryWhoseResourceTypeDiffersFromItsUrl() {
        long before = countResources();
        Bundle bundle = consultations(59);
        Patient patient = new Patient();
        patient.setId(UUID.randomUUID().toString());
        bundle.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT)
                .setUrl("Observation/" + patient.getIdElement().getIdPart());

        OperationOutcome outcome = assertOutcome(fhirContext, postJson("", json(bundle)), 400, "invalid",
                "Bundle.entry[59].resource is a Patient but its request.url");
        assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo("Bundle.entry[59].resource");
        assertThat(countResources()).isEqualTo(before);
    }

    @Test
    void refusesAPutWhoseBodyIdDiffersFromItsUrl() {
        long before = countResources();
        Bundle bundle = consultations(3);
        Patient patient = new Patient();
        patient.setId("body-" + UUID.randomUUID());
        bundle.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/url-id");
        assertOutcome(fhirContext, postJson("", json(bundle)), 400, "invalid", "Bundle.entry[3].resource.id is 'body-");
        assertThat(countResources()).isEqualTo(before);
    }

    @Test
    void refusesAnEntryOfATypeThatIsNotServed() {
        long before = countResources();
        Bundle bundle = consultations(2);
        SearchParameter parameter = new SearchParameter();
        parameter.setId("sneaky");
        bundle.addEntry().setResource(parameter).getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("SearchParameter/sneaky");
        assertOutcome(fhirContext, postJson("", json(bundle)), 400, "not-supported",
                "Bundle.entry[2].resource: resource type 'SearchParameter' is not served");
        assertThat(countResources()).isEqualTo(before);

        // In a batch, that entry alone is answered (UnservedTypesInBundlesTest).
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("SearchParameter?_count=1");
        HttpResponse<String> batchAnswer = postJson("", json(batch));
        assertThat(batchAnswer.statusCode()).isEqualTo(200);
        Bundle.BundleEntryResponseComponent refused = parse(Bundle.class, batchAnswer.body()).getEntryFirstRep().getResponse();
        assertThat(refused.getStatus()).startsWith("404");
        assertThat(((org.hl7.fhir.r4.model.OperationOutcome) refused.getOutcome()).getIssueFirstRep().getDiagnostics())
                .startsWith("Bundle.entry[0].request.url: resource type 'SearchParameter' is not served");
    }

    @Test
    void refusesAnEntryWithoutMethodOrUrl() {
        Bundle bundle = consultations(1);
        bundle.addEntry().setResource(new Patient()).getRequest().setUrl("Patient");
        assertOutcome(fhirContext, postJson("", json(bundle)), 400, "invalid", "Bundle.entry[1].request.method has no method");
        Bundle noUrl = consultations(1);
        noUrl.addEntry().setResource(new Patient()).getRequest().setMethod(Bundle.HTTPVerb.POST);
        assertOutcome(fhirContext, postJson("", json(noUrl)), 400, "invalid", "Bundle.entry[1].request.url has no URL");
    }

    /** A transaction of {@code n} valid entries: in turn a Patient, an Encounter and a Condition about it. */
    private Bundle consultations(int n) {
        Bundle bundle = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        String lastPatient = null;
        String lastEncounter = null;
        for (int i = 0; i < n; i++) {
            String id = UUID.randomUUID().toString();
            if (i % 3 == 0) {
                put(bundle, Conforming.patient("Camara", "Kadiatou"), id);
                lastPatient = id;
            } else if (i % 3 == 1) {
                put(bundle, Conforming.encounter("Patient/" + lastPatient, "Organization/cscom-konobougou"), id);
                lastEncounter = id;
            } else {
                put(bundle, Conforming.condition("Patient/" + lastPatient, "Encounter/" + lastEncounter, "A09", "Diarrhée"), id);
            }
        }
        return bundle;
    }

    private static void put(Bundle bundle, Resource resource, String id) {
        resource.setId(id);
        bundle.addEntry().setFullUrl(resource.fhirType() + "/" + id).setResource(resource).getRequest()
                .setMethod(Bundle.HTTPVerb.PUT).setUrl(resource.fhirType() + "/" + id);
    }

    private long countResources() {
        return jdbc.queryForObject("select count(*) from hfj_resource where res_type <> 'AuditEvent'", Long.class);
    }

    private long countVersions() {
        return jdbc.queryForObject("select count(*) from hfj_res_ver where res_type <> 'AuditEvent'", Long.class);
    }
}
