package ml.santerurale.server.sync;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The sync protocol's settings ({@code srm.sync.*}); see docs/SYNC.md. Invalid values stop the
 * server at start.
 *
 * @param idempotencyWindow how long the response to a sync batch is kept for replay (30 days by
 *     default); a retry after that is processed afresh
 * @param purgeInterval pause between two purges of expired idempotency keys
 * @param feedPageSize changes per feed page when the client gives no {@code _count}
 * @param feedMaxPageSize the largest {@code _count} the feed honours
 * @param feedPositionInterval how often the server records a feed position while anything is
 *     written: the most a {@code _since} it did not hand out repeats (docs/SYNC.md)
 * @param feedPositionsThinAfter age after which recorded positions are thinned to one an hour
 */
@Validated
@ConfigurationProperties("srm.sync")
public record SyncProperties(
        @NotNull Duration idempotencyWindow,
        @NotNull Duration purgeInterval,
        @Min(1) @Max(1000) int feedPageSize,
        @Min(1) @Max(5000) int feedMaxPageSize,
        @NotNull Duration feedPositionInterval,
        @NotNull Duration feedPositionsThinAfter) {

    public SyncProperties {
        if (idempotencyWindow != null && idempotencyWindow.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("srm.sync.idempotency-window must be at least one day (P1D):"
                    + " a phone offline for a day must still get its original response back");
        }
        if (feedPositionInterval != null && (feedPositionInterval.compareTo(Duration.ofMillis(100)) < 0
                || feedPositionInterval.compareTo(Duration.ofMinutes(1)) > 0)) {
            throw new IllegalArgumentException("srm.sync.feed-position-interval must be between 100 ms and one minute (was "
                    + feedPositionInterval + "): it bounds what a _since the server did not hand out repeats");
        }
        if (feedPageSize > feedMaxPageSize) {
            throw new IllegalArgumentException("srm.sync.feed-page-size (" + feedPageSize
                    + ") is larger than srm.sync.feed-max-page-size (" + feedMaxPageSize + ")");
        }
    }
}
