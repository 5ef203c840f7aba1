package ml.santerurale.interceptors.access;

import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers who ran each paged search, so that its page links serve no one else. Bounded in
 * size and time (HAPI forgets searches after about an hour).
 *
 * <p>Does not guarantee: survival across a restart or sharing between several server nodes
 * (a restarted node answers old page links as expired, which is safe, not a leak).
 */
public final class SearchOwners {

    private record Owner(String subject, long recordedMillis) {}

    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Duration ttl;
    private final int maxSize;

    public SearchOwners(Clock clock, Duration ttl, int maxSize) {
        this.clock = clock;
        this.ttl = ttl;
        this.maxSize = maxSize;
    }

    public void record(String searchUuid, String subject) {
        if (owners.size() >= maxSize) {
            evictExpired();
        }
        if (owners.size() < maxSize) {
            owners.put(searchUuid, new Owner(subject, clock.millis()));
        }
    }

    public Optional<String> ownerOf(String searchUuid) {
        Owner owner = owners.get(searchUuid);
        if (owner == null || clock.millis() - owner.recordedMillis() > ttl.toMillis()) {
            return Optional.empty();
        }
        return Optional.of(owner.subject());
    }

    private void evictExpired() {
        long now = clock.millis();
        for (Iterator<Owner> it = owners.values().iterator(); it.hasNext(); ) {
            if (now - it.next().recordedMillis() > ttl.toMillis()) {
                it.remove();
            }
        }
    }
}
