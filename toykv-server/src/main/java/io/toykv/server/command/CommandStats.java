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
 * first word, {@code ERR}, {@code WRONGPASS}) how many were replied. CONFIG RESETSTAT clears both.
 */
final class CommandStats {
    /** Commands whose first argument names a subcommand, counted as {@code name|subcommand}. */
    private static final Set<String> CONTAINERS = Set.of("client", "command", "config", "object", "function");

    private static final class Counters {
        final LongAdder calls = new LongAdder();
        final LongAdder micros = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final LongAdder failed = new LongAdder();
    }

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

    /** INFO errorstats lines, by error code. */
    Map<String, Object> errorLines() {
        Map<String, Object> m = new TreeMap<>();
        byError.forEach((code, n) -> m.put("errorstat_" + code, "count=" + n.sum()));
        return m;
    }
}
