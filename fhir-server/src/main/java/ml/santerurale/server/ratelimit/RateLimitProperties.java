package ml.santerurale.server.ratelimit;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Rate limits of the FHIR endpoint ({@code srm.rate-limit.*}): token buckets per client address,
 * per user (the access token's subject) and per device (sync batches, docs/SYNC.md). A request
 * needs a token from each bucket that applies to it; an empty bucket answers 429 with
 * {@code Retry-After}. Invalid values stop the server at start.
 *
 * @param enabled false turns every limit off (benchmarks only)
 * @param address per client address (the proxy's {@code X-Forwarded-For} when the proxy is trusted)
 * @param user per token subject
 * @param device per device id of a sync batch
 */
@Validated
@ConfigurationProperties("srm.rate-limit")
public record RateLimitProperties(boolean enabled, @NotNull @Valid Tier address, @NotNull @Valid Tier user,
        @NotNull @Valid Tier device) {

    /**
     * One kind of bucket.
     *
     * @param burst tokens a bucket holds when full: requests that may come at once
     * @param perMinute tokens added back per minute, spread evenly (the sustained rate)
     * @param overrides other limits for some keys (an address, a subject, a device id)
     */
    public record Tier(@Min(1) long burst, @Min(1) long perMinute, Map<String, @Valid Limit> overrides) {

        public Tier {
            overrides = overrides == null ? Map.of() : Map.copyOf(overrides);
        }

        /** The limit of this key: its override, else the tier's. */
        Limit limitOf(String key) {
            Limit override = overrides.get(key);
            return override != null ? override : new Limit(burst, perMinute);
        }

        /** The longest time any bucket of this tier takes to fill up again from empty. */
        Duration longestRefill() {
            Duration longest = new Limit(burst, perMinute).timeToFill();
            for (Limit limit : overrides.values()) {
                if (limit.timeToFill().compareTo(longest) > 0) {
                    longest = limit.timeToFill();
                }
            }
            return longest;
        }
    }

    /**
     * @param burst tokens a full bucket holds
     * @param perMinute tokens added back per minute
     */
    public record Limit(@Min(1) long burst, @Min(1) long perMinute) {

        Duration timeToFill() {
            return Duration.ofMillis(Math.max(1, (60_000L * burst + perMinute - 1) / perMinute));
        }
    }
}
