package io.toykv.cli;

import io.toykv.cli.resp.ServerConnection;
import io.toykv.resp.Reply;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The modes that watch a server rather than run a command, as redis-cli's: {@code --latency} (PING
 * round trips), {@code --stat} (a line of INFO figures per interval) and {@code --bigkeys} (the largest
 * values, by SCAN and STRLEN). The first two write through a {@link ReportLine} (one line refreshed in
 * place on a terminal, a line per report on a pipe) and run for {@code reports} reports (-1: until
 * Ctrl-C, which ends the process); --bigkeys writes its report once.
 */
final class Monitors {
    /** Pause between PINGs of --latency, as redis-cli's. */
    static final int LATENCY_SAMPLE_MILLIS = 10;
    /** --stat repeats its column titles every this many lines. */
    static final int STAT_TITLE_EVERY = 20;
    /** --bigkeys lists this many keys. */
    static final int BIGKEYS_TOP = 10;
    /** Keys asked for per SCAN page by --bigkeys; their STRLENs go in one pipelined batch. */
    static final int BIGKEYS_PAGE = 1000;

    private static final List<byte[]> PING = List.of(ascii("PING"));
    private static final List<byte[]> INFO = List.of(ascii("INFO"));

    private final ServerConnection connection;
    private final OutputStream out;
    private final boolean terminal;

    /** {@code terminal}: whether reports refresh one line in place ({@link ReportLine}). */
    Monitors(ServerConnection connection, OutputStream out, boolean terminal) {
        this.connection = connection;
        this.out = out;
        this.terminal = terminal;
    }

    /** One latency report: milliseconds, and how many PINGs so far. */
    record Latency(double min, double max, double avg, long samples) {
        String line() {
            return String.format(Locale.ROOT, "min: %.2f, max: %.2f, avg: %.2f (%d samples)", min, max, avg, samples);
        }
    }

    /** PINGs every {@link #LATENCY_SAMPLE_MILLIS}; every {@code intervalMillis} a line of the figures so far (ms). */
    void latency(long reports, long intervalMillis) throws IOException, KeyScanner.ScanException {
        double min = Double.MAX_VALUE;
        double max = 0;
        double total = 0;
        long samples = 0;
        try (ReportLine lines = new ReportLine(out, terminal)) {
            for (long report = 0; reports < 0 || report < reports; report++) {
                long until = System.nanoTime() + intervalMillis * 1_000_000;
                do {
                    long started = System.nanoTime();
                    Reply reply = connection.call(PING);
                    double millis = (System.nanoTime() - started) / 1e6;
                    if (reply instanceof Reply.Error e) {
                        throw new KeyScanner.ScanException(e.message());
                    }
                    min = Math.min(min, millis);
                    max = Math.max(max, millis);
                    total += millis;
                    samples++;
                    sleep(LATENCY_SAMPLE_MILLIS);
                } while (System.nanoTime() < until);
                lines.report(new Latency(min, max, total / samples, samples).line());
            }
        }
    }

    /** A line of INFO figures every {@code intervalMillis}, titles first and every {@link #STAT_TITLE_EVERY} lines. */
    void stat(long reports, long intervalMillis) throws IOException, KeyScanner.ScanException {
        Map<String, String> previous = null;
        try (ReportLine lines = new ReportLine(out, terminal)) {
            for (long report = 0; reports < 0 || report < reports; report++) {
                if (report > 0) {
                    sleep(intervalMillis);
                }
                Reply reply = connection.call(INFO);
                if (!(reply instanceof Reply.Bulk b)) {
                    throw new KeyScanner.ScanException("unexpected reply to INFO: " + reply);
                }
                Map<String, String> info = parseInfo(new String(b.bytes(), StandardCharsets.UTF_8));
                if (report % STAT_TITLE_EVERY == 0) {
                    lines.title(STAT_TITLES);
                }
                lines.report(statLine(info, previous));
                previous = info;
            }
        }
    }

    static final String STAT_TITLES = String.format(
            Locale.ROOT, "%-10s %-10s %-8s %-22s %s", "keys", "data", "clients", "requests", "connections");

