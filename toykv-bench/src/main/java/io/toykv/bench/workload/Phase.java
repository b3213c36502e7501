package io.toykv.bench.workload;

import io.toykv.bench.metrics.Latencies;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs {@code ops} operations on {@code threads} threads (thread t takes operations t, t+T, t+2T...),
 * timing each, and prints progress every few seconds. The first failure stops every worker and is
 * rethrown.
 */
final class Phase {
    private static final long PROGRESS_NANOS = 5_000_000_000L;
    private static final int PROGRESS_BATCH = 4096;

    /** One operation; preparing keys and values happens in {@link #prepare}, outside the timed part. */
    interface Op {
        /** Builds the arguments of operation {@code i}; returns them. */
        Object prepare(long i);

        /** Performs the operation on what {@link #prepare} built. */
        void run(Object prepared) throws IOException;
    }

    /** Wall time and merged latencies of a finished phase. */
    record Outcome(long ops, double seconds, Latencies latencies) {}

    private Phase() {}

    static Outcome run(String label, long ops, int threads, Op op, PrintStream progress) throws IOException {
        LongAdder done = new LongAdder();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Latencies> perThread = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Latencies lat = new Latencies();
            perThread.add(lat);
            int first = t;
            workers.add(new Thread(
                    () -> {
                        try {
                            long batch = 0;
                            for (long i = first; i < ops && failure.get() == null; i += threads) {
                                Object args = op.prepare(i);
                                long t0 = System.nanoTime();
                                op.run(args);
                                lat.record(System.nanoTime() - t0);
                                if (++batch == PROGRESS_BATCH) {
                                    done.add(batch);
                                    batch = 0;
                                }
                            }
                            done.add(batch);
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    },
                    "bench-" + label + "-" + t));
        }
        long start = System.nanoTime();
        workers.forEach(Thread::start);
        long nextReport = start + PROGRESS_NANOS;
        for (Thread w : workers) {
            while (w.isAlive()) {
                try {
                    w.join(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted during " + label, e);
                }
                long now = System.nanoTime();
                if (now >= nextReport) {
                    long n = done.sum();
                    progress.printf(
                            Locale.ROOT,
                            "      %-12s %5.1f%% %,d ops, %,.0f ops/s so far%n",
                            label,
                            100.0 * n / ops,
                            n,
                            n / ((now - start) / 1e9));
                    nextReport = now + PROGRESS_NANOS;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        Throwable e = failure.get();
        if (e instanceof IOException io) {
            throw io;
        } else if (e instanceof RuntimeException re) {
            throw re;
        } else if (e instanceof Error err) {
            throw err;
        }
        Latencies merged = new Latencies();
        perThread.forEach(merged::merge);
        return new Outcome(ops, seconds, merged);
    }
}
