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
        Tracer tracer = context.getBeanProvider(Tracer.class).getIfAvailable();
        assertThat(tracer == null || tracer == Tracer.NOOP).as("tracer %s", tracer).isTrue();
        assertThat(context.getBeansOfType(TracingObservationHandler.class)).as("no observation (HTTP, JDBC) becomes a span").isEmpty();
        assertThat(context.getBeansOfType(FhirInteractionSpans.class)).isEmpty();
        assertThat(interceptors.getAllRegisteredInterceptors()).noneMatch(FhirInteractionSpans.class::isInstance);
        assertThat(dataSource.getClass().getName()).doesNotContain("ttddyy").doesNotContainIgnoringCase("proxy");
    }
}
