package io.toykv.server.command;

/** A handler's way of replying with an error: the message is the whole error text, code first. */
final class ReplyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ReplyException(String errorText) {
        super(errorText, null, false, false);
    }
}
