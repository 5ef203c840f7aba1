package ml.santerurale.server.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import ca.uhn.fhir.context.FhirContext;
import ml.santerurale.server.support.ClinicalRecords;
import ml.santerurale.server.support.StandaloneServer;
import ml.santerurale.server.support.TestDirectories;
import ml.santerurale.server.support.TestTokens;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * With SRM_OTLP_ENDPOINT set, a FHIR request is one trace exported over OTLP/HTTP (to a collector
 * that speaks the protocol: protobuf {@code ExportTraceServiceRequest} on {@code POST /v1/traces},
 * 200 with an empty response): the HTTP span, the FHIR interaction inside it, the statements it ran
 * inside that, each carrying the request id, none carrying the patient's data. The audit event the
 * write left is moved into the audit store by a drain batch that is a trace of its own: one
 * {@code audit drain} span counting the events it moved, its statements inside it.
 */
class TracingTest {

    private static final String BEARER = "Bearer " + TestTokens.get().medecin("CSCOM-KONOBOUGOU");

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aFhirReadIsOneTraceOfHttpFhirAndJdbcSpansEachCarryingTheRequestId() throws Exception {
        List<Span> received = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
            request.getResourceSpansList().forEach(resource -> resource.getScopeSpansList()
                    .forEach(scope -> received.addAll(scope.getSpansList())));
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        String family = "Tracee" + Long.toString(System.nanoTime(), 36).replaceAll("[0-9]", "x");
        String requestId = "trace-test-" + Long.toString(System.nanoTime(), 36);
        try (ConfigurableApplicationContext server = StandaloneServer.start(TestDirectories.create("srm-tracing-"),
                "--SRM_OTLP_ENDPOINT=http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces")) {
            // The tracing proxy is outermost: it wraps the pool that refuses while the database
            // is away (database.DatabaseWatchConfig), which the database watch unwraps.
            DataSource dataSource = server.getBean(DataSource.class);
            Class<?> failFast = Class.forName("ml.santerurale.server.database.FailFastDataSource");
            assertThat(dataSource).isNotInstanceOf(failFast);
            assertThat(dataSource.isWrapperFor(failFast)).as("the tracing proxy wraps the fail-fast pool").isTrue();

            String base = StandaloneServer.fhirBase(server);
            Patient patient = ClinicalRecords.patient(family, "Awa", "cscom-konobougou");
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/Patient/" + patient.getIdPart()))
                    .header("Content-Type", "application/fhir+json").header("Authorization", BEARER)
                    .PUT(HttpRequest.BodyPublishers.ofString(FhirContext.forR4Cached().newJsonParser().encodeResourceToString(patient)))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base + "/Patient/" + patient.getIdPart()))
                    .header("Authorization", BEARER).header("X-Request-ID", requestId).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).isEqualTo(200);

            List<Span> ofRequest = awaitSpans(received, requestId);
            Span fhir = ofRequest.stream().filter(s -> s.getName().equals("FHIR read")).findFirst().orElseThrow(
                    () -> new AssertionError("no FHIR span among " + names(ofRequest)));
            Span httpSpan = ofRequest.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow(
                    () -> new AssertionError("no HTTP server span among " + names(ofRequest)));
            assertThat(attributes(fhir)).containsEntry("fhir.interaction", "read").containsEntry("fhir.resource_type", "Patient")
                    .containsEntry("http.response.status_code", "200");
            assertThat(fhir.getTraceId()).isEqualTo(httpSpan.getTraceId());
            assertThat(fhir.getParentSpanId()).as("the FHIR span is inside the HTTP span").isEqualTo(httpSpan.getSpanId());
            List<Span> statements = ofRequest.stream().filter(s -> s.getParentSpanId().equals(fhir.getSpanId())
                    || isDescendant(s, fhir, ofRequest)).filter(s -> attributes(s).keySet().stream().anyMatch(k -> k.startsWith("jdbc"))).toList();
            assertThat(statements).as("JDBC spans inside the FHIR span, among %s", names(ofRequest)).isNotEmpty();

            Span drain = awaitDrainSpan(received);
            assertThat(drain.getParentSpanId().isEmpty()).as("a drain batch is a trace of its own").isTrue();
            assertThat(Integer.parseInt(attributes(drain).get("srm.audit.events"))).isPositive();
            List<Span> drainStatements = received.stream().filter(s -> s.getTraceId().equals(drain.getTraceId()))
                    .filter(s -> attributes(s).keySet().stream().anyMatch(k -> k.startsWith("jdbc"))).toList();
            assertThat(drainStatements).as("the batch's statements inside its span").isNotEmpty()
                    .allMatch(s -> isDescendant(s, drain, received));
        } finally {
            collector.stop(0);
        }
        assertThat(received).as("no span carries the patient's name (no bound values, no bodies)")
                .noneMatch(span -> span.toString().contains(family));
    }

    private static List<Span> awaitSpans(List<Span> received, String requestId) throws InterruptedException {
        for (int poll = 0; poll < 300; poll++) {
            List<Span> ofRequest = received.stream()
                    .filter(s -> requestId.equals(attributes(s).get(RequestIdOnSpans.ATTRIBUTE))).toList();
            if (ofRequest.stream().anyMatch(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER)
                    && ofRequest.stream().anyMatch(s -> s.getName().startsWith("FHIR "))) {
                Thread.sleep(1_000);
                return received.stream().filter(s -> requestId.equals(attributes(s).get(RequestIdOnSpans.ATTRIBUTE))).toList();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No spans of request " + requestId + " within 30 s; received " + names(received));
    }

    /** The first drain batch that moved events (the audit events of the write and the read). */
    private static Span awaitDrainSpan(List<Span> received) throws InterruptedException {
        for (int poll = 0; poll < 300; poll++) {
            for (Span span : received) {
                if (span.getName().equals("audit drain") && !"0".equals(attributes(span).get("srm.audit.events"))) {
                    Thread.sleep(1_000); // its statements' spans may come in a later export
                    return span;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("No audit drain span within 30 s; received " + names(received));
    }

    private static boolean isDescendant(Span span, Span ancestor, List<Span> all) {
        Map<String, Span> byId = all.stream().collect(Collectors.toMap(s -> s.getSpanId().toStringUtf8(), s -> s, (a, b) -> a));
        Span current = span;
        for (int depth = 0; depth < 10 && current != null; depth++) {
            if (current.getParentSpanId().equals(ancestor.getSpanId())) {
                return true;
            }
            current = byId.get(current.getParentSpanId().toStringUtf8());
        }
        return false;
    }

    private static Map<String, String> attributes(Span span) {
        return span.getAttributesList().stream().collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue(), (a, b) -> a));
    }

    private static List<String> names(List<Span> spans) {
        return spans.stream().map(Span::getName).toList();
    }
}
