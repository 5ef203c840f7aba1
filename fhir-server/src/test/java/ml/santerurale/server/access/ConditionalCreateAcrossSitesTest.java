package ml.santerurale.server.access;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.UUID;
import ml.santerurale.server.support.ServerIntegrationTest;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A patient registered at one CSCOM with a conditional create is registered again at another
 * CSCOM with the same request: each site gets its own record (cross-site duplicates are a matter
 * for record linkage, later), and the second site learns nothing about the first.
 */
class ConditionalCreateAcrossSitesTest extends ServerIntegrationTest {

    private static final String CARNET = "https://sante-rurale.ml/fhir/sid/carnet";

    private final String konobougou = TestTokens.get().user("soignant.konobougou.cc", Set.of("soignant"), Set.of("CSCOM-KONOBOUGOU"));
    private final String djeli = TestTokens.get().user("soignant.djeli.cc", Set.of("soignant"), Set.of("CSCOM-DJELI"));

    private String carnet;

    @BeforeEach
    void registeredAtKonobougou() {
        carnet = "CC-" + UUID.randomUUID();
        HttpResponse<String> first = as(konobougou, () -> conditionalPost("Kanté"));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    }

    @Test
    void theSameConditionalCreateAtAnotherSiteCreatesThatSitesOwnRecord() {
        HttpResponse<String> second = as(djeli, () -> conditionalPost("Kanté"));

        assertThat(second.statusCode()).as(second.body()).isEqualTo(201);
        assertThat(second.body()).doesNotContain("HFJ_").doesNotContain("duplicate key").doesNotContain("insert into");
        String location = second.headers().firstValue("Location").orElseThrow();
        Patient atDjeli = parse(Patient.class, as(djeli, () -> get(location.replaceAll(".*/fhir", "").replaceAll("/_history/.*", ""))).body());
        assertThat(atDjeli.getMeta().getSecurity()).anySatisfy(c -> assertThat(c.getCode()).isEqualTo("CSCOM-DJELI"));
        HttpResponse<String> again = as(djeli, () -> conditionalPost("Kanté"));
        assertThat(again.statusCode()).as("the second site's record now matches there: %s", again.body()).isEqualTo(200);
        assertThat(again.headers().firstValue("Location").orElseThrow()).contains(atDjeli.getIdElement().getIdPart());
    }

    @Test
    void aTransactionEntryWithIfNoneExistAtAnotherSiteCreatesThere() {
        Bundle transaction = new Bundle().setType(Bundle.BundleType.TRANSACTION);
        transaction.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(patient("Kanté"))
                .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient").setIfNoneExist("identifier=" + CARNET + "|" + carnet);

        HttpResponse<String> answer = as(djeli, () -> postJson("", json(transaction)));

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        Bundle response = parse(Bundle.class, answer.body());
        assertThat(response.getEntryFirstRep().getResponse().getStatus()).startsWith("201");
    }

    @Test
    void aConditionalUpdateAtAnotherSiteCreatesThere() {
        as(djeli, () -> conditionalPost("Kanté"));
        String otherCarnet = "CC-" + UUID.randomUUID();
        HttpResponse<String> atKonobougou = as(konobougou,
                () -> putJson("/Patient?identifier=" + CARNET + "|" + otherCarnet, json(patient("Sidibé", otherCarnet))));
        assertThat(atKonobougou.statusCode()).as(atKonobougou.body()).isEqualTo(201);

        HttpResponse<String> atDjeli = as(djeli,
                () -> putJson("/Patient?identifier=" + CARNET + "|" + otherCarnet, json(patient("Sidibé", otherCarnet))));

        assertThat(atDjeli.statusCode()).as(atDjeli.body()).isEqualTo(201);
        assertThat(atDjeli.body()).doesNotContain("duplicate key");
    }

    private HttpResponse<String> conditionalPost(String family) {
        return send(request("/Patient").header("Content-Type", "application/fhir+json")
                .header("If-None-Exist", "identifier=" + CARNET + "|" + carnet)
                .POST(HttpRequest.BodyPublishers.ofString(json(patient(family)))));
    }

    private Patient patient(String family) {
        return patient(family, carnet);
    }

    private static Patient patient(String family, String value) {
        Patient patient = ml.santerurale.server.support.Conforming.patient(family, "Mariam");
        patient.addIdentifier().setSystem(CARNET).setValue(value);
        return patient;
    }
}
