package ml.santerurale.server.validation;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import ml.santerurale.ig.SanteRuraleIg;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Parameters;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ValueSet;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The implementation guide enforced by the running server: its examples are accepted, broken
 * variants are refused with 422 at the right place, a transaction with one invalid entry writes
 * nothing, and the guide's conformance resources are served read-only.
 */
class ProfileEnforcementTest extends ServerIntegrationTest {

    @Autowired
    SanteRuraleIg ig;

    @Autowired
    EntryPrevalidation prevalidation;

    @Autowired
    ca.uhn.fhir.interceptor.api.IInterceptorService interceptorService;

    private List<Resource> freshExamples() {
        return GuideExamples.fresh(ig, fhirContext).all();
    }

    @Test
    void everyExampleOfTheGuideIsAccepted() {
        for (Resource example : freshExamples()) {
            String path = "/" + example.fhirType() + "/" + example.getIdElement().getIdPart();
            HttpResponse<String> response = putJson(path, json(example));
            assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(201);
        }
        for (Resource site : ig.examples().values()) {
            if (site.fhirType().equals("Organization") || site.fhirType().equals("Location")) {
                HttpResponse<String> response = as(TestTokens.get().admin(), () -> postJson("/" + site.fhirType() + "/$validate", json(site)));
                assertThat(response.statusCode()).as(site.fhirType() + ": " + response.body()).isEqualTo(200);
            }
        }
    }

    @Test
    void brokenResourcesAreRefusedWith422AtTheirPlace() {
        List<Resource> examples = freshExamples();
        Patient patient = (Patient) examples.get(0);
        assertThat(putJson("/Patient/" + patient.getIdPart(), json(patient)).statusCode()).isEqualTo(201);
        Encounter encounter = (Encounter) examples.get(1);
        assertThat(putJson("/Encounter/" + encounter.getIdPart(), json(encounter)).statusCode()).isEqualTo(201);

        Patient noBirthDate = patient.copy();
        noBirthDate.setId(UUID.randomUUID().toString());
        noBirthDate.setBirthDateElement(null);
        noBirthDate.getIdentifier().clear();
        assertRefused(putJson("/Patient/" + noBirthDate.getIdPart(), json(noBirthDate)), "Patient", "birthDate");

        Observation temperature = (Observation) examples.stream()
                .filter(r -> r instanceof Observation o && o.getCode().getCodingFirstRep().getCode().equals("8310-5"))
                .findFirst().orElseThrow();
        temperature.getValueQuantity().setValue(375);
        assertRefused(putJson("/Observation/" + temperature.getIdPart(), json(temperature)),
                "Observation.value.ofType(Quantity)", "30 et 45");
        temperature.getValueQuantity().setValue(101).setCode("[degF]").setUnit("°F");
        assertRefused(postJson("/Observation", json(temperature.setId((String) null))),
                "Observation.value.ofType(Quantity).code", "Cel");

        Condition condition = (Condition) examples.stream().filter(Condition.class::isInstance).findFirst().orElseThrow();
        condition.getCode().getCoding().set(0, new Coding("http://snomed.info/sct", "61462000", "Malaria"));
        assertRefused(putJson("/Condition/" + condition.getIdPart(), json(condition)), "Condition.code", "icd10");

        Encounter noSite = encounter.copy();
        noSite.setId(UUID.randomUUID().toString());
        noSite.setServiceProvider(null);
        noSite.getMeta().addSecurity("https://sante-rurale.ml/fhir/CodeSystem/site", "CSCOM-KONOBOUGOU", null);
        assertRefused(putJson("/Encounter/" + noSite.getIdPart(), json(noSite)), "Encounter", "serviceProvider");

        assertThat(get("/Patient/" + noBirthDate.getIdPart()).statusCode()).isEqualTo(404);
    }

