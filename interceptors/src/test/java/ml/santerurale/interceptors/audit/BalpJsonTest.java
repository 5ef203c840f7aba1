package ml.santerurale.interceptors.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.IParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import ml.santerurale.interceptors.security.Caller;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.InstantType;
import org.hl7.fhir.r4.model.Meta;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The fast audit encoder writes exactly what HAPI's parser writes, or leaves the event to it. */
class BalpJsonTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();
    private static final AuditEventFactory FACTORY = new AuditEventFactory("Santé Rurale \"FHIR\" server",
            Clock.fixed(Instant.parse("2026-12-05T23:04:01.123Z"), ZoneId.of("Africa/Bamako")));

    private final IParser parser = FHIR.newJsonParser();

    private static Caller careWorker() {
        return new Caller("b7c1-subject", "awa.traore", "sante-rurale-pwa", Set.of("soignant", "major"),
                Set.of("CSCOM-KONOBOUGOU", "CSCOM-DJELI"));
    }

    private static Caller smartApp() {
        return new Caller("c9-subject", "dr.keita", "growth-chart", Set.of("medecin"), Set.of("CSCOM-KONOBOUGOU"),
                Set.of("launch", "patient/Observation.rs", "patient/Patient.r", "openid"), "p-1", null);
    }

    static Stream<Access> accesses() {
        Set<String> none = Set.of();
        return Stream.of(
                new Access(Interaction.READ, null, careWorker(), "10.0.0.7", 200, null,
                        Set.of("Patient/p-1"), Set.of("Patient/p-1"), null, "CSCOM-KONOBOUGOU", "req-1"),
                new Access(Interaction.SEARCH_TYPE, null, careWorker(), "10.0.0.7", 200, null,
                        new LinkedHashSet<>(List.of("Patient/p-1", "Patient/p-2", "Encounter/e-1")),
                        new LinkedHashSet<>(List.of("Patient/p-1", "Patient/p-2")),
                        "Patient?name=Tra&_count=20", "CSCOM-KONOBOUGOU", "req-2"),
                new Access(Interaction.CREATE, Interaction.TRANSACTION, careWorker(), null, 200, null,
                        Set.of("Observation/o-1"), Set.of("Patient/p-1"), null, "CSCOM-DJELI", null),
                new Access(Interaction.READ, null, null, "192.168.1.9", 401, "Jeton absent ou expiré: « accès refusé »",
                        Set.of("Patient/x"), none, null, null, "req-3"),
                new Access(Interaction.DELETE, null, careWorker(), "10.0.0.7", 500, "x".repeat(600),
                        none, none, null, null, null),
                new Access(null, null, smartApp(), "10.0.0.8", 403, "scope", none, none, null, "CSCOM-KONOBOUGOU", "req-4"),
                new Access(Interaction.READ, null, smartApp(), null, 200, null, Set.of("Patient/p-1"), Set.of("Patient/p-1"),
                        null, "CSCOM-KONOBOUGOU", "req-5"));
    }

    @ParameterizedTest
    @MethodSource("accesses")
    void aRequestsEventIsWrittenExactlyAsHapiWritesIt(Access access) {
        AuditEvent event = FACTORY.restEvent(access);

        assertThat(BalpJson.canEncode(event)).isTrue();
        assertThat(BalpJson.encode(event, parser)).isEqualTo(parser.encodeResourceToString(event));
    }

    @ParameterizedTest
    @MethodSource("accesses")
    void anEventAsTheStoreKeepsItIsWrittenExactlyAsHapiWritesItToo(Access access) {
        AuditEvent event = parser.parseResource(AuditEvent.class, parser.encodeResourceToString(FACTORY.restEvent(access)));
        event.setId("0f5e3d2c-1b4a-4c5d-8e9f-a0b1c2d3e4f5");
        event.getMeta().setVersionId("1").setLastUpdated(Date.from(Instant.parse("2026-12-05T23:04:02.456Z")));
        event.getEntity().stream().filter(e -> "Patient/p-2".equals(e.getWhat().getReference())).forEach(e ->
                e.setWhat(new Reference().setDisplay("Patient/p-2").setIdentifier(
                        new Identifier().setSystem("https://sante-rurale.ml/fhir/sid/unresolved-reference").setValue("Patient/p-2"))));

        assertThat(BalpJson.canEncode(event)).isTrue();
        assertThat(BalpJson.encode(event, parser)).isEqualTo(parser.encodeResourceToString(event));
    }

    @ParameterizedTest
    @MethodSource("accesses")
    void anIdAndVersionAddedToTheJsonGiveWhatHapiWritesForTheStoredEvent(Access access) {
        AuditEvent event = FACTORY.restEvent(access);
        String json = BalpJson.encode(event, parser);
        Date stored = Date.from(Instant.parse("2026-12-05T23:04:02.456Z"));

        String added = BalpJson.withIdAndVersion(json, "0f5e3d2c-1b4a-4c5d-8e9f-a0b1c2d3e4f5",
                new Meta().setLastUpdated(stored).getLastUpdatedElement());

        event.setId("0f5e3d2c-1b4a-4c5d-8e9f-a0b1c2d3e4f5");
        event.getMeta().setVersionId("1").setLastUpdated(stored);
        assertThat(added).isEqualTo(parser.encodeResourceToString(event));
    }

    @Test
    void anIdAndVersionAreAddedToHapisJsonTooOrNotAtAll() {
        Date stored = Date.from(Instant.parse("2026-12-05T23:04:02.456Z"));
        InstantType lastUpdated = new Meta().setLastUpdated(stored).getLastUpdatedElement();
        AuditEvent withPeriod = FACTORY.restEvent(accesses().findFirst().orElseThrow());
        withPeriod.setPeriod(new Period().setStart(stored));
        AuditEvent purge = FACTORY.purgeEvent(Instant.parse("2025-12-05T00:00:00Z"), 1234, null);
        for (AuditEvent event : List.of(withPeriod, purge)) {
            String added = BalpJson.withIdAndVersion(BalpJson.encode(event, parser), "a-1", lastUpdated);
            event.setId("a-1");
            event.getMeta().setVersionId("1").setLastUpdated(stored);
            assertThat(added).isEqualTo(parser.encodeResourceToString(event));
        }

        assertThat(BalpJson.withIdAndVersion(parser.encodeResourceToString(purge), "a-2", lastUpdated))
                .as("already has an id").isNull();
        assertThat(BalpJson.withIdAndVersion("{\"resourceType\":\"AuditEvent\",\"meta\":{\"versionId\":\"3\"}}", "a-2",
                lastUpdated)).as("a meta with a version").isNull();
        assertThat(BalpJson.withIdAndVersion("{\"resourceType\":\"AuditEvent\"}", "a-2", lastUpdated)).isNull();
        assertThat(BalpJson.withIdAndVersion(BalpJson.encode(FACTORY.restEvent(accesses().findFirst().orElseThrow()), parser),
                "a\"2", lastUpdated)).as("an id that needs escaping").isNull();
    }

    @Test
    void thePurgeRecordIsWrittenExactlyAsHapiWritesIt() {
        AuditEvent event = FACTORY.purgeEvent(Instant.parse("2025-12-05T00:00:00Z"), 1234, null);

        assertThat(BalpJson.encode(event, parser)).isEqualTo(parser.encodeResourceToString(event));
    }

    @Test
    void anEventWithAnElementItDoesNotKnowIsLeftToHapi() {
        Access access = accesses().findFirst().orElseThrow();
        AuditEvent withPeriod = FACTORY.restEvent(access);
        withPeriod.setPeriod(new Period().setStart(new Date()));
        AuditEvent withPrimitiveExtension = FACTORY.restEvent(access);
        withPrimitiveExtension.getOutcomeDescElement().addExtension("https://example.org/x", new StringType("y"));
        AuditEvent withAnotherAgentExtension = FACTORY.restEvent(access);
        withAnotherAgentExtension.getAgentFirstRep().addExtension("https://example.org/x", new StringType("y"));
        AuditEvent withLocation = FACTORY.restEvent(access);
        withLocation.getAgentFirstRep().setLocation(new Reference("Location/l-1"));

        for (AuditEvent event : List.of(withPeriod, withPrimitiveExtension, withAnotherAgentExtension, withLocation)) {
            assertThat(BalpJson.canEncode(event)).isFalse();
            assertThat(BalpJson.encode(event, parser)).isEqualTo(parser.encodeResourceToString(event));
        }
    }
}
