package ml.santerurale.server.load;

import java.util.List;

/**
 * The growth of resident memory over a soak: the least-squares slope of the samples after a
 * warm-up share (the heap grows to its working size first), in MB per hour. Growth is flagged
 * when the fitted rise over the measured span exceeds {@link #TOLERATED_SHARE} of the mean, or 32
 * MB, whichever is more. A slope says nothing of what a longer run would do past a limit (the heap
 * is capped: a leak ends in garbage-collection time and then an OutOfMemoryError, not in RSS).
 */
record MemoryTrend(double meanMb, double slopeMbPerHour, double riseMb, int samples) {

    static final double TOLERATED_SHARE = 0.05;

    static MemoryTrend of(List<ServerGauges.Sample> all, double warmUpShare, java.util.function.ToLongFunction<ServerGauges.Sample> kb) {
        List<ServerGauges.Sample> samples = all.subList((int) (all.size() * warmUpShare), all.size()).stream()
                .filter(s -> kb.applyAsLong(s) > 0).toList();
        int n = samples.size();
        if (n < 2) {
            return new MemoryTrend(0, 0, 0, n);
        }
        double t0 = samples.get(0).nanos();
        double sx = 0, sy = 0, sxx = 0, sxy = 0;
        for (ServerGauges.Sample s : samples) {
            double x = (s.nanos() - t0) / 3.6e12;   // hours
            double y = kb.applyAsLong(s) / 1024.0;  // MB
            sx += x;
            sy += y;
            sxx += x * x;
            sxy += x * y;
        }
        double denominator = n * sxx - sx * sx;
        double slope = denominator == 0 ? 0 : (n * sxy - sx * sy) / denominator;
        double span = (samples.get(n - 1).nanos() - t0) / 3.6e12;
        return new MemoryTrend(sy / n, slope, slope * span, n);
    }

    boolean grows() {
        return riseMb > Math.max(32, meanMb * TOLERATED_SHARE);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "mean %.0f MB, trend %+.1f MB/h (%+.1f MB over the measured span, %d samples): %s",
                meanMb, slopeMbPerHour, riseMb, samples, grows() ? "GROWS" : "flat");
    }
}
