package ml.santerurale.server.observability;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.concurrent.TimeUnit;

/**
 * Times every FHIR interaction into {@code fhir.interaction} (Prometheus:
 * {@code fhir_interaction_seconds}), tagged with the interaction (read, search-type,
 * transaction...), the resource type and the response status class.
 *
 * <p>Requests refused before HAPI chose an interaction (an unknown URL) are counted with
 * interaction {@code unknown}.
 */
@Interceptor
class FhirInteractionMetrics {

    private static final String STARTED = FhirInteractionMetrics.class.getName() + ".started";

    private final MeterRegistry registry;

    FhirInteractionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Hook(Pointcut.SERVER_INCOMING_REQUEST_PRE_PROCESSED)
    public boolean start(HttpServletRequest request) {
        request.setAttribute(STARTED, System.nanoTime());
        return true;
    }

    @Hook(Pointcut.SERVER_PROCESSING_COMPLETED)
    public void stop(RequestDetails requestDetails, ServletRequestDetails servletRequestDetails) {
        if (servletRequestDetails == null || !(servletRequestDetails.getServletRequest().getAttribute(STARTED) instanceof Long started)) {
            return;
        }
        RestOperationTypeEnum operation = requestDetails.getRestOperationType();
        String resourceType = requestDetails.getResourceName();
        int status = servletRequestDetails.getServletResponse().getStatus();
        Timer.builder("fhir.interaction")
                .description("FHIR interactions served, by interaction, resource type and outcome")
                .tag("interaction", operation == null ? "unknown" : operation.getCode())
                .tag("type", resourceType == null ? "none" : resourceType)
                .tag("outcome", (status / 100) + "xx")
                .register(registry)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
}
