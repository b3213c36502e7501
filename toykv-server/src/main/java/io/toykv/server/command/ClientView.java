package io.toykv.server.command;

/**
 * One connected client as CLIENT LIST, CLIENT INFO and CLIENT KILL see it. The figures are read without
 * stopping the client, so each is a recent value rather than a snapshot of all at one instant.
 */
public interface ClientView {
    Session session();

    /** Bytes of a request received but not yet run (qbuf). */
    long queryBufferBytes();

    /** Free room in the read buffer (qbuf-free). */
    long queryBufferFree();

    /** The reply buffer's starting size (rbs; also rbp, its peak, which is not tracked). */
    long replyBufferSize();

    /** Reply batches waiting for the client to read them (oll). */
    int outputListLength();

    /** Reply bytes not yet written to the socket (omem). */
    long outputBytes();

    /** Everything charged to this client: buffers of requests and replies, the reader's buffers (tot-mem). */
    long totalMemory();

    /** Closes the connection; a command it is running finishes first, its reply is dropped. */
    void kill(String reason);
}
