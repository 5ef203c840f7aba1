package ml.santerurale.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import ml.santerurale.server.support.RawHttp;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * FHIR's query syntax uses characters that RFC 3986 wants encoded ({@code |} in tokens,
 * {@code [ ] { }} in modifiers, composite and chained parameters); many clients send them as
 * they are. They reach the FHIR server unencoded and are understood.
 */
class QueryCharactersTest extends ServerIntegrationTest {

    @Test
    void anUnencodedPipeInATokenFindsThePatient() {
        String value = "P-" + UUID.randomUUID();
        Patient patient = ml.santerurale.server.support.Conforming.patient("Dembélé", "Awa");
        patient.addIdentifier().setSystem("urn:test:x").setValue(value);
        assertThat(postJson("/Patient", json(patient)).statusCode()).isEqualTo(201);

        RawHttp.Answer answer = RawHttp.send(port, "GET", "/fhir/Patient?identifier=urn:test:x|" + value, token());

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        Bundle found = parse(Bundle.class, answer.body());
        assertThat(found.getEntry()).hasSize(1);
        assertThat(((Patient) found.getEntryFirstRep().getResource()).getIdentifierFirstRep().getValue()).isEqualTo(value);
    }

    @Test
    void bracketsAndBracesInAQueryAreAccepted() {
        RawHttp.Answer answer = RawHttp.send(port, "GET",
                "/fhir/Patient?identifier=urn:test:x|[never]{seen}&_sort=-_lastUpdated", token());

        assertThat(answer.status()).as(answer.body()).isEqualTo(200);
        assertThat(parse(Bundle.class, answer.body()).getEntry()).isEmpty();
    }
}
