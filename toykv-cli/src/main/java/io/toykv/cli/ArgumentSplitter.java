package io.toykv.cli;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one input line into command words the way redis-cli does ({@code sdssplitargs}).
 *
 * <ul>
 *   <li>Words are separated by spaces, tabs, CR and LF; a blank line gives no words.</li>
 *   <li>{@code "..."} understands {@code \n \r \t \b \a \" \\} and {@code \xHH}; any other escaped
 *       character stands for itself.</li>
 *   <li>{@code '...'} understands only {@code \'}; every other byte is literal.</li>
 *   <li>A quote may start in the middle of a word ({@code ab"c d"} is {@code abc d}); a closing quote
 *       must be followed by a separator or the end of the line.</li>
 *   <li>An unclosed quote, or text glued after a closing quote, is an error.</li>
 * </ul>
 * Words are bytes: text is UTF-8 and {@code \xHH} can give any byte.
 */
final class ArgumentSplitter {

    /** The line cannot be split; the message is what redis-cli prints. */
    static final class InvalidArgumentsException extends Exception {
        private static final long serialVersionUID = 1L;

        InvalidArgumentsException() {
            super("Invalid argument(s)");
        }
    }

    private ArgumentSplitter() {}

    static List<byte[]> split(String line) throws InvalidArgumentsException {
        byte[] in = line.getBytes(StandardCharsets.UTF_8);
        List<byte[]> words = new ArrayList<>();
        int p = 0;
        int n = in.length;
        ByteArrayOutputStream word = new ByteArrayOutputStream();
        while (true) {
            while (p < n && isSpace(in[p])) {
                p++;
            }
            if (p == n) {
                return words;
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            word.reset();
            while (!done) {
                if (inDouble) {
                    if (p == n) {
                        throw new InvalidArgumentsException();
                    }
                    byte c = in[p];
                    if (c == '\\' && p + 3 < n && in[p + 1] == 'x' && isHex(in[p + 2]) && isHex(in[p + 3])) {
                        word.write(hex(in[p + 2]) * 16 + hex(in[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < n) {
                        p++;
                        word.write(unescape(in[p]));
                    } else if (c == '"') {
                        if (p + 1 < n && !isSpace(in[p + 1])) {
                            throw new InvalidArgumentsException();
                        }
                        done = true;
                    } else {
                        word.write(c);
                    }
                } else if (inSingle) {
                    if (p == n) {
                        throw new InvalidArgumentsException();
                    }
                    byte c = in[p];
                    if (c == '\\' && p + 1 < n && in[p + 1] == '\'') {
                        p++;
                        word.write('\'');
                    } else if (c == '\'') {
                        if (p + 1 < n && !isSpace(in[p + 1])) {
                            throw new InvalidArgumentsException();
                        }
                        done = true;
                    } else {
                        word.write(c);
                    }
                } else {
                    if (p == n) {
                        break;
                    }
                    byte c = in[p];
                    if (isSpace(c)) {
                        done = true;
                    } else if (c == '"') {
                        inDouble = true;
                    } else if (c == '\'') {
                        inSingle = true;
                    } else {
                        word.write(c);
                    }
                }
                if (p < n) {
                    p++;
                }
            }
            words.add(word.toByteArray());
        }
    }

    private static int unescape(byte c) {
        switch (c) {
            case 'n':
                return '\n';
            case 'r':
                return '\r';
            case 't':
                return '\t';
            case 'b':
                return '\b';
            case 'a':
                return 7;
            default:
                return c;
        }
    }

    private static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0b;
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
