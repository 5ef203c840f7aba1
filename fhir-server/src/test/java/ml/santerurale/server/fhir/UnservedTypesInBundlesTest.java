package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.List;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Basic;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.ResourceFactory;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * A Bundle with entries of types this server does not serve (a Synthea export carries a dozen):
 * a transaction is refused naming every such entry at once, so the client fixes it in one go;
 * in a batch each such entry gets its own error and the others run, as FHIR's batch rules say.
 */
class UnservedTypesInBundlesTest extends ServerIntegrationTest {

    private static final List<String> UNSERVED = List.of("Claim", "ExplanationOfBenefit", "Immunization", "CarePlan",
            "CareTeam", "Goal", "AllergyIntolerance", "DiagnosticReport", "ImagingStudy", "Device", "SupplyDelivery",
            "MedicationAdministration");

    @Autowired
    JdbcTemplate jdbc;

    @Test
    void aTransactionIsRefusedNamingEveryUnservedEntry() {
        long before = count();
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setResource(patient()).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        for (String type : UNSERVED) {
            Resource resource = (Resource) ResourceFactory.createResource(type);
            resource.setId(UUID.randomUUID().toString()); // an empty resource would not be sent at all
            transaction.addEntry().setResource(resource).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl(type);
        }
        transaction.addEntry().getRequest().setMethod(Bundle.HTTPVerb.DELETE).setUrl("Questionnaire/q1");

        HttpResponse<String> answer = postJson("", json(transaction));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        OperationOutcome outcome = parse(OperationOutcome.class, answer.body());
        assertThat(outcome.getIssue()).hasSize(UNSERVED.size() + 1);
        for (int i = 0; i < UNSERVED.size(); i++) {
            OperationOutcome.OperationOutcomeIssueComponent issue = outcome.getIssue().get(i);
            int entry = i + 1;
            assertThat(issue.getCode()).isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
            assertThat(issue.getExpression()).extracting(e -> e.getValue()).containsExactly("Bundle.entry[" + entry + "].resource");
            assertThat(issue.getDiagnostics()).startsWith("Bundle.entry[" + entry + "].resource: resource type '" + UNSERVED.get(i) + "' is not served here");
        }
        OperationOutcome.OperationOutcomeIssueComponent last = outcome.getIssue().get(UNSERVED.size());
        assertThat(last.getExpression().get(0).getValue()).isEqualTo("Bundle.entry[13].request.url");
        assertThat(last.getDiagnostics()).contains("'Questionnaire'");
        assertThat(count()).isEqualTo(before);
    }

    @Test
    void inABatchEachUnservedEntryGetsItsOwnErrorAndTheOthersRun() {
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        Patient patient = patient();
        batch.addEntry().setResource(patient).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        Basic basic = new Basic();
        basic.getCode().setText("Synthea extra");
        batch.addEntry().setResource(basic).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Basic");
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("SearchParameter?_count=1");
        batch.addEntry().getRequest().setMethod(Bundle.HTTPVerb.GET).setUrl("Organization?_count=1");

        HttpResponse<String> answer = postJson("", json(batch));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Bundle response = parse(Bundle.class, answer.body());
        assertThat(response.getType()).isEqualTo(Bundle.BundleType.BATCHRESPONSE);
        assertThat(response.getEntry()).hasSize(4);
        assertThat(response.getEntry().get(0).getResponse().getStatus()).startsWith("201");
        assertUnserved(response.getEntry().get(1), "Basic", "Bundle.entry[1].resource");
        assertUnserved(response.getEntry().get(2), "SearchParameter", "Bundle.entry[2].request.url");
        assertThat(response.getEntry().get(3).getResponse().getStatus()).startsWith("200");
    }

    private static void assertUnserved(Bundle.BundleEntryComponent entry, String type, String expression) {
        assertThat(entry.getResponse().getStatus()).startsWith("404");
        OperationOutcome outcome = (OperationOutcome) entry.getResponse().getOutcome();
        assertThat(outcome.getIssueFirstRep().getCode()).isEqualTo(OperationOutcome.IssueType.NOTSUPPORTED);
        assertThat(outcome.getIssueFirstRep().getExpression().get(0).getValue()).isEqualTo(expression);
        assertThat(outcome.getIssueFirstRep().getDiagnostics()).contains("'" + type + "' is not served here");
    }

    private static Patient patient() {
        return ml.santerurale.server.support.Conforming.patient("Synthea" + UUID.randomUUID().toString().substring(0, 4), "Fanta");
    }

    private long count() {
        return jdbc.queryForObject("select count(*) from hfj_resource where res_type <> 'AuditEvent'", Long.class);
    }
}
