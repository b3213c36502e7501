package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The arguments of {@code scan [START [END]] [LIMIT N]}: START inclusive, END exclusive, both optional;
 * a trailing {@code LIMIT N} (any case, N a positive integer) caps the number of pairs printed.
 */
record ScanRequest(byte[] start, byte[] end, long limit) {
    static final long NO_LIMIT = Long.MAX_VALUE;

    /**
     * Whether the words after {@code scan} are the server's {@code SCAN cursor [MATCH p] [COUNT n]
     * [TYPE t]}: a decimal cursor alone, or followed by one of those option names. {@code scan 0} is
     * what a Redis user types first; a range from key "0" is {@code scan 0 ""}.
     */
    static boolean isServerScan(List<byte[]> args) {
        if (args.isEmpty() || !isCursor(text(args.get(0)))) {
            return false;
        }
        if (args.size() == 1) {
            return true;
        }
        String option = text(args.get(1));
        return SERVER_OPTIONS.stream().anyMatch(option::equalsIgnoreCase);
    }

    private static final List<String> SERVER_OPTIONS = List.of("MATCH", "COUNT", "TYPE");

    private static boolean isCursor(String s) {
        return !s.isEmpty() && s.length() <= 20 && s.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /** Parses the words after {@code scan}; null when they do not fit the grammar. */
    static ScanRequest parse(List<byte[]> args) {
        long limit = NO_LIMIT;
        int positional = args.size();
        if (args.size() >= 2 && "limit".equalsIgnoreCase(text(args.get(args.size() - 2)))) {
            limit = parseLimit(text(args.get(args.size() - 1)));
            if (limit < 0) {
                return null;
            }
            positional -= 2;
        }
        if (positional > 2) {
            return null;
        }
        byte[] start = positional >= 1 ? args.get(0) : null;
        byte[] end = positional >= 2 ? args.get(1) : null;
        return new ScanRequest(start, end, limit);
    }

    private static long parseLimit(String s) {
        if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        long n = Long.parseLong(s);
        return n == 0 ? -1 : n;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
