package io.toykv.server;

import java.util.Locale;

/**
 * Memory sizes as Redis's configuration writes them: {@code 1048576}, {@code 1k} (1000),
 * {@code 1kb} (1024), {@code 256mb}, {@code 2gb}; and, where a share of the heap makes sense,
 * {@code 25%}.
 */
final class Sizes {
    private Sizes() {}

    /** Bytes for {@code text}; {@code percentOf} is what a percentage is of (0: none allowed). */
    static long parse(String text, long percentOf) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("%")) {
            if (percentOf <= 0) {
                throw new IllegalArgumentException("a percentage is not allowed here: " + text);
            }
            long percent = number(t.substring(0, t.length() - 1), text);
            if (percent < 1 || percent > 100) {
                throw new IllegalArgumentException("percentage must be 1% to 100%, was " + text);
            }
            return (long) (percentOf * (percent / 100.0));
        }
        long unit = 1;
        String[][] units = {
            {"kb", "1024"},
            {"mb", "1048576"},
            {"gb", "1073741824"},
            {"k", "1000"},
            {"m", "1000000"},
            {"g", "1000000000"},
            {"b", "1"}
        };
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        long n = number(t, text);
        if (n > Long.MAX_VALUE / unit) {
            throw new IllegalArgumentException("too large: " + text);
        }
        return n * unit;
    }

    private static long number(String digits, String text) {
        if (digits.isEmpty() || !digits.chars().allMatch(Character::isDigit) || digits.length() > 18) {
            throw new IllegalArgumentException("not a size (e.g. 1048576, 64mb, 1gb): " + text);
        }
        return Long.parseLong(digits);
    }
}
