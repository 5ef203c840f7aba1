package ml.santerurale.server.tracing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Turns tracing on with one variable: when {@code SRM_OTLP_ENDPOINT} names an OTLP/HTTP traces
 * endpoint (for example {@code http://collector:4318/v1/traces}), spans of HTTP requests, FHIR
 * interactions and JDBC statements are exported there, every one of them sampled unless
 * {@code SRM_TRACE_SAMPLING} (0.0 to 1.0) says otherwise. Without it, no tracer exists and no
 * statement is wrapped: tracing costs nothing.
 *
 * <p>Spring Boot's own {@code management.tracing.*} and {@code management.otlp.tracing.*}
 * properties still apply on top for anything else (headers, timeout, compression).
 * Does not guarantee delivery: spans are batched in memory and dropped if the collector is away.
 */
public final class OtlpSwitch implements EnvironmentPostProcessor, Ordered {

    /** After application.yml is loaded (Spring Boot's config data processor runs first). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }


    /** {@code ${SRM_OTLP_ENDPOINT:}} in application.yml. */
    static final String ENDPOINT = "srm.tracing.otlp-endpoint";
    /** {@code ${SRM_TRACE_SAMPLING:1.0}} in application.yml. */
    static final String SAMPLING = "srm.tracing.sampling";
    private static final String EXCLUDE = "spring.autoconfigure.exclude";
    private static final List<String> TRACING_AUTO_CONFIGURATIONS = List.of(
            "org.springframework.boot.actuate.autoconfigure.tracing.MicrometerTracingAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.tracing.OpenTelemetryTracingAutoConfiguration",
            // Without a tracer bean at all (not even the no-op one), metrics observe requests
            // with the plain meter handler; the tracing-aware one expects a tracing context.
            "org.springframework.boot.actuate.autoconfigure.tracing.NoopTracerAutoConfiguration");

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        String endpoint = environment.getProperty(ENDPOINT, "").trim();
        boolean on = !endpoint.isEmpty();
        Map<String, Object> settings = new HashMap<>();
        settings.put("management.tracing.enabled", on);
        settings.put("jdbc.datasource-proxy.enabled", on);
        if (on) {
            settings.put("management.otlp.tracing.endpoint", endpoint);
            settings.put("management.tracing.sampling.probability", environment.getProperty(SAMPLING, "1.0"));
        } else {
            // Spring Boot's tracing.enabled=false only stops the export: spans would still be made
            // (and dropped) for every request. Without these, no observation becomes a span.
            String excluded = environment.getProperty(EXCLUDE, "").trim();
            settings.put(EXCLUDE, (excluded.isEmpty() ? "" : excluded + ",") + String.join(",", TRACING_AUTO_CONFIGURATIONS));
        }
        environment.getPropertySources().addFirst(new MapPropertySource("srm-otlp-switch", settings));
    }
}