    @Test
    void aTransactionWithOneInvalidEntryWritesNothing() {
        List<Resource> examples = freshExamples();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        Resource patient = examples.get(0);
        Resource encounter = examples.get(1);
        Observation heartRate = (Observation) examples.stream()
                .filter(r -> r instanceof Observation o && o.getCode().getCodingFirstRep().getCode().equals("8867-4"))
                .findFirst().orElseThrow();
        heartRate.getValueQuantity().setValue(400);
        for (Resource resource : List.of(patient, encounter, heartRate)) {
            transaction.addEntry().setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT)
                    .setUrl(resource.fhirType() + "/" + resource.getIdPart());
        }
        HttpResponse<String> response = postJson("", json(transaction));
        assertRefused(response, "Bundle.entry[2].resource.value.ofType(Quantity)", "20 et 250");
        assertThat(get("/Patient/" + patient.getIdPart()).statusCode()).isEqualTo(404);
        assertThat(get("/Encounter/" + encounter.getIdPart()).statusCode()).isEqualTo(404);
    }

    @Test
    void aTransactionsEntriesAreValidatedAheadOnTheFormHapiStoresAndEachExactlyOnce() {
        List<Resource> examples = freshExamples().subList(0, 2); // a patient and her encounter
        Map<String, Resource> sent = new HashMap<>();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        for (Resource resource : examples) {
            sent.put(resource.fhirType() + "/" + resource.getIdPart(), resource.copy());
            transaction.addEntry().setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.PUT)
                    .setUrl(resource.fhirType() + "/" + resource.getIdPart());
        }
        // What HAPI hands the storage hooks is what was sent but for id and version: the
        // validation made ahead of a PUT entry is usable, not thrown away.
        StoredFormProbe probe = new StoredFormProbe(sent);
        List<String> judged = probe.judged;
        long before = prevalidation.usedAhead() + prevalidation.leftToCaller();
        interceptorService.registerInterceptor(probe);
        try {
            HttpResponse<String> response = postJson("", json(transaction));
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        } finally {
            interceptorService.unregisterInterceptor(probe);
        }
        // Once each: the storage hook is not run a second time through the request's broadcaster.
        assertThat(judged).containsExactlyInAnyOrder(examples.get(0).fhirType() + " same", examples.get(1).fhirType() + " same");
        assertThat(prevalidation.usedAhead() + prevalidation.leftToCaller() - before).isEqualTo(2);
    }

    @Test
    void validateAnswersWithoutWriting() {
        Patient patient = (Patient) freshExamples().get(0);
        HttpResponse<String> valid = postJson("/Patient/$validate", json(patient));
        assertThat(valid.statusCode()).as(valid.body()).isEqualTo(200);
        patient.setGender(null);
        assertRefused(postJson("/Patient/$validate", json(patient)), "Patient", "gender");
        assertThat(get("/Patient/" + patient.getIdPart()).statusCode()).isEqualTo(404);
    }

    @Test
    void theGuideIsServedReadOnlyToEverySignedInUser() {
        String soignant = TestTokens.get().user("soignant.test", java.util.Set.of("soignant"), java.util.Set.of("CSCOM-DJELI"));
        HttpResponse<String> profile = as(soignant, () -> get("/StructureDefinition/srm-patient"));
        assertThat(profile.statusCode()).as(profile.body()).isEqualTo(200);
        assertThat(profile.body()).contains("\"snapshot\"");
        HttpResponse<String> byUrl = as(TestTokens.get().admin(),
                () -> get("/CodeSystem?url=https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines"));
        assertThat(parse(Bundle.class, byUrl.body()).getEntry()).hasSize(1);

        HttpResponse<String> expanded = as(soignant, () -> get("/ValueSet/cscom-conditions/$expand"));
        assertThat(expanded.statusCode()).as(expanded.body()).isEqualTo(200);
        assertThat(parse(ValueSet.class, expanded.body()).getExpansion().getContains())
                .extracting(c -> c.getCode()).contains("B54", "B50.9", "A09", "I10");

        HttpResponse<String> known = as(soignant, () -> get(
                "/ValueSet/$validate-code?url=https://sante-rurale.ml/fhir/ValueSet/mali-essential-medicines"
                        + "&system=https://sante-rurale.ml/fhir/CodeSystem/mali-essential-medicines&code=MEG-AL-20-120"));
        assertThat(parse(Parameters.class, known.body()).getParameterBool("result")).as(known.body()).isTrue();
        HttpResponse<String> unknown = as(soignant, () -> get(
                "/CodeSystem/mali-essential-medicines/$validate-code?code=MEG-NOPE"));
        assertThat(parse(Parameters.class, unknown.body()).getParameterBool("result")).as(unknown.body()).isFalse();

        HttpResponse<String> write = as(TestTokens.get().admin(), () -> putJson("/StructureDefinition/srm-patient", profile.body()));
        assertThat(write.statusCode()).as(write.body()).isEqualTo(400);
        assertThat(write.body()).contains("does not know how to handle PUT");
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(parse(org.hl7.fhir.r4.model.StructureDefinition.class, profile.body()))
                .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("StructureDefinition/srm-patient");
        HttpResponse<String> inTransaction = as(TestTokens.get().admin(), () -> postJson("", json(transaction)));
        assertThat(inTransaction.statusCode()).as(inTransaction.body()).isEqualTo(403);
    }

    @Test
    void theCapabilityStatementNamesEachTypesProfile() {
        CapabilityStatement statement = parse(CapabilityStatement.class, get("/metadata").body());
        Map<String, CapabilityStatement.CapabilityStatementRestResourceComponent> byType = new HashMap<>();
        statement.getRestFirstRep().getResource().forEach(r -> byType.put(r.getType(), r));
        assertThat(byType.get("Patient").getProfile()).isEqualTo("https://sante-rurale.ml/fhir/StructureDefinition/srm-patient");
        assertThat(byType.get("Observation").getSupportedProfile()).extracting(p -> p.getValue())
                .contains("https://sante-rurale.ml/fhir/StructureDefinition/srm-body-temperature");
        assertThat(byType).containsKeys("StructureDefinition", "CodeSystem", "ValueSet");
    }

    private void assertRefused(HttpResponse<String> response, String expression, String mentioned) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        OperationOutcome outcome = parse(OperationOutcome.class, response.body());
        assertThat(outcome.getIssue()).allSatisfy(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
            assertThat(issue.getExpression()).isNotEmpty();
        });
        assertThat(outcome.getIssue()).as(response.body()).anySatisfy(issue -> {
            assertThat(issue.getExpression().get(0).getValue()).isEqualTo(expression);
            assertThat(issue.getDiagnostics()).contains(mentioned).contains("n'est pas conforme");
        });
    }

    /** Compares what HAPI is about to store with what the test sent. */
    @ca.uhn.fhir.interceptor.api.Interceptor
    public static final class StoredFormProbe {

        final Map<String, Resource> sent;
        final List<String> judged = new java.util.concurrent.CopyOnWriteArrayList<>();

        StoredFormProbe(Map<String, Resource> sent) {
            this.sent = sent;
        }

        @ca.uhn.fhir.interceptor.api.Hook(ca.uhn.fhir.interceptor.api.Pointcut.STORAGE_PRESTORAGE_RESOURCE_CREATED)
        public void created(org.hl7.fhir.instance.model.api.IBaseResource stored) {
            Resource original = sent.get(stored.fhirType() + "/" + stored.getIdElement().getIdPart());
            if (original != null) {
                judged.add(stored.fhirType() + (EntryPrevalidation.sameContent(original, (Resource) stored) ? " same"
                        : " changed: sent " + FhirContext.forR4Cached().newJsonParser().encodeResourceToString(original)
                                + " stored " + FhirContext.forR4Cached().newJsonParser().encodeResourceToString(stored)));
            }
        }
    }
}
