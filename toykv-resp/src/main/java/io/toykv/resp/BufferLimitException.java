package io.toykv.resp;

/**
 * A {@link BufferBudget} refused memory: a client's query or reply buffer would pass its limit, or
 * all clients' buffers together would pass theirs. The message says which, with the numbers.
 */
public final class BufferLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BufferLimitException(String message) {
        super(message);
    }
}
