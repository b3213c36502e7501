package io.toykv.bench.metrics;

import java.util.List;
import java.util.Locale;

/**
 * One measured phase: one engine, shape, thread count and workload in one repetition. Unknown figures
 * are NaN (doubles) or -1 (counts) and print as empty CSV cells.
 *
 * @param suite {@code embedded} or {@code ycsb}
 * @param rep repetition number from 1; 0 in a summary row (the median over repetitions)
 * @param engine engine label
 * @param shape shape label ({@code k8v256}...; for YCSB the record shape)
 * @param threads worker threads
 * @param workload workload label
 * @param ops operations done (entries, for a full scan); -1 where throughput means nothing (reopen)
 * @param seconds wall time of the phase
 * @param p50Us median latency in microseconds
 * @param p99Us 99th percentile latency in microseconds
 * @param p999Us 99.9th percentile latency in microseconds
 * @param userBytes key and value bytes the phase asked the store to write
 * @param writeBytes {@code write_bytes} of /proc/self/io over the phase
 * @param diskBytes bytes the store's directory occupies on disk, measured after close
 * @param liveBytes key and value bytes of the live pairs at that moment
 * @param heapBytesPerKey heap the open store holds (after full GC, over the reading before open) per live key
 * @param offHeapBytesPerKey memory outside the heap the store reports holding, per live key
 * @param reopenMs time to open the closed store again, in milliseconds
 */
public record Result(
        String suite,
        int rep,
        String engine,
        String shape,
        int threads,
        String workload,
        long ops,
        double seconds,
        double p50Us,
        double p99Us,
        double p999Us,
        long userBytes,
        long writeBytes,
        long diskBytes,
        long liveBytes,
        double heapBytesPerKey,
        double offHeapBytesPerKey,
        double reopenMs) {

    public static final List<String> COLUMNS = List.of(
            "suite",
            "rep",
            "engine",
            "shape",
            "threads",
            "workload",
            "ops",
            "seconds",
            "ops_per_sec",
            "p50_us",
            "p99_us",
            "p999_us",
            "user_bytes",
            "write_bytes",
            "write_amp",
            "disk_bytes",
            "live_bytes",
            "space_amp",
            "heap_bytes_per_key",
            "offheap_bytes_per_key",
            "reopen_ms");

    /** A row with only the throughput and latency figures; the rest unknown. */
    public static Result timed(
            String suite,
            int rep,
            String engine,
            String shape,
            int threads,
            String workload,
            long ops,
            double seconds,
            Latencies latencies) {
        return new Result(
                suite,
                rep,
                engine,
                shape,
                threads,
                workload,
                ops,
                seconds,
                latencies.percentileMicros(50),
                latencies.percentileMicros(99),
                latencies.percentileMicros(99.9),
                -1,
                -1,
                -1,
                -1,
                Double.NaN,
                Double.NaN,
                Double.NaN);
    }

    public double opsPerSec() {
        return seconds > 0 && ops >= 0 ? ops / seconds : Double.NaN;
    }

    /** Device bytes written per user byte written, or NaN. */
    public double writeAmp() {
        return userBytes > 0 && writeBytes >= 0 ? (double) writeBytes / userBytes : Double.NaN;
    }

    /** Bytes on disk per live byte, or NaN. */
    public double spaceAmp() {
        return liveBytes > 0 && diskBytes >= 0 ? (double) diskBytes / liveBytes : Double.NaN;
    }

    public Result withBytes(long userBytes, long writeBytes) {
        return withFootprint(
                userBytes, writeBytes, diskBytes, liveBytes, heapBytesPerKey, offHeapBytesPerKey, reopenMs);
    }

    public Result withSpace(long diskBytes, long liveBytes) {
        return withFootprint(
                userBytes, writeBytes, diskBytes, liveBytes, heapBytesPerKey, offHeapBytesPerKey, reopenMs);
    }

    public Result withMemory(double heapBytesPerKey, double offHeapBytesPerKey) {
        return withFootprint(
                userBytes, writeBytes, diskBytes, liveBytes, heapBytesPerKey, offHeapBytesPerKey, reopenMs);
    }

    public Result withReopenMs(double reopenMs) {
        return withFootprint(
                userBytes, writeBytes, diskBytes, liveBytes, heapBytesPerKey, offHeapBytesPerKey, reopenMs);
    }

    /** This phase and its timing with the given figures after the timing (the withers' one copy). */
    private Result withFootprint(
            long userBytes,
            long writeBytes,
            long diskBytes,
            long liveBytes,
            double heapBytesPerKey,
            double offHeapBytesPerKey,
            double reopenMs) {
        return new Result(
                suite,
                rep,
                engine,
                shape,
                threads,
                workload,
                ops,
                seconds,
                p50Us,
                p99Us,
                p999Us,
                userBytes,
                writeBytes,
                diskBytes,
                liveBytes,
                heapBytesPerKey,
                offHeapBytesPerKey,
                reopenMs);
    }

    /** The cells in {@link #COLUMNS} order. */
    public List<String> cells() {
        return List.of(
                suite,
                Integer.toString(rep),
                engine,
                shape,
                Integer.toString(threads),
                workload,
                count(ops),
                fixed(seconds, 3),
                fixed(opsPerSec(), 0),
                fixed(p50Us, 2),
                fixed(p99Us, 2),
                fixed(p999Us, 2),
                count(userBytes),
                count(writeBytes),
                fixed(writeAmp(), 2),
                count(diskBytes),
                count(liveBytes),
                fixed(spaceAmp(), 2),
                fixed(heapBytesPerKey, 1),
                fixed(offHeapBytesPerKey, 1),
                fixed(reopenMs, 1));
    }

    /** Parses the cells of a row in {@link #COLUMNS} order (derived columns are ignored). */
    public static Result parse(List<String> c) {
        if (c.size() != COLUMNS.size()) {
            throw new IllegalArgumentException("expected " + COLUMNS.size() + " cells, got " + c.size() + ": " + c);
        }
        return new Result(
                c.get(0),
                Integer.parseInt(c.get(1)),
                c.get(2),
                c.get(3),
                Integer.parseInt(c.get(4)),
                c.get(5),
                longOf(c.get(6)),
                doubleOf(c.get(7)),
                doubleOf(c.get(9)),
                doubleOf(c.get(10)),
                doubleOf(c.get(11)),
                longOf(c.get(12)),
                longOf(c.get(13)),
                longOf(c.get(15)),
                longOf(c.get(16)),
                doubleOf(c.get(18)),
                doubleOf(c.get(19)),
                doubleOf(c.get(20)));
    }

    static String count(long v) {
        return v < 0 ? "" : Long.toString(v);
    }

    static String fixed(double v, int decimals) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static long longOf(String s) {
        return s.isEmpty() ? -1 : Long.parseLong(s);
    }

    private static double doubleOf(String s) {
        return s.isEmpty() ? Double.NaN : Double.parseDouble(s);
    }
}
