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
 */
@Validated
@ConfigurationProperties("srm.sync")
public record SyncProperties(
        @NotNull Duration idempotencyWindow,
        @NotNull Duration purgeInterval,
        @Min(1) @Max(1000) int feedPageSize,
        @Min(1) @Max(5000) int feedMaxPageSize) {

    public SyncProperties {
        if (idempotencyWindow != null && idempotencyWindow.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("srm.sync.idempotency-window must be at least one day (P1D):"
                    + " a phone offline for a day must still get its original response back");
        }
        if (feedPageSize > feedMaxPageSize) {
            throw new IllegalArgumentException("srm.sync.feed-page-size (" + feedPageSize
                    + ") is larger than srm.sync.feed-max-page-size (" + feedMaxPageSize + ")");
        }
    }
}