    /** One --stat line; the requests column adds the change since {@code previous} when there is one. */
    static String statLine(Map<String, String> info, Map<String, String> previous) {
        long data = number(info, "keys_log_bytes") + number(info, "values_log_bytes");
        String requests = info.getOrDefault("total_commands_processed", "-");
        if (previous != null && previous.containsKey("total_commands_processed")) {
            requests += " (+"
                    + (number(info, "total_commands_processed") - number(previous, "total_commands_processed")) + ")";
        }
        return String.format(
                Locale.ROOT,
                "%-10s %-10s %-8s %-22s %s",
                info.getOrDefault("live_keys", keysOfDb0(info)),
                humanBytes(data),
                info.getOrDefault("connected_clients", "-"),
                requests,
                info.getOrDefault("total_connections_received", "-"));
    }

    /** {@code name:value} lines of an INFO report; section titles and blank lines skipped. */
    static Map<String, String> parseInfo(String report) {
        Map<String, String> fields = new HashMap<>();
        for (String line : report.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (!line.startsWith("#") && colon > 0) {
                fields.putIfAbsent(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return fields;
    }

    private static String keysOfDb0(Map<String, String> info) {
        String db0 = info.getOrDefault("db0", "");
        for (String part : db0.split(",")) {
            if (part.startsWith("keys=")) {
                return part.substring(5);
            }
        }
        return "-";
    }

    private static long number(Map<String, String> info, String name) {
        try {
            return Long.parseLong(info.getOrDefault(name, "0").trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Bytes as redis-cli shows memory: 512B, 4.00K, 1.50M, 2.00G. */
    static String humanBytes(long bytes) {
        if (bytes < 1024) {
            return bytes + "B";
        }
        String[] units = {"K", "M", "G", "T"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.2f%s", value, units[unit]);
    }

    /** One key and the length of its value. */
    record Sized(byte[] key, long bytes) {}

    /** SCANs every key, asks STRLEN of each page's keys in one pipelined batch, prints the largest. */
    void bigKeys() throws IOException, KeyScanner.ScanException {
        PriorityQueue<Sized> top = new PriorityQueue<>(Comparator.comparingLong(Sized::bytes));
        long keys = 0;
        long total = 0;
        String cursor = "0";
        do {
            Reply reply = connection.call(KeyScanner.scanCommand(cursor, null, BIGKEYS_PAGE));
            if (!(reply instanceof Reply.Array page)
                    || page.items().size() != 2
                    || !(page.items().get(0) instanceof Reply.Bulk next)
                    || !(page.items().get(1) instanceof Reply.Array found)) {
                throw new KeyScanner.ScanException(
                        reply instanceof Reply.Error e ? e.message() : "unexpected reply to SCAN: " + reply);
            }
            List<byte[]> pageKeys = new ArrayList<>();
            for (Reply key : found.items()) {
                if (key instanceof Reply.Bulk b) {
                    pageKeys.add(b.bytes());
                    connection.send(List.of(ascii("STRLEN"), b.bytes()));
                }
            }
            connection.flush();
            for (byte[] key : pageKeys) {
                // A key deleted since the SCAN page has length 0 and stays out of the way.
                if (connection.read() instanceof Reply.Int length) {
                    keys++;
                    total += length.value();
                    top.add(new Sized(key, length.value()));
                    if (top.size() > BIGKEYS_TOP) {
                        top.poll();
                    }
                }
            }
            cursor = new String(next.bytes(), StandardCharsets.US_ASCII);
        } while (!cursor.equals("0"));
        List<Sized> largest = new ArrayList<>(top);
        largest.sort(Comparator.comparingLong(Sized::bytes).reversed());
        writeLine(bigKeysReport(keys, total, largest));
    }

    /** The --bigkeys report, without its final newline. */
    static String bigKeysReport(long keys, long total, List<Sized> largest) {
        StringBuilder text = new StringBuilder(
                String.format(Locale.ROOT, "%d keys, %s of values; the largest:", keys, humanBytes(total)));
        int width =
                largest.isEmpty() ? 0 : Long.toString(largest.get(0).bytes()).length();
        for (Sized s : largest) {
            text.append(String.format(
                    Locale.ROOT, "\n  %" + width + "d  %s", s.bytes(), CommandCompleter.typedForm(s.key())));
        }
        return text.toString();
    }

    private void writeLine(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Sleeps; an interrupt (nothing here interrupts) is kept and ends the run. */
    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
