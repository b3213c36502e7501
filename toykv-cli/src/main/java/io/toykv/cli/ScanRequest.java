package io.toykv.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The arguments of {@code scan [START [END]] [LIMIT N]}: START inclusive, END exclusive, both optional;
 * a trailing {@code LIMIT N} (any case, N a positive integer) caps the number of pairs printed.
 */
record ScanRequest(byte[] start, byte[] end, long limit) {
    static final long NO_LIMIT = Long.MAX_VALUE;

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
