package io.toykv.server.command;

import java.util.Arrays;

/**
 * Redis's glob-style patterns over bytes ({@code stringmatchlen}): {@code *} any run, {@code ?} one
 * byte, {@code [abc]} {@code [^abc]} {@code [a-z]} classes, and {@code \} to quote the next byte.
 * Matching backtracks only to the last {@code *}, so it is linear in practice and never recursive.
 */
final class Glob {
    private final byte[] pattern;

    Glob(byte[] pattern) {
        this.pattern = pattern;
    }

    boolean matches(byte[] s) {
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = -1;
        while (i < s.length) {
            if (p < pattern.length) {
                if (pattern[p] == '*') {
                    starP = p++;
                    starI = i;
                    continue;
                }
                int next = matchOne(p, s[i]);
                if (next >= 0) {
                    p = next;
                    i++;
                    continue;
                }
            }
            if (starP < 0) {
                return false;
            }
            p = starP + 1;
            i = ++starI;
        }
        while (p < pattern.length && pattern[p] == '*') {
            p++;
        }
        return p == pattern.length;
    }

    /** If the pattern element at {@code p} matches {@code c}, the index after it; else -1. */
    private int matchOne(int p, byte c) {
        byte pc = pattern[p];
        if (pc == '?') {
            return p + 1;
        }
        if (pc == '\\' && p + 1 < pattern.length) {
            return pattern[p + 1] == c ? p + 2 : -1;
        }
        if (pc != '[') {
            return pc == c ? p + 1 : -1;
        }
        p++;
        boolean not = p < pattern.length && pattern[p] == '^';
        if (not) {
            p++;
        }
        boolean match = false;
        int u = c & 0xff;
        while (p < pattern.length && pattern[p] != ']') {
            if (pattern[p] == '\\' && p + 1 < pattern.length) {
                p++;
                match |= pattern[p] == c;
                p++;
            } else if (p + 2 < pattern.length && pattern[p + 1] == '-' && pattern[p + 2] != ']') {
                int a = pattern[p] & 0xff;
                int b = pattern[p + 2] & 0xff;
                match |= u >= Math.min(a, b) && u <= Math.max(a, b);
                p += 3;
            } else {
                match |= pattern[p] == c;
                p++;
            }
        }
        // An unterminated class ends with the pattern, as in Redis.
        return match != not ? Math.min(p + 1, pattern.length) : -1;
    }

    /** The bytes every match starts with: the pattern up to its first special byte. */
    byte[] literalPrefix() {
        int n = 0;
        while (n < pattern.length && "*?[\\".indexOf(pattern[n]) < 0) {
            n++;
        }
        return Arrays.copyOf(pattern, n);
    }

    /** The smallest key greater than every key starting with {@code prefix}, or null if none. */
    static byte[] prefixEnd(byte[] prefix) {
        for (int i = prefix.length - 1; i >= 0; i--) {
            if (prefix[i] != (byte) 0xff) {
                byte[] end = Arrays.copyOf(prefix, i + 1);
                end[i]++;
                return end;
            }
        }
        return null;
    }
}
