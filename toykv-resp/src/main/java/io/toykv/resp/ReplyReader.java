package io.toykv.resp;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads replies off a server's byte stream, one {@link Reply} per call, blocking until it is whole.
 *
 * <p>Every header is checked digit by digit and every line end must be CRLF before anything is
 * allocated; a length over one of the limits below is refused before the bytes are read. A broken
 * stream is a {@link MalformedReplyException}; an end of stream is a {@link ServerClosedException} between
 * replies and a plain {@link EOFException} inside one.
 */
public final class ReplyReader {
    /** Largest bulk string accepted (Redis's own proto-max-bulk-len default). */
    public static final int MAX_BULK_LENGTH = 512 * 1024 * 1024;
    /** Largest number of items in one array, set or map. */
    public static final int MAX_AGGREGATE_LENGTH = 64 * 1024 * 1024;
    /** Longest simple line: status, error, integer or number text. */
    public static final int MAX_LINE_LENGTH = 64 * 1024;
    /** Deepest nesting of arrays in arrays. */
    public static final int MAX_DEPTH = 64;

    private static final int BUFFER_SIZE = 64 * 1024;

    private final InputStream in;
    private final byte[] buf = new byte[BUFFER_SIZE];
    private int pos;
    private int limit;
    /** While {@link #readRaw} runs: the reply's bytes that left the buffer, and where the rest starts. */
    private ByteArrayOutputStream raw;

    private int rawFrom;

    public ReplyReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /** Reads the next whole reply. */
    public Reply read() throws IOException {
        if (pos == limit && !fill()) {
            throw new ServerClosedException();
        }
        return read(0);
    }

    /**
     * Reads the next whole reply, checked as {@link #read()} checks it, and returns its bytes as the
     * server sent them (an attribute with the reply it describes): for tests that compare golden bytes.
     */
    public byte[] readRaw() throws IOException {
        if (pos == limit && !fill()) {
            throw new ServerClosedException();
        }
        raw = new ByteArrayOutputStream();
        rawFrom = pos;
        try {
            read(0);
            raw.write(buf, rawFrom, pos - rawFrom);
            return raw.toByteArray();
        } finally {
            raw = null;
        }
    }

    private Reply read(int depth) throws IOException {
        int type = next();
        switch (type) {
            case '+':
                return new Reply.Status(readLineText());
            case '-':
                return new Reply.Error(readLineText());
            case ':':
                return new Reply.Int(readLong(Long.MIN_VALUE, Long.MAX_VALUE, "integer"));
            case '$': {
                int n = readLength(MAX_BULK_LENGTH, "bulk string");
                return n < 0 ? Reply.Nil.NIL : new Reply.Bulk(readPayload(n));
            }
            case '*':
            case '~':
            case '>': {
                int n = readLength(MAX_AGGREGATE_LENGTH, "array");
                return n < 0 ? Reply.Nil.NIL : new Reply.Array(readItems(n, depth));
            }
            case '%': {
                int n = readLength(MAX_AGGREGATE_LENGTH / 2, "map");
                return n < 0 ? Reply.Nil.NIL : new Reply.Map(readItems(2 * n, depth));
            }
            case '_':
                expectCrlf();
                return Reply.Nil.NIL;
            case '#': {
                int b = next();
                if (b != 't' && b != 'f') {
                    throw new MalformedReplyException("boolean must be t or f, got " + describe(b));
                }
                expectCrlf();
                return new Reply.Bool(b == 't');
            }
            case ',':
                return new Reply.Number(readLineText(), false);
            case '(':
                return new Reply.Number(readLineText(), true);
            case '=': {
                int n = readLength(MAX_BULK_LENGTH, "verbatim string");
                if (n < 4 && n >= 0) {
                    throw new MalformedReplyException("verbatim string shorter than its format prefix: " + n);
                }
                if (n < 0) {
                    return Reply.Nil.NIL;
                }
                byte[] all = readPayload(n);
                byte[] text = new byte[n - 4];
                System.arraycopy(all, 4, text, 0, text.length);
                return new Reply.Bulk(text);
            }
            case '!': {
                int n = readLength(MAX_BULK_LENGTH, "blob error");
                return n < 0 ? Reply.Nil.NIL : new Reply.Error(new String(readPayload(n), StandardCharsets.UTF_8));
            }
            case '|': {
                // Attributes describe the reply that follows; this client shows only the reply.
                int n = readLength(MAX_AGGREGATE_LENGTH / 2, "attribute");
                readItems(2 * Math.max(n, 0), depth);
                return read(depth);
            }
            default:
                throw new MalformedReplyException("unexpected reply type " + describe(type));
        }
    }

