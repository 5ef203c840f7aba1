package ml.santerurale.server.load;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * Latencies and outcomes of every request of one step, per interaction. Thread-safe. A request
 * counts in the step during which it was sent (its retries in the step they are sent in).
 */
public final class Tally {

    /** How an attempt ended. */
    public enum Outcome {
        OK, THROTTLED_429, UNAVAILABLE_503, CLIENT_ERROR_4XX, SERVER_ERROR_5XX, TRANSPORT
    }

    private final Map<Interaction, Series> series = new EnumMap<>(Interaction.class);

    public Tally() {
        for (Interaction interaction : Interaction.values()) {
            series.put(interaction, new Series());
        }
    }

    void record(Interaction interaction, Outcome outcome, long nanos) {
        series.get(interaction).add(outcome, nanos);
    }

    public Series of(Interaction interaction) {
        return series.get(interaction);
    }

    /** Attempts that ended with a 5xx other than 503, over every interaction. */
    public long serverErrors() {
        return series.values().stream().mapToLong(s -> s.count(Outcome.SERVER_ERROR_5XX)).sum();
    }

    public long count(Outcome outcome) {
        return series.values().stream().mapToLong(s -> s.count(outcome)).sum();
    }

    /** One interaction's attempts. */
    public static final class Series {
        private long[] millis = new long[1024];
        private int size;
        private final long[] outcomes = new long[Outcome.values().length];

        synchronized void add(Outcome outcome, long nanos) {
            outcomes[outcome.ordinal()]++;
            if (outcome == Outcome.OK) {
                if (size == millis.length) {
                    millis = Arrays.copyOf(millis, size * 2);
                }
                millis[size++] = nanos / 1_000_000;
            }
        }

        public synchronized long count(Outcome outcome) {
            return outcomes[outcome.ordinal()];
        }

        public synchronized long attempts() {
            return Arrays.stream(outcomes).sum();
        }

        /** Percentile {@code p} (0–100) of the successful attempts' latency in ms; -1 without any. */
        public synchronized long percentile(double p) {
            if (size == 0) {
                return -1;
            }
            long[] sorted = Arrays.copyOf(millis, size);
            Arrays.sort(sorted);
            int rank = (int) Math.ceil(p / 100.0 * size);
            return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
        }
    }
}
