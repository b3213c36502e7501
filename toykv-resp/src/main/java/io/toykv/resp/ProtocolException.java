package io.toykv.resp;

/**
 * The request stream broke RESP framing or a limit. The message is the text Redis puts after
 * {@code "ERR Protocol error: "}; the connection cannot be resynchronised and is closed after the reply.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    /** The whole error reply text, e.g. {@code ERR Protocol error: invalid bulk length}. */
    public String replyText() {
        return "ERR Protocol error: " + getMessage();
    }
}
