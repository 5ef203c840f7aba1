package ml.santerurale.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.util.Date;
import ml.santerurale.interceptors.audit.BalpJsonReader;
import org.junit.jupiter.api.Test;

/** The drainer stores an outbox event's JSON with its id and version added: the JSON of the stored event. */
class AuditDrainerStoredJsonTest {

    private static final String READ = "{\"resourceType\":\"AuditEvent\",\"meta\":{\"security\":[{\"system\":"
            + "\"https://sante-rurale.ml/fhir/CodeSystem/site\",\"code\":\"CSCOM-KONOBOUGOU\"}]},\"type\":{\"system\":"
            + "\"http://terminology.hl7.org/CodeSystem/audit-event-type\",\"code\":\"rest\",\"display\":\"Restful Operation\"},"
            + "\"subtype\":[{\"system\":\"http://hl7.org/fhir/restful-interaction\",\"code\":\"read\"}],\"action\":\"R\","
            + "\"recorded\":\"2026-12-05T23:04:01.123+00:00\",\"outcome\":\"0\",\"agent\":[{\"who\":{\"identifier\":{\"system\":"
            + "\"https://sante-rurale.ml/fhir/sid/oidc-subject\",\"value\":\"b7c1\"},\"display\":\"awa.traore\"},"
            + "\"name\":\"awa.traore\",\"requestor\":true,\"network\":{\"address\":\"10.0.0.7\",\"type\":\"2\"}}],"
            + "\"source\":{\"site\":\"Santé Rurale\",\"observer\":{\"display\":\"Santé Rurale\"}},\"entity\":[{\"what\":"
            + "{\"reference\":\"Patient/p-1\"},\"name\":\"Patient/p-1\"}]}";

    private final IParser parser = FhirContext.forR4Cached().newJsonParser();

    @Test
    void theOutboxJsonWithItsIdAndVersionIsTheStoredEventsJson() {
        Date now = new Date();

        StoredAuditEvent added = AuditOutboxDrainer.stored(BalpJsonReader.read(READ, parser), "CSCOM-KONOBOUGOU", now, parser, READ);
        StoredAuditEvent encoded = AuditOutboxDrainer.stored(BalpJsonReader.read(READ, parser), "CSCOM-KONOBOUGOU", now, parser);

        assertThat(added.json()).startsWith("{\"resourceType\":\"AuditEvent\",\"id\":\"" + added.id()
                + "\",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"");
        assertThat(added.json().replace(added.id(), "ID")).isEqualTo(encoded.json().replace(encoded.id(), "ID"));
        assertThat(added.searchKeys()).isEqualTo(encoded.searchKeys());
        assertThat(parser.parseResource(added.json()).getIdElement().getIdPart()).isEqualTo(added.id());
    }
}
