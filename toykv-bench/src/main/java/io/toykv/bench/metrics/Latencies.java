package io.toykv.bench.metrics;

import org.HdrHistogram.Histogram;

/**
 * Operation latencies of one phase, in nanoseconds, with three significant digits from 1 ns to one hour.
 * One instance per worker thread (not thread-safe); {@link #merge} adds a worker's into the phase's.
 */
public final class Latencies {
    private static final long HIGHEST = 3_600_000_000_000L;

    private final Histogram histogram = new Histogram(HIGHEST, 3);

    public void record(long nanos) {
        histogram.recordValue(Math.min(Math.max(nanos, 1), HIGHEST));
    }

    public void merge(Latencies other) {
        histogram.add(other.histogram);
    }

    public long count() {
        return histogram.getTotalCount();
    }

    /** The latency at {@code percentile} (0-100) in microseconds, or NaN when nothing was recorded. */
    public double percentileMicros(double percentile) {
        if (histogram.getTotalCount() == 0) {
            return Double.NaN;
        }
        return histogram.getValueAtPercentile(percentile) / 1000.0;
    }
}
