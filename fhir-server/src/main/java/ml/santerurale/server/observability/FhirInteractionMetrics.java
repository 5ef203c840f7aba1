package ml.santerurale.server.observability;

import ca.uhn.fhir.interceptor.api.Hook;
import ca.uhn.fhir.interceptor.api.Interceptor;
import ca.uhn.fhir.interceptor.api.Pointcut;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import ml.santerurale.server.sync.DeviceOfBatch;
import org.hl7.fhir.r4.model.Bundle;

/**
 * Times every FHIR interaction into {@code fhir.interaction} (Prometheus:
 * {@code fhir_interaction_seconds}), tagged with the interaction (read, search-type,
 * transaction...), the resource type and the response status class.
 *
 * <p>Requests refused before HAPI chose an interaction (an unknown URL) are counted with
 * interaction {@code unknown}.
 *
 * <p>Sync batches (transaction Bundles naming their device, docs/SYNC.md) are also counted in
 * {@code srm.sync.batches} ({@code srm_sync_batches_total{outcome}}): {@code applied},
 * {@code replayed} (a retry answered with the original answer), {@code conflict} (412),
 * {@code throttled} (429), {@code refused} (other 4xx), {@code failed} (5xx). A batch refused
 * before its Bundle was read (401) is not counted there.
 */
@Interceptor
class FhirInteractionMetrics {

    private static final String STARTED = FhirInteractionMetrics.class.getName() + ".started";

    private final MeterRegistry registry;

    static final List<String> SYNC_OUTCOMES = List.of("applied", "replayed", "conflict", "throttled", "refused", "failed");

    FhirInteractionMetrics(MeterRegistry registry) {
        this.registry = registry;
        // Present from the start, so that dashboards and alerts see zeros rather than nothing.
        SYNC_OUTCOMES.forEach(outcome -> syncBatches(outcome));
    }

    private Counter syncBatches(String outcome) {
        return Counter.builder("srm.sync.batches")
                .description("Sync batches received, by outcome")
                .tag("outcome", outcome)
                .register(registry);
    }

    private static String syncOutcome(int status, String replayed) {
        if (status < 300) {
            return "true".equals(replayed) ? "replayed" : "applied";
        }
        return switch (status) {
            case 412 -> "conflict";
            case 429 -> "throttled";
            default -> status < 500 ? "refused" : "failed";
        };
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
        if (operation == RestOperationTypeEnum.TRANSACTION && requestDetails.getResource() instanceof Bundle bundle
                && DeviceOfBatch.of(bundle).isPresent()) {
            // X-Sync-Replayed: the sync protocol's header for a retry answered from the key (docs/SYNC.md).
            syncBatches(syncOutcome(status, servletRequestDetails.getServletResponse().getHeader("X-Sync-Replayed"))).increment();
        }
    }
}
