package io.toykv.bench.ycsb;

import io.toykv.bench.engine.EngineKind;
import io.toykv.bench.metrics.Result;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import org.apache.htrace.core.HTraceConfiguration;
import org.apache.htrace.core.Tracer;
import site.ycsb.ClientThread;
import site.ycsb.DB;
import site.ycsb.DBWrapper;
import site.ycsb.Workload;
import site.ycsb.measurements.Measurements;
import site.ycsb.measurements.exporter.MeasurementsExporter;

/**
 * Runs one YCSB phase (load or transactions) in this JVM with YCSB's own classes: {@code CoreWorkload},
 * {@code ClientThread} and {@code DBWrapper}, which times every call, exactly as {@code site.ycsb.Client}
 * does. The difference from {@code Client}: several phases run in one JVM, so YCSB's measurement singleton
 * is cleared (by reflection) before each phase, and the figures are collected rather than printed.
 */
public final class YcsbRunner {
    private YcsbRunner() {}

    /** The standard workload file ({@code a} to {@code f}) from the resources. */
    public static Properties workload(String letter) throws IOException {
        Properties p = new Properties();
        try (InputStream in = YcsbRunner.class.getResourceAsStream("workload" + letter)) {
            if (in == null) {
                throw new IllegalArgumentException("no YCSB workload " + letter + " (a to f)");
            }
            p.load(in);
        }
        return p;
    }

    /** The binding class that runs {@code kind} through YCSB. */
    public static Class<? extends DB> binding(EngineKind kind) {
        return switch (kind) {
            case TOYKV -> ToykvClient.class;
            case ROCKSDB -> RocksDbClient.class;
            case ROCKSDB_BLOB -> RocksDbBlobClient.class;
        };
    }

    /**
     * Runs a phase: {@code transactions} false loads {@code recordcount} records, true runs
     * {@code operationcount} operations. Returns one row for the whole phase (throughput) and one per
     * operation type ({@code <label>:READ}...) with its share of the throughput and its latencies.
     */
    public static List<Result> runPhase(
            Properties props,
            EngineKind kind,
            boolean transactions,
            int threads,
            String label,
            int rep,
            PrintStream out)
            throws Exception {
        props.setProperty("measurementtype", "hdrhistogram");
        props.setProperty("hdrhistogram.percentiles", "50,99,99.9");
        resetMeasurements(props);
        Workload workload = (Workload) Class.forName(props.getProperty("workload"))
                .getDeclaredConstructor()
                .newInstance();
        workload.init(props);
        long total = Long.parseLong(props.getProperty(transactions ? "operationcount" : "recordcount"));
        Tracer tracer = new Tracer.Builder("YCSB " + kind.label())
                .conf(HTraceConfiguration.fromMap(Collections.emptyMap()))
                .build();
        CountDownLatch done = new CountDownLatch(threads);
        List<ClientThread> clients = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            DB db = binding(kind).getDeclaredConstructor().newInstance();
            db.setProperties(props);
            long share = total / threads + (t < total % threads ? 1 : 0);
            ClientThread c =
                    new ClientThread(new DBWrapper(db, tracer), transactions, workload, props, (int) share, -1, done);
            c.setThreadId(t);
            c.setThreadCount(threads);
            clients.add(c);
        }
        List<Thread> running = new ArrayList<>();
        long start = System.nanoTime();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(clients.get(t), "ycsb-" + label + "-" + t);
            th.start();
            running.add(th);
        }
        long next = start + 5_000_000_000L;
        for (Thread th : running) {
            while (th.isAlive()) {
                th.join(200);
                if (System.nanoTime() >= next) {
                    long n =
                            clients.stream().mapToLong(ClientThread::getOpsDone).sum();
                    out.printf(
                            Locale.ROOT,
                            "      %-14s %5.1f%% %,d ops, %,.0f ops/s so far%n",
                            label,
                            100.0 * n / total,
                            n,
                            n / ((System.nanoTime() - start) / 1e9));
                    next = System.nanoTime() + 5_000_000_000L;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        workload.cleanup();
        tracer.close();
        long ops = clients.stream().mapToLong(ClientThread::getOpsDone).sum();

        Capture capture = new Capture();
        Measurements.getMeasurements().exportMeasurements(capture);
        List<Result> rows = new ArrayList<>();
        String shape = "ycsb" + props.getProperty("fieldcount", "10") + "x" + props.getProperty("fieldlength", "100");
        rows.add(new Result(
                "ycsb",
                rep,
                kind.label(),
                shape,
                threads,
                label,
                ops,
                seconds,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                -1,
                -1,
                -1,
                -1,
                Double.NaN,
                Double.NaN,
                Double.NaN));
        for (Map.Entry<String, Map<String, Double>> e : capture.metrics.entrySet()) {
            String op = e.getKey();
            Map<String, Double> m = e.getValue();
            if (op.startsWith("CLEANUP")
                    || op.equals("OVERALL")
                    || !m.containsKey("Operations")
                    || m.get("Operations") == 0) {
                continue;
            }
            double errors = m.entrySet().stream()
                    .filter(x -> x.getKey().startsWith("Return=") && !x.getKey().equals("Return=OK"))
                    .mapToDouble(Map.Entry::getValue)
                    .sum();
            if (errors > 0 && !op.startsWith("READ-FAILED")) {
                out.printf(
                        Locale.ROOT,
                        "      WARNING: %s %s: %.0f operations did not return OK: %s%n",
                        kind.label(),
                        op,
                        errors,
                        m);
            }
            rows.add(new Result(
                    "ycsb",
                    rep,
                    kind.label(),
                    shape,
                    threads,
                    label + ":" + op,
                    Math.round(m.get("Operations")),
                    seconds,
                    percentile(m, 50),
                    percentile(m, 99),
                    percentile(m, 99.9),
                    -1,
                    -1,
                    -1,
                    -1,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN));
        }
        return rows;
    }

    /**
     * YCSB names a percentile by its ordinal ("50thPercentileLatency(us)", "99.9PercentileLatency(us)" or
     * similar): the number at the front is what counts.
     */
    static double percentile(Map<String, Double> metrics, double p) {
        for (Map.Entry<String, Double> e : metrics.entrySet()) {
            String k = e.getKey();
            int end = k.indexOf("PercentileLatency(us)");
            if (end > 0) {
                String number = k.substring(0, end).replaceAll("[^0-9.]", "");
                if (!number.isEmpty() && Double.parseDouble(number) == p) {
                    return e.getValue();
                }
            }
        }
        return Double.NaN;
    }

    /** YCSB keeps its measurements in a static singleton; each phase here starts a fresh one. */
    private static void resetMeasurements(Properties props) throws ReflectiveOperationException {
        Field singleton = Measurements.class.getDeclaredField("singleton");
        singleton.setAccessible(true);
        synchronized (Measurements.class) {
            singleton.set(null, null);
        }
        Measurements.setProperties(props);
    }

    /** Collects what YCSB exports, by operation ("READ") and metric ("99thPercentileLatency(us)"). */
    private static final class Capture implements MeasurementsExporter {
        final Map<String, Map<String, Double>> metrics = new TreeMap<>();

        @Override
        public void write(String metric, String measurement, int i) {
            write(metric, measurement, (double) i);
        }

        @Override
        public void write(String metric, String measurement, long i) {
            write(metric, measurement, (double) i);
        }

        @Override
        public void write(String metric, String measurement, double d) {
            metrics.computeIfAbsent(metric, k -> new TreeMap<>()).put(measurement, d);
        }

        @Override
        public void close() {}
    }
}
