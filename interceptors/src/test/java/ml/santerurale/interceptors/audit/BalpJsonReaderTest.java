package ml.santerurale.interceptors.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.DataFormatException;
import ca.uhn.fhir.parser.IParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The drainer's reader makes of BalpJson's JSON exactly the event HAPI's parser makes, or leaves it to HAPI. */
class BalpJsonReaderTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final AuditEventFactory FACTORY = new AuditEventFactory("Santé Rurale \"FHIR\" server",
            Clock.fixed(Instant.parse("2026-12-05T23:04:01.123Z"), ZoneId.of("Africa/Bamako")));

    private final IParser parser = FHIR.newJsonParser();

    static Stream<AuditEvent> events() {
        IParser parser = FHIR.newJsonParser();
        Stream<AuditEvent> requests = BalpJsonTest.accesses().map(FACTORY::restEvent);
        Stream<AuditEvent> stored = BalpJsonTest.accesses().map(access -> {
            AuditEvent event = parser.parseResource(AuditEvent.class, parser.encodeResourceToString(FACTORY.restEvent(access)));
            event.setId("0f5e3d2c-1b4a-4c5d-8e9f-a0b1c2d3e4f5");
            event.getMeta().setVersionId("1").setLastUpdated(Date.from(Instant.parse("2026-12-05T23:04:02.456Z")));
            event.getEntity().forEach(e -> e.setWhat(new Reference().setDisplay(e.getWhat().getReference()).setIdentifier(
                    new Identifier().setSystem("https://sante-rurale.ml/fhir/sid/unresolved-reference")
                            .setValue(e.getWhat().getReference()))));
            return event;
        });
        AuditEvent idOnly = FACTORY.restEvent(BalpJsonTest.accesses().findFirst().orElseThrow());
        idOnly.setId("1a2b");
        return Stream.concat(Stream.concat(requests, stored),
                Stream.of(FACTORY.purgeEvent(Instant.parse("2025-12-05T00:00:00Z"), 1234, null), idOnly));
    }

    @ParameterizedTest
    @MethodSource("events")
    void everyEventTheServerWritesIsReadAsHapiReadsIt(AuditEvent written) {
        String json = BalpJson.encode(written, parser);
        AuditEvent hapis = parser.parseResource(AuditEvent.class, json);

        AuditEvent ours = BalpJsonReader.readOrNull(json);

        assertThat(ours).as("read without HAPI's parser").isNotNull();
        assertThat(ours.equalsDeep(hapis)).as(json).isTrue();
        assertThat(ours.getIdElement().getValue()).isEqualTo(hapis.getIdElement().getValue());
        assertThat(parser.encodeResourceToString(ours)).isEqualTo(parser.encodeResourceToString(hapis)).isEqualTo(json);
    }

    @Test
    void jsonWithAnElementItDoesNotKnowIsReadByHapi() {
        AuditEvent withPeriod = FACTORY.restEvent(BalpJsonTest.accesses().findFirst().orElseThrow());
        withPeriod.setPeriod(new Period().setStart(new Date()));
        String period = parser.encodeResourceToString(withPeriod);
        String primitiveExtension = BalpJson.encode(FACTORY.restEvent(BalpJsonTest.accesses().findFirst().orElseThrow()), parser)
                .replace("\"outcome\":\"0\"", "\"outcome\":\"0\",\"_outcome\":{\"id\":\"o\"}");
        String unknownCode = BalpJson.encode(FACTORY.restEvent(BalpJsonTest.accesses().findFirst().orElseThrow()), parser)
                .replace("\"outcome\":\"0\"", "\"outcome\":\"99\"");

        assertThat(primitiveExtension).as("the test's own edit applies").contains("_outcome");
        assertThat(unknownCode).as("the test's own edit applies").contains("\"outcome\":\"99\"");
        for (String json : List.of(period, primitiveExtension, unknownCode)) {
            assertThat(BalpJsonReader.readOrNull(json)).as(json).isNull();
        }
        assertThat(BalpJsonReader.read(period, parser).equalsDeep(parser.parseResource(AuditEvent.class, period))).isTrue();
        assertThat(BalpJsonReader.read(primitiveExtension, parser).getOutcomeElement().getId()).isEqualTo("o");
    }

    @Test
    void malformedJsonGetsHapisError() {
        assertThatThrownBy(() -> BalpJsonReader.read("{\"resourceType\":\"AuditEvent\",", parser))
                .isInstanceOf(DataFormatException.class);
        assertThat(BalpJsonReader.readOrNull("{\"resourceType\":\"Patient\"}")).isNull();
        assertThat(BalpJsonReader.readOrNull("{\"resourceType\":\"AuditEvent\"} {}")).isNull();
    }
}
