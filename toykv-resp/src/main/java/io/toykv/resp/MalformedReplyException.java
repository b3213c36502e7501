package io.toykv.resp;

import java.io.IOException;

/**
 * The byte stream from the server broke the RESP framing or one of {@link ReplyReader}'s limits. The
 * connection can no longer be trusted and is closed by whoever catches this.
 */
public final class MalformedReplyException extends IOException {
    private static final long serialVersionUID = 1L;

    public MalformedReplyException(String message) {
        super(message);
    }
}
