package ml.santerurale.server.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;

/**
 * The token buckets of one tier, one per key (an address, a subject, a device), created full on
 * first use. Buckets left alone long enough to have filled up again are forgotten, which changes
 * nothing (a new bucket is full too); at most {@code maxKeys} are kept, the least recently used
 * forgotten first.
 *
 * <p>Does not guarantee: limits shared between several server instances (the buckets live in
 * this JVM), nor a limit on a key that changes on every request (a device id is chosen by the
 * device: the user's bucket still applies).
 */
final class TokenBuckets {

    private final RateLimitProperties.Tier tier;
    private final TimeMeter clock;
    private final Cache<String, Bucket> buckets;

    TokenBuckets(RateLimitProperties.Tier tier, TimeMeter clock, long maxKeys) {
        this.tier = tier;
        this.clock = clock;
        Duration idle = tier.longestRefill().plusSeconds(1);
        this.buckets = Caffeine.newBuilder().expireAfterAccess(idle).maximumSize(maxKeys).build();
    }

    /**
     * Takes one token from the key's bucket: 0 when one was there, else the whole seconds to wait
     * until one will be (at least 1).
     */
    long take(String key) {
        ConsumptionProbe probe = buckets.get(key, this::newBucket).tryConsumeAndReturnRemaining(1);
        if (probe.isConsumed()) {
            return 0;
        }
        long nanos = probe.getNanosToWaitForRefill();
        return Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L);
    }

    private Bucket newBucket(String key) {
        RateLimitProperties.Limit limit = tier.limitOf(key);
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(limit.burst())
                        .refillGreedy(limit.perMinute(), Duration.ofMinutes(1)).build())
                .withCustomTimePrecision(clock)
                .build();
    }
}
