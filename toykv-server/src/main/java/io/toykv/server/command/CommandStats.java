package io.toykv.server.command;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * INFO commandstats and errorstats: per command (with its subcommand, {@code client|list}, as Redis
 * names them) the calls, their total run time in microseconds, the calls refused before running
 * (arity, authentication) and the calls that ran and replied an error; per error code (the error's
 * first word, {@code ERR}, {@code WRONGPASS}) how many were replied; INFO latencystats: per command
 * the 50th, 99th and 99.9th percentiles of its run time ({@link LatencyHistogram}), as Redis's default
 * {@code latency-tracking-info-percentiles}. CONFIG RESETSTAT clears them all.
 */
final class CommandStats {
    /** Commands whose first argument names a subcommand, counted as {@code name|subcommand}. */
    private static final Set<String> CONTAINERS = Set.of("client", "command", "config", "object", "function");

    private static final class Counters {
        final LongAdder calls = new LongAdder();
        final LongAdder micros = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LatencyHistogram latency = new LatencyHistogram();
    }

    /** Redis's default latency-tracking-info-percentiles. */
    private static final double[] PERCENTILES = {50, 99, 99.9};

    private final Map<String, Counters> byCommand = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> byError = new ConcurrentHashMap<>();

    /** Redis's full name of a call: {@code get}, or {@code client|list} for a container's subcommand. */
    static String fullName(CommandSpec spec, List<byte[]> args) {
        if (CONTAINERS.contains(spec.name()) && args.size() > 1) {
            String sub = new String(args.get(1), StandardCharsets.UTF_8).toLowerCase(Locale.ROOT);
            if (sub.length() <= 32 && sub.chars().allMatch(ch -> ch >= 'a' && ch <= 'z' || ch == '-')) {
                return spec.name() + "|" + sub;
            }
        }
        return spec.name();
    }

    private Counters of(String name) {
        return byCommand.computeIfAbsent(name, n -> new Counters());
    }

    void ran(String name, long nanos, boolean failed) {
        Counters c = of(name);
        c.calls.increment();
        c.micros.add(nanos / 1000);
        c.latency.record(nanos);
        if (failed) {
            c.failed.increment();
        }
    }

    void rejected(String name) {
        of(name).rejected.increment();
    }

    void error(String text) {
        int space = text.indexOf(' ');
        String code = space < 0 ? text : text.substring(0, space);
        byError.computeIfAbsent(code, k -> new LongAdder()).increment();
    }

    void reset() {
        byCommand.clear();
        byError.clear();
    }

    /** INFO commandstats lines, by command name. */
    Map<String, Object> commandLines() {
        Map<String, Object> m = new TreeMap<>();
        byCommand.forEach((name, c) -> {
            long calls = c.calls.sum();
            long micros = c.micros.sum();
            String perCall = String.format(Locale.ROOT, "%.2f", calls == 0 ? 0.0 : (double) micros / calls);
            m.put(
                    "cmdstat_" + name,
                    "calls=" + calls + ",usec=" + micros + ",usec_per_call=" + perCall + ",rejected_calls="
                            + c.rejected.sum() + ",failed_calls=" + c.failed.sum());
        });
        return m;
    }

    /**
     * INFO latencystats lines, by command name: {@code latency_percentiles_usec_get:p50=1.003,p99=...}, in
     * microseconds with three decimals, as Redis prints them. Commands refused before running have none.
     */
    Map<String, Object> latencyLines() {
        Map<String, Object> m = new TreeMap<>();
        byCommand.forEach((name, c) -> {
            if (c.calls.sum() == 0) {
                return;
            }
            StringBuilder line = new StringBuilder();
            for (double p : PERCENTILES) {
                if (line.length() > 0) {
                    line.append(',');
                }
                String label = p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
                line.append('p').append(label).append('=');
                line.append(String.format(Locale.ROOT, "%.3f", c.latency.valueAt(p) / 1000.0));
            }
            m.put("latency_percentiles_usec_" + name, line.toString());
        });
        return m;
    }

    /** INFO errorstats lines, by error code. */
    Map<String, Object> errorLines() {
        Map<String, Object> m = new TreeMap<>();
        byError.forEach((code, n) -> m.put("errorstat_" + code, "count=" + n.sum()));
        return m;
    }
}
