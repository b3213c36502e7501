package io.toykv.resp;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an inline command line into arguments with Redis's quoting rules ({@code sdssplitargs}):
 * arguments are separated by white space; {@code "..."} understands {@code \n \r \t \b \a \\ \"} and
 * {@code \xHH}; {@code '...'} understands only {@code \'}; a closing quote must be followed by white
 * space or the end of the line. A quote left open, or text glued after a closing quote, is the protocol
 * error {@code unbalanced quotes in request}.
 */
public final class QuotingSplitter {

    private QuotingSplitter() {}

    public static List<byte[]> split(byte[] line, int length) throws ProtocolException {
        List<byte[]> out = new ArrayList<>();
        ByteArrayOutputStream current = new ByteArrayOutputStream();
        int p = 0;
        while (true) {
            while (p < length && isSpace(line[p])) {
                p++;
            }
            if (p >= length) {
                return out;
            }
            boolean inDouble = false;
            boolean inSingle = false;
            boolean done = false;
            current.reset();
            while (!done) {
                if (inDouble) {
                    if (p >= length) {
                        throw unbalanced();
                    }
                    byte c = line[p];
                    if (c == '\\' && p + 3 < length && line[p + 1] == 'x' && isHex(line[p + 2]) && isHex(line[p + 3])) {
                        current.write(hex(line[p + 2]) * 16 + hex(line[p + 3]));
                        p += 3;
                    } else if (c == '\\' && p + 1 < length) {
                        p++;
                        current.write(
                                switch (line[p]) {
                                    case 'n' -> '\n';
                                    case 'r' -> '\r';
                                    case 't' -> '\t';
                                    case 'b' -> '\b';
                                    case 'a' -> 7;
                                    default -> line[p];
                                });
                    } else if (c == '"') {
                        if (p + 1 < length && !isSpace(line[p + 1])) {
                            throw unbalanced();
                        }
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else if (inSingle) {
                    if (p >= length) {
                        throw unbalanced();
                    }
                    byte c = line[p];
                    if (c == '\\' && p + 1 < length && line[p + 1] == '\'') {
                        p++;
                        current.write('\'');
                    } else if (c == '\'') {
                        if (p + 1 < length && !isSpace(line[p + 1])) {
                            throw unbalanced();
                        }
                        done = true;
                    } else {
                        current.write(c);
                    }
                } else {
                    if (p >= length) {
                        done = true;
                    } else {
                        byte c = line[p];
                        if (isSpace(c) || c == 0) {
                            done = true;
                        } else if (c == '"') {
                            inDouble = true;
                        } else if (c == '\'') {
                            inSingle = true;
                        } else {
                            current.write(c);
                        }
                    }
                }
                if (p < length) {
                    p++;
                }
            }
            out.add(current.toByteArray());
        }
    }

    private static ProtocolException unbalanced() {
        return new ProtocolException("unbalanced quotes in request");
    }

    static boolean isSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static boolean isHex(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static int hex(byte c) {
        return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    }
}
