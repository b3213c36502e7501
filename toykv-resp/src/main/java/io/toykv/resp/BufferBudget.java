package io.toykv.resp;

/**
 * Memory a connection's parser and writer ask for before they allocate it, and give back when they
 * drop it: the server's accounting of client buffers (per client and in total). Called by the thread
 * that uses the parser or writer; an implementation must be cheap (an atomic add) in the common case.
 */
public interface BufferBudget {
    /** Accounts nothing and refuses nothing. */
    BufferBudget UNLIMITED = new BufferBudget() {
        @Override
        public void reserve(long bytes) {}

        @Override
        public void release(long bytes) {}
    };

    /**
     * Accounts {@code bytes} about to be allocated.
     *
     * @throws BufferLimitException if they would pass a limit; nothing is accounted then
     */
    void reserve(long bytes);

    /** Gives back bytes {@link #reserve reserved} earlier, once they are dropped. */
    void release(long bytes);
}
