package io.toykv.resp;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes replies into a growable buffer, in RESP2 or RESP3.
 *
 * <p>Types that RESP2 lacks fall back the way Redis does: a map becomes an array of 2n elements, null
 * becomes {@code $-1} (or {@code *-1} for a null array), a verbatim string becomes a bulk string.
 */
public final class ReplyWriter {
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] NULL_BULK_2 = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_ARRAY_2 = "*-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL_3 = "_\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] OK = "+OK\r\n".getBytes(StandardCharsets.US_ASCII);

    /** The largest buffer kept once emptied, for the next replies (counted while kept). */
    static final int KEPT_CAPACITY = 64 * 1024;

    private final BufferBudget budget;
    private final int initialCapacity;
    private byte[] buf;
    private int size;
    private int protocol = 2;
    /** Bytes of {@link #buf} reserved from the budget: its growth past the initial capacity. */
    private long charged;

    public ReplyWriter() {
        this(256);
    }

    public ReplyWriter(int initialCapacity) {
        this(initialCapacity, BufferBudget.UNLIMITED);
    }

    /**
     * A writer whose buffer, past {@code initialCapacity}, grows only as far as {@code budget} grants:
     * a reply that would pass it throws {@link BufferLimitException} before the memory is allocated.
     */
    public ReplyWriter(int initialCapacity, BufferBudget budget) {
        this.initialCapacity = Math.max(16, initialCapacity);
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
        buf = new byte[this.initialCapacity];
    }

    /** Bytes of the buffer reserved from the budget. */
    public long chargedBytes() {
        return charged;
    }

    /** 2 or 3: the protocol replies are written in from now on. */
    public void protocol(int protocol) {
        if (protocol != 2 && protocol != 3) {
            throw new IllegalArgumentException("protocol must be 2 or 3, was " + protocol);
        }
        this.protocol = protocol;
    }

    public int protocol() {
        return protocol;
    }

    public ReplyWriter ok() {
        return raw(OK);
    }

    /** {@code +text}; CR and LF in the text become spaces. */
    public ReplyWriter simple(String text) {
        put('+');
        putSanitized(text);
        return raw(CRLF);
    }

    /** {@code -text}, text starting with the error code ({@code ERR ...}); CR and LF become spaces. */
    public ReplyWriter error(String text) {
        put('-');
        putSanitized(text);
        return raw(CRLF);
    }

    public ReplyWriter integer(long value) {
        put(':');
        putDecimal(value);
        return raw(CRLF);
    }

    /** A bulk string, or null for {@code value == null}. */
    public ReplyWriter bulk(byte[] value) {
        if (value == null) {
            return nullBulk();
        }
        if (value.length >= LARGE_BULK) {
            // Grown once to fit it: the doubling that suits small replies would take twice a large
            // value's size (a GET of the largest value would pass an output limit sized for it).
            ensureExactly(BULK_FRAMING + value.length + EXACT_SLACK);
        }
        put('$');
        putDecimal(value.length);
        raw(CRLF);
        raw(value);
        return raw(CRLF);
    }

    public ReplyWriter bulk(String value) {
        return bulk(value == null ? null : value.getBytes(StandardCharsets.UTF_8));
    }

    public ReplyWriter nullBulk() {
        return raw(protocol == 3 ? NULL_3 : NULL_BULK_2);
    }

    public ReplyWriter nullArray() {
        return raw(protocol == 3 ? NULL_3 : NULL_ARRAY_2);
    }

    public ReplyWriter arrayHeader(int count) {
        put('*');
        putDecimal(count);
        return raw(CRLF);
    }

    /** A map of {@code pairs} key/value pairs follows: {@code %n} in RESP3, {@code *2n} in RESP2. */
    public ReplyWriter mapHeader(int pairs) {
        if (protocol == 3) {
            put('%');
            putDecimal(pairs);
        } else {
            put('*');
            putDecimal(2L * pairs);
        }
        return raw(CRLF);
    }

    /** A text blob: RESP3 verbatim string with format {@code txt}, a bulk string in RESP2. */
    public ReplyWriter verbatim(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (protocol == 2) {
            return bulk(bytes);
        }
        put('=');
        putDecimal(bytes.length + 4L);
        raw(CRLF);
        raw(new byte[] {'t', 'x', 't', ':'});
        raw(bytes);
        return raw(CRLF);
    }

    /** Bytes written and not yet taken. */
    public int size() {
        return size;
    }

    /** A copy of the bytes written so far, and an empty buffer. */
    public byte[] take() {
        byte[] out = Arrays.copyOf(buf, size);
        clear();
        return out;
    }

    /** Writes the bytes written so far to {@code out} without copying them, and empties the buffer. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(buf, 0, size);
        clear();
    }

    /**
     * Empties the buffer, dropping what was written. A buffer grown past {@link #KEPT_CAPACITY} goes back
     * to its initial size and its growth to the budget: an idle client that once got a large reply must
     * not stay charged for it (and become the largest for eviction).
     */
    public void clear() {
        size = 0;
        if (buf.length > KEPT_CAPACITY) {
            buf = new byte[initialCapacity];
            budget.release(charged);
            charged = 0;
        }
    }

    /**
     * Throws {@link BufferLimitException} if the budget refuses anything now (the client was evicted or
     * disconnected): long commands call it now and then, so that they stop when nobody will read them.
     */
    public void checkBudget() {
        budget.reserve(0);
    }

    /** Empties the buffer and gives all its memory back to the budget (its thread is done with it). */
    public void release() {
        size = 0;
        if (charged > 0) {
            buf = new byte[initialCapacity];
            budget.release(charged);
            charged = 0;
        }
    }

    /**
     * Inserts an array header for {@code count} elements at {@code mark} (a previous {@link #size()}),
     * before the elements written since: for replies whose length is known only once they are written
     * (KEYS), so that they need no list besides the buffer.
     */
    public ReplyWriter insertArrayHeader(int mark, long count) {
        return insert(mark, "*" + count + "\r\n");
    }

    /** Inserts a bulk string of ASCII {@code text} at {@code mark}, as {@link #insertArrayHeader} does a header. */
    public ReplyWriter insertBulk(int mark, String text) {
        return insert(mark, "$" + text.length() + "\r\n" + text + "\r\n");
    }

    private ReplyWriter insert(int mark, String ascii) {
        if (mark < 0 || mark > size) {
            throw new IllegalArgumentException("mark " + mark + " outside 0.." + size);
        }
        byte[] bytes = ascii.getBytes(StandardCharsets.US_ASCII);
        ensure(bytes.length);
        System.arraycopy(buf, mark, buf, mark + bytes.length, size - mark);
        System.arraycopy(bytes, 0, buf, mark, bytes.length);
        size += bytes.length;
        return this;
    }

    /** Drops the replies written after {@code mark} (a previous {@link #size()}). */
    public void truncate(int mark) {
        if (mark < 0 || mark > size) {
            throw new IllegalArgumentException("mark " + mark + " outside 0.." + size);
        }
        size = mark;
    }

    private ReplyWriter raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
        return this;
    }

    private void put(char c) {
        ensure(1);
        buf[size++] = (byte) c;
    }

    private void putSanitized(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ensure(bytes.length);
        for (byte b : bytes) {
            buf[size++] = b == '\r' || b == '\n' ? (byte) ' ' : b;
        }
    }

    private void putDecimal(long value) {
        if (value >= 0 && value < 10) {
            put((char) ('0' + value));
            return;
        }
        raw(Long.toString(value).getBytes(StandardCharsets.US_ASCII));
    }

    /** A bulk string at least this long grows the buffer to fit it exactly ({@link #bulk(byte[])}). */
    static final int LARGE_BULK = 1 << 20;
    /** A bulk string's bytes besides its value, at most: {@code $}, 10 digits, two CRLFs. */
    private static final int BULK_FRAMING = 15;
    /** What a buffer grown exactly keeps besides, for the small replies pipelined after a large one. */
    private static final int EXACT_SLACK = 512;

    private void ensure(int extra) {
        grow(extra, false);
    }

    /** Makes room for {@code extra} bytes more, growing the buffer (if it must) to fit them and no more. */
    private void ensureExactly(long extra) {
        grow(extra, true);
    }

    private void grow(long extra, boolean exactly) {
        long needed = (long) size + extra;
        if (needed > buf.length) {
            if (needed > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("reply buffer would exceed 2 GiB");
            }
            int capacity = exactly
                    ? (int) needed
                    : (int) Math.max(needed, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16));
            long growth = (long) capacity - Math.max(buf.length, initialCapacity);
            budget.reserve(growth); // before the allocation: throws if the budget refuses it
            charged += growth;
            buf = Arrays.copyOf(buf, capacity);
        }
    }
}