    private List<Reply> readItems(int n, int depth) throws IOException {
        if (depth + 1 > MAX_DEPTH) {
            throw new MalformedReplyException("replies nested deeper than " + MAX_DEPTH);
        }
        // Grow as items arrive: the header alone is no reason to allocate n slots.
        List<Reply> items = new ArrayList<>(Math.min(n, 1024));
        for (int i = 0; i < n; i++) {
            items.add(read(depth + 1));
        }
        return items;
    }

    /** Reads a length header: -1 (nil) or 0..max. */
    private int readLength(int max, String what) throws IOException {
        long n = readLong(-1, max, what + " length");
        return (int) n;
    }

    /** Reads a signed decimal up to CRLF, checking every digit and the range. */
    private long readLong(long min, long max, String what) throws IOException {
        int b = next();
        boolean negative = b == '-';
        if (negative) {
            b = next();
        }
        if (b < '0' || b > '9') {
            throw new MalformedReplyException(what + ": expected a digit, got " + describe(b));
        }
        long value = 0;
        int digits = 0;
        while (b >= '0' && b <= '9') {
            if (++digits > 19) {
                throw new MalformedReplyException(what + ": more than 19 digits");
            }
            int d = b - '0';
            // Accumulate negatively so that Long.MIN_VALUE fits.
            if (value < (Long.MIN_VALUE + d) / 10) {
                throw new MalformedReplyException(what + ": out of range");
            }
            value = value * 10 - d;
            b = next();
        }
        if (b != '\r') {
            throw new MalformedReplyException(what + ": expected CR after the digits, got " + describe(b));
        }
        expectLf();
        if (!negative) {
            if (value == Long.MIN_VALUE) {
                throw new MalformedReplyException(what + ": out of range");
            }
            value = -value;
        }
        if (value < min || value > max) {
            throw new MalformedReplyException(what + " " + value + " outside [" + min + ", " + max + "]");
        }
        return value;
    }

    private String readLineText() throws IOException {
        int start = pos;
        // Fast path: the whole line is already buffered.
        for (int i = start; i < limit; i++) {
            byte b = buf[i];
            if (b == '\r') {
                if (i - start > MAX_LINE_LENGTH) {
                    break;
                }
                String text = new String(buf, start, i - start, StandardCharsets.UTF_8);
                pos = i + 1;
                expectLf();
                return text;
            }
            if (b == '\n') {
                throw new MalformedReplyException("bare LF inside a line");
            }
        }
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = next();
            if (b == '\r') {
                expectLf();
                return line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                throw new MalformedReplyException("bare LF inside a line");
            }
            if (line.size() >= MAX_LINE_LENGTH) {
                throw new MalformedReplyException("line longer than " + MAX_LINE_LENGTH + " bytes");
            }
            line.write(b);
        }
    }

    private byte[] readPayload(int n) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            if (pos == limit && !fill()) {
                throw midReply();
            }
            int chunk = Math.min(n - done, limit - pos);
            System.arraycopy(buf, pos, out, done, chunk);
            pos += chunk;
            done += chunk;
        }
        expectCrlf();
        return out;
    }

    private void expectCrlf() throws IOException {
        int b = next();
        if (b != '\r') {
            throw new MalformedReplyException("expected CR, got " + describe(b));
        }
        expectLf();
    }

    private void expectLf() throws IOException {
        int b = next();
        if (b != '\n') {
            throw new MalformedReplyException("expected LF after CR, got " + describe(b));
        }
    }

    private int next() throws IOException {
        if (pos == limit && !fill()) {
            throw midReply();
        }
        return buf[pos++] & 0xff;
    }

    private boolean fill() throws IOException {
        if (raw != null) {
            raw.write(buf, rawFrom, limit - rawFrom);
            rawFrom = 0;
        }
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private static EOFException midReply() {
        return new EOFException("Server closed the connection in the middle of a reply");
    }

    private static String describe(int b) {
        return b >= 0x21 && b < 0x7f ? "'" + (char) b + "'" : String.format("0x%02x", b);
    }
}
