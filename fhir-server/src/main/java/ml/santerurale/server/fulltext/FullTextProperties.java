package ml.santerurale.server.fulltext;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * The full-text index's durability settings ({@code srm.fulltext.*}).
 *
 * @param checkpointInterval how often the index is committed and its checkpoint recorded; a
 *     write is re-indexed after a crash if it committed less than about two intervals before it
 * @param catchUpBatchSize resources re-indexed per database transaction when catching up
 */
@Validated
@ConfigurationProperties("srm.fulltext")
public record FullTextProperties(@NotNull Duration checkpointInterval, int catchUpBatchSize) {

    public FullTextProperties {
        if (checkpointInterval != null && checkpointInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("srm.fulltext.checkpoint-interval must be at least one second (was "
                    + checkpointInterval + "): each checkpoint commits the index to disk");
        }
        if (catchUpBatchSize < 1) {
            throw new IllegalArgumentException("srm.fulltext.catch-up-batch-size must be positive (was " + catchUpBatchSize + ")");
        }
    }
}
