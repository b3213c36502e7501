package io.toykv.server.command;

import java.util.ArrayList;
import java.util.List;

/**
 * LCS key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]: the longest common subsequence of two
 * values (a missing key is the empty string), by the textbook dynamic-programming table, walked back
 * from the end as Redis walks it, so that IDX lists the same matches in the same order (last first).
 * The table's 4 bytes per cell may use at most the longest value the store takes
 * ({@link Keyspace#maxValueSize()}, where Redis uses proto-max-bulk-len).
 */
final class LcsCommand {
    static final String LEN_AND_IDX = "ERR If you want both the length and indexes, please just use IDX.";
    static final String TABLE_TOO_LARGE =
            "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len";

    private final Keyspace keyspace;

    LcsCommand(Keyspace keyspace) {
        this.keyspace = keyspace;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "lcs", -3, false, false, "string", "7.0.0", "Finds the longest common substring.", this::lcs));
    }

    /** One contiguous match: positions in the first and the second value, inclusive. */
    private record Match(int aStart, int aEnd, int bStart, int bEnd) {
        int length() {
            return aEnd - aStart + 1;
        }
    }

    private void lcs(Call c) {
        boolean len = false;
        boolean idx = false;
        boolean withMatchLen = false;
        long minMatchLen = 0;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.upper(i);
            if (option.equals("IDX")) {
                idx = true;
            } else if (option.equals("LEN")) {
                len = true;
            } else if (option.equals("WITHMATCHLEN")) {
                withMatchLen = true;
            } else if (option.equals("MINMATCHLEN") && i + 1 < c.argc()) {
                minMatchLen = Math.max(0, c.longArg(++i));
            } else {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        if (len && idx) {
            throw new ReplyException(LEN_AND_IDX);
        }
        byte[] a = valueOrEmpty(c.arg(1));
        byte[] b = valueOrEmpty(c.arg(2));
        long cells = (long) (a.length + 1) * (b.length + 1);
        if (cells * Integer.BYTES > keyspace.maxValueSize()) {
            throw new ReplyException(TABLE_TOO_LARGE);
        }
        int[] table = table(a, b);
        int width = b.length + 1;
        int length = table[a.length * width + b.length];
        if (len) {
            c.out().integer(length);
            return;
        }
        byte[] common = new byte[length];
        List<Match> matches = walkBack(a, b, table, common, minMatchLen);
        if (!idx) {
            c.out().bulk(common);
            return;
        }
        c.out().mapHeader(2);
        c.out().bulk("matches");
        c.out().arrayHeader(matches.size());
        for (Match m : matches) {
            c.out().arrayHeader(withMatchLen ? 3 : 2);
            c.out().arrayHeader(2).integer(m.aStart()).integer(m.aEnd());
            c.out().arrayHeader(2).integer(m.bStart()).integer(m.bEnd());
            if (withMatchLen) {
                c.out().integer(m.length());
            }
        }
        c.out().bulk("len");
        c.out().integer(length);
    }

    private byte[] valueOrEmpty(byte[] key) {
        byte[] value = keyspace.get(key);
        return value == null ? new byte[0] : value;
    }

    /** table[i * (b.length + 1) + j]: the LCS length of a[0..i) and b[0..j). */
    private static int[] table(byte[] a, byte[] b) {
        int width = b.length + 1;
        int[] t = new int[(a.length + 1) * width];
        for (int i = 1; i <= a.length; i++) {
            for (int j = 1; j <= b.length; j++) {
                t[i * width + j] = a[i - 1] == b[j - 1]
                        ? t[(i - 1) * width + j - 1] + 1
                        : Math.max(t[(i - 1) * width + j], t[i * width + j - 1]);
            }
        }
        return t;
    }

    /**
     * Fills {@code common} from its end and returns the contiguous matches of at least
     * {@code minMatchLen} bytes, last first, as Redis emits them.
     */
    private static List<Match> walkBack(byte[] a, byte[] b, int[] t, byte[] common, long minMatchLen) {
        int width = b.length + 1;
        List<Match> matches = new ArrayList<>();
        int filled = common.length;
        int i = a.length;
        int j = b.length;
        int aStart = -1; // -1: no match being tracked
        int aEnd = 0;
        int bStart = 0;
        int bEnd = 0;
        while (i > 0 && j > 0) {
            boolean emit = false;
            if (a[i - 1] == b[j - 1]) {
                common[--filled] = a[i - 1];
                if (aStart < 0) {
                    aStart = i - 1;
                    aEnd = i - 1;
                    bStart = j - 1;
                    bEnd = j - 1;
                } else if (aStart == i && bStart == j) {
                    aStart--; // the match goes on backward
                    bStart--;
                } else {
                    emit = true;
                }
                if (aStart == 0 || bStart == 0) {
                    emit = true;
                }
                i--;
                j--;
            } else {
                if (t[(i - 1) * width + j] > t[i * width + j - 1]) {
                    i--;
                } else {
                    j--;
                }
                if (aStart >= 0) {
                    emit = true;
                }
            }
            if (emit) {
                Match m = new Match(aStart, aEnd, bStart, bEnd);
                if (minMatchLen == 0 || m.length() >= minMatchLen) {
                    matches.add(m);
                }
                aStart = -1;
            }
        }
        return matches;
    }
}
