package ml.santerurale.server.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The token-bucket arithmetic of the rate limits, on a clock the test moves. */
class TokenBucketsTest {

    /** A clock that only moves when told to. */
    private static final class ManualClock implements TimeMeter {
        private long nanos = 1_000_000_000L;

        void advance(Duration duration) {
            nanos += duration.toNanos();
        }

        @Override
        public long currentTimeNanos() {
            return nanos;
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    private final ManualClock clock = new ManualClock();

    private TokenBuckets buckets(long burst, long perMinute, Map<String, RateLimitProperties.Limit> overrides) {
        return new TokenBuckets(new RateLimitProperties.Tier(burst, perMinute, overrides), clock, 1000);
    }

    @Test
    void aFullBucketLetsTheBurstThroughThenSaysHowLongToWait() {
        TokenBuckets buckets = buckets(5, 60, Map.of());
        for (int i = 0; i < 5; i++) {
            assertThat(buckets.take("device-a")).as("request %d of the burst", i + 1).isZero();
        }
        assertThat(buckets.take("device-a")).as("one token a second comes back").isEqualTo(1);
    }

    @Test
    void tokensComeBackAtTheSustainedRate() {
        TokenBuckets buckets = buckets(2, 6, Map.of()); // one token every 10 s
        buckets.take("u");
        buckets.take("u");
        assertThat(buckets.take("u")).isEqualTo(10);
        clock.advance(Duration.ofSeconds(4));
        assertThat(buckets.take("u")).as("6 s still to wait, rounded up").isEqualTo(6);
        clock.advance(Duration.ofMillis(5_500));
        assertThat(buckets.take("u")).as("0.5 s to wait is said as 1 s, never 0").isEqualTo(1);
        clock.advance(Duration.ofMillis(500));
        assertThat(buckets.take("u")).as("a token is back after 10 s").isZero();
        assertThat(buckets.take("u")).isEqualTo(10);
    }

    @Test
    void aBucketNeverHoldsMoreThanItsBurst() {
        TokenBuckets buckets = buckets(3, 60, Map.of());
        clock.advance(Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertThat(buckets.take("idle")).isZero();
        }
        assertThat(buckets.take("idle")).isPositive();
    }

    @Test
    void oneKeysEmptyBucketLeavesTheOthersFull() {
        TokenBuckets buckets = buckets(1, 1, Map.of());
        assertThat(buckets.take("stuck-phone")).isZero();
        assertThat(buckets.take("stuck-phone")).isEqualTo(60);
        assertThat(buckets.take("other-phone")).isZero();
    }

    @Test
    void anOverrideGivesOneKeyItsOwnLimit() {
        TokenBuckets buckets = buckets(100, 100, Map.of("dhis2-export", new RateLimitProperties.Limit(1, 30)));
        assertThat(buckets.take("dhis2-export")).isZero();
        assertThat(buckets.take("dhis2-export")).isEqualTo(2);
        for (int i = 0; i < 100; i++) {
            assertThat(buckets.take("anyone")).isZero();
        }
    }

    @Test
    void theLongestRefillCoversEveryOverride() {
        RateLimitProperties.Tier tier = new RateLimitProperties.Tier(120, 60,
                Map.of("slow", new RateLimitProperties.Limit(10, 1)));
        assertThat(tier.longestRefill()).isEqualTo(Duration.ofMinutes(10));
        assertThat(new RateLimitProperties.Limit(200, 60).timeToFill()).isEqualTo(Duration.ofSeconds(200));
    }
}
