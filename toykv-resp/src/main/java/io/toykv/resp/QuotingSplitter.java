package io.toykv.resp;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Splits a command line into words with Redis's quoting rules (its {@code sdssplitargs}, which both
 * redis-server's inline requests and redis-cli's typed lines go through):
 *
 * <ul>
 *   <li>Blanks before a word (space, tab, CR, LF, VT, FF) are skipped; a blank line gives no words.
 *   <li>An unquoted word ends at a space, tab, CR or LF; VT and FF inside a word belong to it.
 *   <li>{@code "..."} understands {@code \n \r \t \b \a} and {@code \xHH}; any other escaped byte stands
 *       for itself ({@code \" \\}). {@code '...'} understands only {@code \'}; every other byte is literal.
 *   <li>A quote may start in the middle of a word ({@code ab"c d"} is {@code abc d}); a closing quote must
 *       be followed by a blank or the end of the line.
 *   <li>A NUL byte ends the line: the words before it are the result and the bytes after it are ignored,
 *       so a NUL inside quotes leaves them unclosed. Redis reads the line as a C string, which ends there;
 *       doing the same keeps a line meaning what it means to Redis.
 *   <li>An unclosed quote, or text glued after a closing quote, is an {@link UnbalancedQuotesException}.
 * </ul>
 *
 * <p>Words are bytes: a {@code String} line is split as UTF-8, and {@code \xHH} can give any byte.
 */
public final class QuotingSplitter {

    /** The line has a quote left open, or text glued after a closing quote. */
    public static final class UnbalancedQuotesException extends Exception {
        private static final long serialVersionUID = 1L;

        UnbalancedQuotesException() {
            super("unbalanced quotes");
        }
    }

    private QuotingSplitter() {}

    /** Splits {@code line} as its UTF-8 bytes. */
    public static List<byte[]> split(String line) throws UnbalancedQuotesException {
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        return split(bytes, bytes.length);
    }

    /** Splits the first {@code length} bytes of {@code line}. */
    public static List<byte[]> split(byte[] line, int length) throws UnbalancedQuotesException {
        Objects.checkFromIndexSize(0, length, line.length);
        int end = textEnd(line, length);
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        int p = 0;
        while (true) {
            while (p < end && isBlank(line[p])) {
                p++;
            }
            if (p >= end) {
                return out;
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            current.reset();
            while (!done) {
                if (inDouble) {
                    if (p >= end) {
                        throw new UnbalancedQuotesException();
                    }
                    byte c = line[p];
                    if (c == '\\' && p + 3 < end && line[p + 1] == 'x' && isHex(line[p + 2]) && isHex(line[p + 3])) {
                        current.write(hex(line[p + 2]) * 16 + hex(line[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < end) {
                        p++;
                        current.write(unescape(line[p]));
                    } else if (c == '"') {
                        checkClosed(line, p + 1, end);
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else if (inSingle) {
                    if (p >= end) {
                        throw new UnbalancedQuotesException();
                    }
                    byte c = line[p];
                    if (c == '\\' && p + 1 < end && line[p + 1] == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        checkClosed(line, p + 1, end);
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else if (p >= end) {
                    done = true;
                } else {
                    byte c = line[p];
                    if (endsWord(c)) {
                        done = true;
                    } else if (c == '"') {
                        inDouble = true;
                    } else if (c == '\'') {
                        inSingle = true;
                    } else {
                        current.write(c);
                    }
                }
                if (p < end) {
                    p++;
                }
            }
            out.add(current.toByteArray());
        }
    }

    /** Where the text ends: at the first NUL, as the C string Redis splits does, else at {@code length}. */
    private static int textEnd(byte[] line, int length) {
        for (int i = 0; i < length; i++) {
            if (line[i] == 0) {
                return i;
            }
        }
        return length;
    }

    /** A closing quote must be followed by a blank or the end of the line. */
    private static void checkClosed(byte[] line, int next, int end) throws UnbalancedQuotesException {
        if (next < end && !isBlank(line[next])) {
            throw new UnbalancedQuotesException();
        }
    }

    private static int unescape(byte c) {
        return switch (c) {
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'b' -> '\b';
            case 'a' -> 7;
            default -> c;
        };
    }

    /** C's {@code isspace}: what is skipped between words and may follow a closing quote. */
    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    /** What ends an unquoted word: fewer bytes than {@link #isBlank}, as in Redis (VT and FF do not). */
    private static boolean endsWord(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
