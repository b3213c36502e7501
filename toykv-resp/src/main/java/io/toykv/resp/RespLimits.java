package io.toykv.resp;

/**
 * The request limits the parser enforces, each checked before memory is allocated for it.
 *
 * @param maxArgs most arguments in one request array (the {@code *N} count), Redis's 1024*1024
 * @param maxBulkLength longest bulk string (the {@code $N} length) in bytes; the server ties it to the
 *     store's largest key or value
 * @param maxInlineLength longest inline command line in bytes, newline excluded (Redis: 64 KiB)
 * @param maxRequestBytes most bytes one request may hold, counting each argument's length plus
 *     {@link #ARG_OVERHEAD} for its bookkeeping
 */
public record RespLimits(int maxArgs, int maxBulkLength, int maxInlineLength, long maxRequestBytes) {
    public static final int DEFAULT_MAX_ARGS = 1024 * 1024;
    public static final int DEFAULT_MAX_BULK_LENGTH = 1 << 20;
    public static final int DEFAULT_MAX_INLINE_LENGTH = 64 * 1024;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 256L << 20;
    /** Bytes charged per argument on top of its length (array slot and object header). */
    public static final int ARG_OVERHEAD = 32;

    /**
     * Limits for a connection that has not authenticated yet on a password-protected server (as Redis
     * does): at most 10 arguments of 16 KiB, so an unauthenticated client cannot make the server
     * allocate much.
     */
    public static final RespLimits UNAUTHENTICATED = new RespLimits(10, 16 * 1024, 16 * 1024, 256 * 1024);

    public RespLimits {
        if (maxArgs < 1 || maxBulkLength < 0 || maxInlineLength < 1 || maxRequestBytes < 1) {
            throw new IllegalArgumentException("limits must be positive: maxArgs=" + maxArgs + ", maxBulkLength="
                    + maxBulkLength + ", maxInlineLength=" + maxInlineLength + ", maxRequestBytes=" + maxRequestBytes);
        }
    }

    public static RespLimits defaults() {
        return new RespLimits(
                DEFAULT_MAX_ARGS, DEFAULT_MAX_BULK_LENGTH, DEFAULT_MAX_INLINE_LENGTH, DEFAULT_MAX_REQUEST_BYTES);
    }

    public RespLimits withMaxBulkLength(int length) {
        return new RespLimits(maxArgs, length, maxInlineLength, maxRequestBytes);
    }
}
