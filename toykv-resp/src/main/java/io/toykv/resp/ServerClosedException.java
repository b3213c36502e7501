package io.toykv.resp;

import java.io.EOFException;

/**
 * The server closed the connection where a reply should have started: after a SHUTDOWN (or QUIT) that
 * is the expected answer, otherwise the connection is lost. A stream that ends inside a reply is a
 * plain {@link EOFException} instead.
 */
public final class ServerClosedException extends EOFException {
    private static final long serialVersionUID = 1L;

    public ServerClosedException() {
        super("Server closed the connection");
    }
}
