package ml.santerurale.server.load;

import java.util.List;

/**
 * The growth of resident memory over a soak: the least-squares slope of the samples after a
 * warm-up share (the heap grows to its working size first), in MB per hour. Growth is flagged
 * when the fitted rise over the measured span exceeds {@link #TOLERATED_SHARE} of the mean, or a
 * floor ({@link #DEFAULT_FLOOR_MB} unless given), whichever is more. A slope says nothing of what a
 * longer run would do past a limit (the heap is capped: a leak ends in garbage-collection time and
 * then an OutOfMemoryError, not in RSS), nor of memory that a process gives back when it ends.
 */
record MemoryTrend(double meanMb, double slopeMbPerHour, double riseMb, int samples, double floorMb) {

    static final double TOLERATED_SHARE = 0.05;
    static final double DEFAULT_FLOOR_MB = 32;

    static MemoryTrend of(List<ServerGauges.Sample> all, double warmUpShare, java.util.function.ToLongFunction<ServerGauges.Sample> kb) {
        return of(all, warmUpShare, kb, DEFAULT_FLOOR_MB);
    }

    static MemoryTrend of(List<ServerGauges.Sample> all, double warmUpShare, java.util.function.ToLongFunction<ServerGauges.Sample> kb,
            double floorMb) {
        List<ServerGauges.Sample> samples = all.subList((int) (all.size() * warmUpShare), all.size()).stream()
                .filter(s -> kb.applyAsLong(s) > 0).toList();
        int n = samples.size();
        if (n < 2) {
            return new MemoryTrend(0, 0, 0, n, floorMb);
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
        return new MemoryTrend(sy / n, slope, slope * span, n, floorMb);
    }

    boolean grows() {
        return riseMb > tolerance();
    }

    double tolerance() {
        return Math.max(floorMb, meanMb * TOLERATED_SHARE);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "mean %.1f MB, trend %+.1f MB/h (%+.1f MB over the measured span, tolerance %.0f MB, %d samples): %s",
                meanMb, slopeMbPerHour, riseMb, tolerance(), samples, grows() ? "GROWS" : "flat");
    }
}
