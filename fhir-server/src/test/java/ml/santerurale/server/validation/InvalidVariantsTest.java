package ml.santerurale.server.validation;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.function.Function;
import java.util.stream.Stream;
import ml.santerurale.ig.SanteRuraleIg;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Condition;
import org.hl7.fhir.r4.model.DocumentReference;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.MedicationRequest;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Hand-made invalid variants of the guide's examples, one profile rule each (a missing required
 * field, a wrong code system, a wrong unit, a value out of range, a reference to the wrong type):
 * each is refused with 422, its issue located at the element the rule is about, and nothing is
 * stored. The valid example the variant was made from is accepted, so each refusal is the rule's.
 */
class InvalidVariantsTest extends ServerIntegrationTest {

    @Autowired
    SanteRuraleIg ig;

    record Variant(String name, Function<GuideExamples, Resource> broken, String expression, String mentioned) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> variants() {
        return Stream.of(
                new Variant("patient without a given name", g -> {
                    Patient p = g.first(Patient.class);
                    p.getNameFirstRep().getGiven().clear();
                    return p;
                }, "Patient.name[0]", "given"),
                new Variant("patient without gender", g -> g.first(Patient.class).setGender(null), "Patient", "gender"),
                new Variant("encounter whose subject is a site", g -> {
                    Encounter e = g.first(Encounter.class);
                    e.setSubject(new Reference("Organization/cscom-konobougou"));
                    return e;
                }, "Encounter.subject", "Organization"),
                new Variant("encounter without a start", g -> {
                    Encounter e = g.first(Encounter.class);
                    e.getPeriod().setStartElement(null);
                    return e;
                }, "Encounter.period", "start"),
                new Variant("heart rate of 400", g -> {
                    Observation o = g.vital("8867-4");
                    o.getValueQuantity().setValue(400);
                    return o;
                }, "Observation.value.ofType(Quantity)", "20 et 250"),
                new Variant("weight in pounds", g -> {
                    Observation o = g.vital("29463-7");
                    o.getValueQuantity().setCode("[lb_av]").setUnit("lb");
                    return o;
                }, "Observation.value.ofType(Quantity).code", "kg"),
                new Variant("weight of 900 kg", g -> {
                    Observation o = g.vital("29463-7");
                    o.getValueQuantity().setValue(900);
                    return o;
                }, "Observation.value.ofType(Quantity)", "0,3 et 250"),
                new Variant("height of 300 cm", g -> {
                    Observation o = g.vital("8302-2");
                    o.getValueQuantity().setValue(300);
                    return o;
                }, "Observation.value.ofType(Quantity)", "20 et 250"),
                new Variant("MUAC of 60 cm", g -> {
                    Observation o = g.vital("56072-2");
                    o.getValueQuantity().setValue(60);
                    return o;
                }, "Observation.value.ofType(Quantity)", "5 et 50"),
                new Variant("systolic pressure of 400", g -> {
                    Observation o = g.vital("85354-9");
                    o.getComponent().stream()
                            .filter(c -> c.getCode().getCodingFirstRep().getCode().equals("8480-6"))
                            .forEach(c -> c.getValueQuantity().setValue(400));
                    return o;
                }, "Observation.component[0].value.ofType(Quantity)", "50 et 300"),
                new Variant("temperature without a patient", g -> g.vital("8310-5").setSubject(null), "Observation", "subject"),
                new Variant("diagnosis without its consultation", g -> g.first(Condition.class).setEncounter(null), "Condition", "encounter"),
                new Variant("diagnosis coded in SNOMED only", g -> {
                    Condition c = g.first(Condition.class);
                    c.getCode().getCoding().set(0, new Coding("http://snomed.info/sct", "61462000", "Malaria"));
                    return c;
                }, "Condition.code", "icd10"),
                new Variant("prescription of a medicine not on the list", g -> {
                    MedicationRequest m = g.first(MedicationRequest.class);
                    m.getMedicationCodeableConcept().getCodingFirstRep().setCode("MEG-NOPE");
                    return m;
                }, "MedicationRequest.medication.ofType(CodeableConcept)", "MEG-NOPE"),
                new Variant("prescription without dosage text", g -> {
                    MedicationRequest m = g.first(MedicationRequest.class);
                    m.getDosageInstructionFirstRep().setText(null);
                    return m;
                }, "MedicationRequest.dosageInstruction[0]", "text"),
                new Variant("prescription whose duration is in weeks", g -> {
                    MedicationRequest m = g.first(MedicationRequest.class);
                    m.getDosageInstructionFirstRep().getTiming().getRepeat().getBoundsDuration().setCode("wk").setUnit("semaines");
                    return m;
                }, "MedicationRequest.dosageInstruction[0].timing.repeat.bounds.ofType(Duration).code", "d"),
                new Variant("procedure without a date", g -> g.first(Procedure.class).setPerformed(null), "Procedure", "performed"),
                new Variant("referral without a destination", g -> {
                    ServiceRequest s = g.first(ServiceRequest.class);
                    s.getPerformer().clear();
                    return s;
                }, "ServiceRequest", "performer"),
                new Variant("referral to a patient", g -> {
                    ServiceRequest s = g.first(ServiceRequest.class);
                    s.getPerformer().set(0, s.getSubject().copy());
                    return s;
                }, "ServiceRequest.performer[0]", "Patient"),
                new Variant("referral without a reason", g -> {
                    ServiceRequest s = g.first(ServiceRequest.class);
                    s.getReasonCode().clear();
                    return s;
                }, "ServiceRequest", "reasonCode"),
                new Variant("document of an unknown file type", g -> {
                    DocumentReference d = g.first(DocumentReference.class);
                    d.getContentFirstRep().getAttachment().setContentType("application/x-msdownload");
                    return d;
                }, "DocumentReference.content[0].attachment.contentType", "application/x-msdownload"),
                new Variant("document without its file", g -> {
                    DocumentReference d = g.first(DocumentReference.class);
                    d.getContentFirstRep().getAttachment().setUrl(null).setData(null);
                    return d;
                }, "DocumentReference.content[0].attachment", "url"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void eachProfileRuleRefusesItsBrokenVariantAtTheElement(Variant variant) {
        GuideExamples examples = GuideExamples.fresh(ig, fhirContext);
        Patient patient = examples.first(Patient.class);
        Encounter encounter = examples.first(Encounter.class);
        Resource broken = variant.broken().apply(examples);
        if (broken != patient) {
            assertWritten(patient);
            if (broken != encounter) {
                assertWritten(encounter);
            }
        }
        String path = "/" + broken.fhirType() + "/" + broken.getIdElement().getIdPart();
        HttpResponse<String> response = putJson(path, json(broken));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        OperationOutcome outcome = parse(OperationOutcome.class, response.body());
        assertThat(outcome.getIssue()).as(response.body()).allSatisfy(issue -> {
            assertThat(issue.getSeverity()).isEqualTo(OperationOutcome.IssueSeverity.ERROR);
            assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.PROCESSING);
            assertThat(issue.getExpression()).isNotEmpty();
        });
        assertThat(outcome.getIssue()).as(response.body()).anySatisfy(issue -> {
            assertThat(issue.getExpression().get(0).getValue()).isEqualTo(variant.expression());
            assertThat(issue.getDiagnostics()).contains(variant.mentioned());
        });
        assertThat(get(path).statusCode()).isEqualTo(404);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sites")
    void aSiteWithoutItsSiteCodeIsRefused(String type) {
        Resource site = ig.examples().values().stream().filter(r -> r.fhirType().equals(type)).findFirst().orElseThrow();
        if (site instanceof Organization organization) {
            organization.getIdentifier().removeIf(i -> "https://sante-rurale.ml/fhir/sid/site-code".equals(i.getSystem()));
        } else if (site instanceof org.hl7.fhir.r4.model.Location location) {
            location.getIdentifier().removeIf(i -> "https://sante-rurale.ml/fhir/sid/site-code".equals(i.getSystem()));
        }
        HttpResponse<String> response = as(TestTokens.get().admin(), () -> postJson("/" + type + "/$validate", json(site)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(422);
        assertThat(parse(OperationOutcome.class, response.body()).getIssue()).as(response.body())
                .anySatisfy(issue -> assertThat(issue.getExpression().get(0).getValue()).startsWith(type));
    }

    static Stream<String> sites() {
        return Stream.of("Organization", "Location");
    }

    private void assertWritten(Resource resource) {
        HttpResponse<String> response = putJson("/" + resource.fhirType() + "/" + resource.getIdElement().getIdPart(), json(resource));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }
}
