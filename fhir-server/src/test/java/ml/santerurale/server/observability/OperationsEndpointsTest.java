package ml.santerurale.server.observability;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;

/** Health probes, Prometheus metrics and request ids, as operations will use them. */
class OperationsEndpointsTest extends ServerIntegrationTest {

    private HttpResponse<String> actuator(String path) {
        return send(HttpRequest.newBuilder(URI.create(baseUrl() + "/actuator" + path)).GET());
    }

    @Test
    void reportsLivenessAndReadinessIncludingTheDatabase() {
        HttpResponse<String> liveness = actuator("/health/liveness");
        assertThat(liveness.statusCode()).isEqualTo(200);
        assertThat(liveness.body()).contains("\"status\":\"UP\"");
        HttpResponse<String> readiness = actuator("/health/readiness");
        assertThat(readiness.statusCode()).isEqualTo(200);
        assertThat(readiness.body()).contains("\"status\":\"UP\"");
        assertThat(actuator("/health").body()).contains("\"status\":\"UP\"");
    }

    @Test
    void exposesHttpJvmPoolAndPerInteractionMetricsToPrometheus() {
        get("/Patient?_count=1");
        get("/metadata");
        String metrics = actuator("/prometheus").body();
        assertThat(metrics)
                .contains("http_server_requests_seconds_count")
                .contains("jvm_memory_used_bytes")
                .contains("hikaricp_connections_active")
                .containsPattern("fhir_interaction_seconds_count\\{[^}]*interaction=\"search-type\"[^}]*type=\"Patient\"")
                .containsPattern("fhir_interaction_seconds_count\\{[^}]*interaction=\"metadata\"");
    }

    @Test
    void returnsTheRequestIdItLogsAndKeepsACallersWellFormedId() {
        HttpResponse<String> fhir = get("/metadata");
        assertThat(fhir.headers().allValues("X-Request-ID")).hasSize(1);
        assertThat(fhir.headers().firstValue("X-Request-ID").orElseThrow()).matches("[a-f0-9]{16}");

        HttpResponse<String> echoed = send(request("/metadata").header("X-Request-ID", "phone-42.sync-7").GET());
        assertThat(echoed.headers().allValues("X-Request-ID")).containsExactly("phone-42.sync-7");

        HttpResponse<String> hostile = send(request("/metadata").header("X-Request-ID", "a\"b{}<script>").GET());
        assertThat(hostile.headers().firstValue("X-Request-ID").orElseThrow()).matches("[a-f0-9]{16}");

        HttpResponse<String> health = actuator("/health/liveness");
        assertThat(health.headers().firstValue("X-Request-ID")).isPresent();
    }
}
