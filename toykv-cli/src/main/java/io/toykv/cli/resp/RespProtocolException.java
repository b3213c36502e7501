package io.toykv.cli.resp;

import java.io.IOException;

/**
 * The byte stream from the server broke the RESP framing or one of {@link RespReader}'s limits. The
 * connection can no longer be trusted and is closed by whoever catches this.
 */
public final class RespProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public RespProtocolException(String message) {
        super(message);
    }
}
