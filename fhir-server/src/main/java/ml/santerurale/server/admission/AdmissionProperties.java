package ml.santerurale.server.admission;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * How much FHIR work the server takes on at once ({@code srm.admission.*}), so that an overload is
 * answered with 503 and {@code Retry-After} within seconds instead of piling requests up until
 * the database pool runs dry and clients time out. Invalid values stop the server at start.
 *
 * @param maxConcurrent FHIR requests processed at once; more wait for a place
 * @param maxWait how long a request waits for a place before it is refused
 * @param retryAfter what a refused client is told to wait ({@code Retry-After}, whole seconds)
 */
@Validated
@ConfigurationProperties("srm.admission")
public record AdmissionProperties(@Min(1) int maxConcurrent, @NotNull Duration maxWait, @NotNull Duration retryAfter) {
}
