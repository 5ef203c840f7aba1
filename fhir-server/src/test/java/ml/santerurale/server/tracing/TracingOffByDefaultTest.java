package ml.santerurale.server.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.interceptor.api.IInterceptorService;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.handler.TracingObservationHandler;
import javax.sql.DataSource;
import ml.santerurale.server.support.ServerIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.ApplicationContext;

/** Without SRM_OTLP_ENDPOINT nothing is traced: no tracing handler, no FHIR span interceptor, statements not wrapped. */
class TracingOffByDefaultTest extends ServerIntegrationTest {

    @Autowired
    ApplicationContext context;

    @Autowired
    DataSource dataSource;

    @Autowired
    IInterceptorService interceptors;

    @Test
    void withoutAnEndpointNoObservationBecomesASpanAndNoStatementIsWrapped() {
        assertThat(context.getBeanProvider(Tracer.class).getIfAvailable()).as("no tracer, not even the no-op one").isNull();
        assertThat(context.getBeansOfType(TracingObservationHandler.class)).as("no observation (HTTP, JDBC) becomes a span").isEmpty();
        assertThat(context.getBeansOfType(FhirInteractionSpans.class)).isEmpty();
        assertThat(interceptors.getAllRegisteredInterceptors()).noneMatch(FhirInteractionSpans.class::isInstance);
        // Requests are observed for metrics without any tracing context (a tracing-aware meter
        // handler without a tracer failed every request with 500).
        assertThat(get("/metadata").statusCode()).isEqualTo(200);
        assertThat(send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(baseUrl() + "/actuator/health")).GET())
                .statusCode()).isEqualTo(200);
        assertThat(dataSource.getClass().getName()).doesNotContain("ttddyy").doesNotContainIgnoringCase("proxy");
    }
}
