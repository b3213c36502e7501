package io.toykv.resp;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Incremental RESP request parser: an explicit state machine fed with bytes as they arrive.
 *
 * <pre>
 * request   = array | inline
 * array     = "*" count CRLF { "$" length CRLF data CRLF }     count in 1..maxArgs ("*0", "*-1": no request)
 * inline    = line LF                                           line (CR stripped) up to maxInlineLength
 * count     = ["-"] digit {digit}          length = digit {digit} (0..maxBulkLength)
 * </pre>
 *
 * <p>Each digit of a count or length is checked against its limit as it arrives, so a huge number is
 * refused before anything is allocated; a bulk string's array is allocated only once its length line is
 * complete and within {@link RespLimits#maxBulkLength()}, and once the {@link BufferBudget} has
 * granted it: a request's bulk strings past its first {@link #UNCHARGED_REQUEST_BYTES} are reserved
 * before they are allocated and released once the handler has run the request (or the parser broke).
 * After a {@link ProtocolException} the parser is broken and must not be fed again.
 */
public final class RequestParser {

    /** Receives each complete request; returns false to stop parsing (the rest stays unconsumed). */
    @FunctionalInterface
    public interface RequestHandler {
        boolean onRequest(List<byte[]> args);
    }

    private enum State {
        START,
        INLINE,
        ARRAY_COUNT,
        ARRAY_COUNT_LF,
        BULK_PREFIX,
        BULK_LENGTH,
        BULK_LENGTH_LF,
        BULK_DATA,
        BULK_CR,
        BULK_LF,
        BROKEN
    }

    /**
     * Bytes of each request (counted as {@link RespLimits#maxRequestBytes()} counts them) that are not
     * charged to the budget: small requests, nearly all of them, cost no accounting at all.
     */
    public static final int UNCHARGED_REQUEST_BYTES = 16 * 1024;

    private RespLimits limits;
    private final BufferBudget budget;
    private State state = State.START;
    /** Bytes of the current request reserved from the budget. */
    private long charged;

    // Number being read (array count or bulk length); guarded by being used by one thread.
    private long number;
    private int digits;
    private boolean negative;

    private List<byte[]> args;
    private int argsRemaining;
    private long requestBytes;
    private byte[] bulk;
    private int bulkFilled;

    /** The inline line buffer's size while no long line needs more: not charged to the budget. */
    private static final int LINE_START = 64;
    /** A line buffer grown past this is dropped once its line is done. */
    private static final int LINE_KEPT = 4096;

    private byte[] line = new byte[LINE_START];
    private int lineLength;
    /** Bytes of {@link #line} reserved from the budget: its growth past {@link #LINE_START}. */
    private long lineCharged;

    public RequestParser(RespLimits limits) {
        this(limits, BufferBudget.UNLIMITED);
    }

    public RequestParser(RespLimits limits, BufferBudget budget) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.budget = Objects.requireNonNull(budget, "budget");
    }

    /** Bytes of the request being read (and of the inline line buffer's growth) that are reserved from the budget. */
    public long chargedBytes() {
        return charged + lineCharged;
    }

    /** Drops the request being read, if any, and gives its bytes back to the budget. */
    public void discard() {
        args = null;
        bulk = null;
        releaseCharged();
        shrinkLine();
    }

    /** Drops a grown line buffer and gives its growth back to the budget. */
    private void shrinkLine() {
        if (lineCharged > 0) {
            line = new byte[LINE_START];
            budget.release(lineCharged);
            lineCharged = 0;
        }
    }

    private void releaseCharged() {
        if (charged > 0) {
            budget.release(charged);
            charged = 0;
        }
    }

    /** Replaces the limits; they apply from the next number or line read. */
    public void limits(RespLimits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    public RespLimits limits() {
        return limits;
    }

    /** Whether the parser is between requests (nothing partial buffered). */
    public boolean idle() {
        return state == State.START;
    }

    /**
     * Parses {@code len} bytes from {@code buf} at {@code off}, passing each complete request to the
     * handler.
     *
     * @return bytes consumed: {@code len} unless the handler returned false
     * @throws ProtocolException on broken framing or an exceeded limit
     */
    public int feed(byte[] buf, int off, int len, RequestHandler handler) throws ProtocolException {
        Objects.checkFromIndexSize(off, len, buf.length);
        final int end = off + len;
        int p = off;
        while (p < end) {
            switch (state) {
                case START -> {
                    if (buf[p] == '*') {
                        startNumber();
                        state = State.ARRAY_COUNT;
                        p++;
                    } else {
                        lineLength = 0;
                        state = State.INLINE;
                    }
                }
                case INLINE -> {
                    int nl = indexOf(buf, p, end, (byte) '\n');
                    int stop = nl < 0 ? end : nl;
                    appendLine(buf, p, stop - p);
                    p = stop;
                    if (nl >= 0) {
                        p++;
                        state = State.START;
                        int n = lineLength;
                        if (n > 0 && line[n - 1] == '\r') {
                            n--;
                        }
                        List<byte[]> inlineArgs;
                        try {
                            inlineArgs = QuotingSplitter.split(line, n);
                        } catch (QuotingSplitter.UnbalancedQuotesException e) {
                            throw broken("unbalanced quotes in request");
                        }
                        if (line.length > LINE_KEPT) {
                            shrinkLine();
                        }
                        if (!inlineArgs.isEmpty() && !handler.onRequest(inlineArgs)) {
                            return p - off;
                        }
                    }
                }
                case ARRAY_COUNT -> {
                    byte b = buf[p++];
                    if (b == '\r') {
                        if (digits == 0) {
                            throw broken("invalid multibulk length");
                        }
                        state = State.ARRAY_COUNT_LF;
                    } else if (b == '-' && digits == 0 && !negative) {
                        negative = true;
                    } else if (b >= '0' && b <= '9') {
                        addDigit(b, negative ? Long.MAX_VALUE / 10 : limits.maxArgs(), pastLimit("multibulk length"));
                    } else {
                        throw broken("invalid multibulk length");
                    }
                }
                case ARRAY_COUNT_LF -> {
                    if (buf[p++] != '\n') {
                        throw broken("invalid multibulk length");
                    }
                    if (negative || number == 0) {
                        state = State.START; // "*0" and "*-1" carry no request, as in Redis
                    } else {
                        argsRemaining = (int) number;
                        args = new ArrayList<>(Math.min(argsRemaining, 64));
                        requestBytes = 0;
                        state = State.BULK_PREFIX;
                    }
                }
                case BULK_PREFIX -> {
                    byte b = buf[p++];
                    if (b != '$') {
                        throw broken("expected '$', got '" + printable(b) + "'");
                    }
                    startNumber();
                    state = State.BULK_LENGTH;
                }
                case BULK_LENGTH -> {
                    byte b = buf[p++];
                    if (b == '\r') {
                        if (digits == 0) {
                            throw broken("invalid bulk length");
                        }
                        state = State.BULK_LENGTH_LF;
                    } else if (b >= '0' && b <= '9') {
                        addDigit(b, limits.maxBulkLength(), pastLimit("bulk length"));
                    } else {
                        throw broken("invalid bulk length");
                    }
                }
                case BULK_LENGTH_LF -> {
                    if (buf[p++] != '\n') {
                        throw broken("invalid bulk length");
                    }
                    requestBytes += number + RespLimits.ARG_OVERHEAD;
                    if (requestBytes > limits.maxRequestBytes()) {
                        throw broken("request larger than " + limits.maxRequestBytes() + " bytes");
                    }
                    long charge = requestBytes - UNCHARGED_REQUEST_BYTES - charged;
                    if (charge > 0) {
                        try {
                            budget.reserve(charge);
                        } catch (BufferLimitException e) {
                            throw broken(e.getMessage());
                        }
                        charged += charge;
                    }
                    // The length is within maxBulkLength, the request limit and the budget: now allocate.
                    bulk = new byte[(int) number];
                    bulkFilled = 0;
                    state = bulk.length == 0 ? State.BULK_CR : State.BULK_DATA;
                }
                case BULK_DATA -> {
                    int n = Math.min(end - p, bulk.length - bulkFilled);
                    System.arraycopy(buf, p, bulk, bulkFilled, n);
                    bulkFilled += n;
                    p += n;
                    if (bulkFilled == bulk.length) {
                        state = State.BULK_CR;
                    }
                }
                case BULK_CR -> {
                    if (buf[p++] != '\r') {
                        throw broken("bulk data not followed by CRLF");
                    }
                    state = State.BULK_LF;
                }
                case BULK_LF -> {
                    if (buf[p++] != '\n') {
                        throw broken("bulk data not followed by CRLF");
                    }
                    args.add(bulk);
                    bulk = null;
                    if (--argsRemaining > 0) {
                        state = State.BULK_PREFIX;
                    } else {
                        List<byte[]> request = args;
                        args = null;
                        state = State.START;
                        boolean more;
                        try {
                            more = handler.onRequest(request);
                        } finally {
                            releaseCharged();
                        }
                        if (!more) {
                            return p - off;
                        }
                    }
                }
                case BROKEN -> throw new IllegalStateException("parser is broken by an earlier protocol error");
            }
        }
        return len;
    }

    private void startNumber() {
        number = 0;
        digits = 0;
        negative = false;
    }

    /**
     * The error for a count or length past its limit: Redis says "unauthenticated" under the limits of a
     * client that has not authenticated yet, and "invalid" otherwise.
     */
    private String pastLimit(String what) {
        return (limits == RespLimits.UNAUTHENTICATED ? "unauthenticated " : "invalid ") + what;
    }

    private void addDigit(byte b, long limit, String error) throws ProtocolException {
        number = number * 10 + (b - '0');
        digits++;
        if (number > limit) {
            throw broken(error);
        }
    }

    private void appendLine(byte[] buf, int from, int n) throws ProtocolException {
        // The limit counts the line without its CR; one byte of slack lets a CR sit at the limit.
        if ((long) lineLength + n > (long) limits.maxInlineLength() + 1) {
            throw broken("too big inline request");
        }
        if (lineLength + n > line.length) {
            int capacity = (int)
                    Math.min(Math.max((long) line.length * 2, lineLength + n), (long) limits.maxInlineLength() + 1);
            // A line without its LF can hold up to maxInlineLength on every connection: charged before
            // it is allocated, as a bulk string is.
            long growth = capacity - line.length;
            try {
                budget.reserve(growth);
            } catch (BufferLimitException e) {
                throw broken(e.getMessage());
            }
            lineCharged += growth;
            line = java.util.Arrays.copyOf(line, capacity);
        }
        System.arraycopy(buf, from, line, lineLength, n);
        lineLength += n;
    }

    private ProtocolException broken(String message) {
        state = State.BROKEN;
        discard();
        return new ProtocolException(message);
    }

    private static int indexOf(byte[] buf, int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (buf[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff);
    }
}
