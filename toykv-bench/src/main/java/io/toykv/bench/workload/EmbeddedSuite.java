package io.toykv.bench.workload;

import io.toykv.bench.engine.Durability;
import io.toykv.bench.engine.Engine;
import io.toykv.bench.engine.EngineKind;
import io.toykv.bench.metrics.DiskUsage;
import io.toykv.bench.metrics.HeapProbe;
import io.toykv.bench.metrics.Latencies;
import io.toykv.bench.metrics.ProcIo;
import io.toykv.bench.metrics.Result;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The embedded workloads against each engine in turn, on the same keys and values, each engine in a fresh
 * directory that is deleted afterwards. One call of {@link #run} is one engine, shape and thread count:
 * fillseq on a store of its own, then fillrandom, overwrite, readrandom, readmissing, seekrandom, fullscan,
 * reopen and deleterandom on a second store.
 *
 * <p>Space, memory and write amplification are taken at the reopen step: memory per key while the store is
 * open and full (after overwrite); then close and open again; then bytes on disk, and {@code write_bytes}
 * from before the first open until now over the bytes fillrandom and overwrite asked for. Measuring after
 * the reopen charges RocksDB for the memtable flush it does while recovering its WAL.
 */
public final class EmbeddedSuite {
    private static final String SUITE = "embedded";

    private final Path baseDir;
    private final long num;
    private final Durability durability;
    private final Set<Workload> workloads;
    private final PrintStream out;
    private volatile long sink;

    public EmbeddedSuite(Path baseDir, long num, Durability durability, Set<Workload> workloads, PrintStream out) {
        if (num < 1 || num > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("num must be between 1 and " + Integer.MAX_VALUE + ", was " + num);
        }
        this.baseDir = baseDir;
        this.num = num;
        this.durability = durability;
        this.workloads = EnumSet.copyOf(workloads);
        this.out = out;
    }

    /** Runs one engine, shape and thread count; hands each result to {@code results} as it is measured. */
    public void run(EngineKind kind, Shape shape, int threads, int rep, Consumer<Result> results) throws IOException {
        String tag = kind.label() + "-" + shape.name() + "-t" + threads + "-r" + rep;
        if (workloads.contains(Workload.FILLSEQ)) {
            Path dir = baseDir.resolve(tag + "-seq");
            try {
                runFillseq(kind, shape, threads, rep, dir, results);
            } finally {
                DiskUsage.deleteTree(dir);
            }
        }
        EnumSet<Workload> rest = EnumSet.copyOf(workloads);
        rest.remove(Workload.FILLSEQ);
        if (!rest.isEmpty()) {
            Path dir = baseDir.resolve(tag);
            try {
                runSequence(kind, shape, threads, rep, dir, rest, results);
            } finally {
                DiskUsage.deleteTree(dir);
            }
        }
    }

    private void runFillseq(EngineKind kind, Shape shape, int threads, int rep, Path dir, Consumer<Result> results)
            throws IOException {
        DiskUsage.deleteTree(dir);
        Files.createDirectories(dir);
        long io0 = ProcIo.writeBytes();
        Engine engine = kind.open(dir, durability);
        Result r;
        try {
            r = timedPuts(engine, Workload.FILLSEQ, null, kind, shape, threads, rep);
        } finally {
            engine.close();
        }
        r = r.withBytes(num * shape.pairBytes(), delta(io0))
                .withSpace(DiskUsage.allocatedBytes(dir), num * shape.pairBytes());
        report(r, results);
    }

    private void runSequence(
            EngineKind kind, Shape shape, int threads, int rep, Path dir, Set<Workload> todo, Consumer<Result> results)
            throws IOException {
        DiskUsage.deleteTree(dir);
        Files.createDirectories(dir);
        long heap0 = HeapProbe.settledHeapUsed();
        long direct0 = HeapProbe.directBufferBytes();
        long ioOpen = ProcIo.writeBytes();
        long userBytes = 0;
        Engine engine = kind.open(dir, durability);
        try {
            // fillrandom always runs: every later workload needs its data.
            long io0 = ProcIo.writeBytes();
            Result fill = timedPuts(
                    engine, Workload.FILLRANDOM, Keys.shuffled((int) num, Keys.FILL_SEED), kind, shape, threads, rep);
            userBytes += num * shape.pairBytes();
            report(fill.withBytes(num * shape.pairBytes(), delta(io0)), results);

            if (todo.contains(Workload.OVERWRITE)) {
                io0 = ProcIo.writeBytes();
                Result r = timedPuts(engine, Workload.OVERWRITE, order(Workload.OVERWRITE), kind, shape, threads, rep);
                userBytes += num * shape.pairBytes();
                report(r.withBytes(num * shape.pairBytes(), delta(io0)), results);
            }
            if (todo.contains(Workload.READRANDOM)) {
                report(readRandom(engine, kind, shape, threads, rep), results);
            }
            if (todo.contains(Workload.READMISSING)) {
                report(readMissing(engine, kind, shape, threads, rep), results);
            }
            if (todo.contains(Workload.SEEKRANDOM)) {
                report(seekRandom(engine, kind, shape, threads, rep), results);
            }
            if (todo.contains(Workload.FULLSCAN)) {
                report(fullScan(engine, kind, shape, threads, rep), results);
            }
            if (todo.contains(Workload.REOPEN)) {
                double heapPerKey = (double) Math.max(0, HeapProbe.settledHeapUsed() - heap0) / num;
                long offHeap = engine.offHeapBytes() + Math.max(0, HeapProbe.directBufferBytes() - direct0);
                long c0 = System.nanoTime();
                Engine closing = engine;
                engine = null;
                closing.close();
                long closeNanos = System.nanoTime() - c0;
                long o0 = System.nanoTime();
                engine = kind.open(dir, durability);
                double openMs = (System.nanoTime() - o0) / 1e6;
                checkPresent(engine, shape, Keys.shuffled((int) num, Keys.FILL_SEED)[0]);
                // After the reopen: RocksDB flushes the memtable it recovered from its WAL during open.
                long ioLifetime = delta(ioOpen);
                long disk = DiskUsage.allocatedBytes(dir);
                Result r = new Result(
                        SUITE,
                        rep,
                        kind.label(),
                        shape.name(),
                        threads,
                        Workload.REOPEN.label(),
                        -1,
                        openMs / 1000,
                        Double.NaN,
                        Double.NaN,
                        Double.NaN,
                        userBytes,
                        ioLifetime,
                        disk,
                        num * shape.pairBytes(),
                        heapPerKey,
                        (double) offHeap / num,
                        openMs);
                out.printf(Locale.ROOT, "      (close took %.1f ms)%n", closeNanos / 1e6);
                report(r, results);
            }
            if (todo.contains(Workload.DELETERANDOM)) {
                io0 = ProcIo.writeBytes();
                Result r = deleteRandom(engine, kind, shape, threads, rep);
                report(r.withBytes(num * shape.keySize(), delta(io0)), results);
            }
        } finally {
            if (engine != null) {
                engine.close();
            }
        }
    }

    private Result timedPuts(Engine engine, Workload w, int[] order, EngineKind kind, Shape shape, int threads, int rep)
            throws IOException {
        Phase.Outcome o = Phase.run(
                w.label(),
                num,
                threads,
                new Phase.Op() {
                    @Override
                    public Object prepare(long i) {
                        long id = order == null ? i : order[(int) i];
                        byte[] value = new byte[shape.valueSize()];
                        Values.fill(id, value);
                        return new byte[][] {Keys.key(id, shape.keySize()), value};
                    }

                    @Override
                    public void run(Object prepared) throws IOException {
                        byte[][] kv = (byte[][]) prepared;
                        engine.put(kv[0], kv[1]);
                    }
                },
                out);
        return timed(kind, shape, threads, rep, w, o);
    }

    private Result readRandom(Engine engine, EngineKind kind, Shape shape, int threads, int rep) throws IOException {
        int[] order = order(Workload.READRANDOM);
        Phase.Outcome o = Phase.run(
                Workload.READRANDOM.label(),
                num,
                threads,
                new Phase.Op() {
                    @Override
                    public Object prepare(long i) {
                        return Keys.key(order[(int) i], shape.keySize());
                    }

                    @Override
                    public void run(Object key) throws IOException {
                        byte[] k = (byte[]) key;
                        byte[] v = engine.get(k);
                        if (v == null
                                || v.length != shape.valueSize()
                                || !Arrays.equals(Keys.key(Values.idOf(v), shape.keySize()), k)) {
                            throw new IllegalStateException(kind.label() + " returned a wrong value for key "
                                    + new String(k, java.nio.charset.StandardCharsets.US_ASCII)
                                    + (v == null ? ": absent" : ": " + v.length + " bytes"));
                        }
                    }
                },
                out);
        return timed(kind, shape, threads, rep, Workload.READRANDOM, o);
    }

    private Result readMissing(Engine engine, EngineKind kind, Shape shape, int threads, int rep) throws IOException {
        int[] order = order(Workload.READMISSING);
        Phase.Outcome o = Phase.run(
                Workload.READMISSING.label(),
                num,
                threads,
                new Phase.Op() {
                    @Override
                    public Object prepare(long i) {
                        return Keys.key(num + order[(int) i], shape.keySize());
                    }

                    @Override
                    public void run(Object key) throws IOException {
                        if (engine.get((byte[]) key) != null) {
                            throw new IllegalStateException(kind.label() + " found a key that was never written");
                        }
                    }
                },
                out);
        return timed(kind, shape, threads, rep, Workload.READMISSING, o);
    }

    private Result seekRandom(Engine engine, EngineKind kind, Shape shape, int threads, int rep) throws IOException {
        int[] order = order(Workload.SEEKRANDOM);
        long seeks = Math.max(1, num / 10);
        Phase.Outcome o = Phase.run(
                Workload.SEEKRANDOM.label(),
                seeks,
                threads,
                new Phase.Op() {
                    @Override
                    public Object prepare(long i) {
                        return order[(int) i];
                    }

                    @Override
                    public void run(Object prepared) throws IOException {
                        int id = (Integer) prepared;
                        long[] bytes = new long[1];
                        int n = engine.scan(
                                Keys.key(id, shape.keySize()),
                                Workload.SHORT_SCAN,
                                (k, v) -> bytes[0] += k.length + v.length);
                        long expected = Math.min(Workload.SHORT_SCAN, num - id);
                        if (n != expected) {
                            throw new IllegalStateException(kind.label() + " scan from id " + id + " returned " + n
                                    + " entries, expected " + expected);
                        }
                        sink += bytes[0];
                    }
                },
                out);
        return timed(kind, shape, threads, rep, Workload.SEEKRANDOM, o);
    }

    /** One scan on one thread; the row carries the run's thread count so that it groups with its run. */
    private Result fullScan(Engine engine, EngineKind kind, Shape shape, int threads, int rep) throws IOException {
        long[] bytes = new long[1];
        long t0 = System.nanoTime();
        long n = engine.scanAll((k, v) -> bytes[0] += k.length + v.length);
        double seconds = (System.nanoTime() - t0) / 1e9;
        sink += bytes[0];
        if (n != num) {
            throw new IllegalStateException(kind.label() + " full scan returned " + n + " entries, expected " + num);
        }
        return Result.timed(
                SUITE,
                rep,
                kind.label(),
                shape.name(),
                threads,
                Workload.FULLSCAN.label(),
                n,
                seconds,
                new Latencies());
    }

    private Result deleteRandom(Engine engine, EngineKind kind, Shape shape, int threads, int rep) throws IOException {
        int[] order = order(Workload.DELETERANDOM);
        Phase.Outcome o = Phase.run(
                Workload.DELETERANDOM.label(),
                num,
                threads,
                new Phase.Op() {
                    @Override
                    public Object prepare(long i) {
                        return Keys.key(order[(int) i], shape.keySize());
                    }

                    @Override
                    public void run(Object key) throws IOException {
                        engine.delete((byte[]) key);
                    }
                },
                out);
        return timed(kind, shape, threads, rep, Workload.DELETERANDOM, o);
    }

    private void checkPresent(Engine engine, Shape shape, int id) throws IOException {
        byte[] v = engine.get(Keys.key(id, shape.keySize()));
        if (v == null || Values.idOf(v) != id) {
            throw new IllegalStateException("after reopen, key of id " + id + " is missing or wrong");
        }
    }

    private int[] order(Workload w) {
        return Keys.shuffled((int) num, w.seed());
    }

    private void report(Result r, Consumer<Result> results) {
        out.printf(
                Locale.ROOT,
                "    %-13s %-12s %12s ops/s  p50 %8s us  p99 %8s us  p99.9 %8s us%s%n",
                r.engine(),
                r.workload(),
                Double.isNaN(r.opsPerSec()) ? "-" : String.format(Locale.ROOT, "%,.0f", r.opsPerSec()),
                fmt(r.p50Us()),
                fmt(r.p99Us()),
                fmt(r.p999Us()),
                extras(r));
        results.accept(r);
    }

    private static String extras(Result r) {
        StringBuilder sb = new StringBuilder();
        if (!Double.isNaN(r.writeAmp())) {
            sb.append(String.format(Locale.ROOT, "  w-amp %.2f", r.writeAmp()));
        }
        if (!Double.isNaN(r.spaceAmp())) {
            sb.append(String.format(Locale.ROOT, "  s-amp %.2f", r.spaceAmp()));
        }
        if (!Double.isNaN(r.heapBytesPerKey())) {
            sb.append(String.format(
                    Locale.ROOT, "  heap/key %.0f  off-heap/key %.0f", r.heapBytesPerKey(), r.offHeapBytesPerKey()));
        }
        if (!Double.isNaN(r.reopenMs())) {
            sb.append(String.format(Locale.ROOT, "  reopen %.1f ms", r.reopenMs()));
        }
        return sb.toString();
    }

    private static String fmt(double us) {
        return Double.isNaN(us) ? "-" : String.format(Locale.ROOT, "%.2f", us);
    }

    private static long delta(long before) {
        long now = ProcIo.writeBytes();
        return before < 0 || now < 0 ? -1 : now - before;
    }

    /** Engines in the order repetition {@code rep} runs them: rotated each time so none always goes first. */
    public static List<EngineKind> rotation(List<EngineKind> engines, int rep) {
        List<EngineKind> r = new ArrayList<>(engines);
        java.util.Collections.rotate(r, -(rep - 1));
        return r;
    }

    /** The row of a timed phase of this suite. */
    private static Result timed(
            EngineKind kind, Shape shape, int threads, int rep, Workload workload, Phase.Outcome outcome) {
        return Result.timed(
                SUITE,
                rep,
                kind.label(),
                shape.name(),
                threads,
                workload.label(),
                outcome.ops(),
                outcome.seconds(),
                outcome.latencies());
    }
}
