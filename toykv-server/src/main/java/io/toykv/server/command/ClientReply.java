package io.toykv.server.command;

/**
 * CLIENT REPLY for one client: whether the replies of its commands are sent (Redis's
 * {@code CLIENT_REPLY_OFF} and {@code CLIENT_REPLY_SKIP} flags). OFF drops every reply, errors included,
 * until ON; SKIP drops the reply of the next command only; ON itself replies {@code +OK}, OFF and SKIP
 * reply nothing. {@link Dispatcher#execute} asks before and after each command. Used by the client's
 * own thread only.
 */
final class ClientReply {
    private boolean off;
    /** CLIENT REPLY SKIP ran: the command after it is silent. */
    private boolean skipNext;
    /** The command running is the one after a SKIP. */
    private boolean skipThis;

    /** A command starts: a SKIP just before it applies to it. */
    void commandStarting() {
        skipThis = skipNext;
        skipNext = false;
    }

    /** The command is done: whether its reply is to be dropped. */
    boolean commandFinishedSilently() {
        boolean silent = off || skipThis;
        skipThis = false;
        return silent;
    }

    void on() {
        off = false;
        skipNext = false;
        skipThis = false;
    }

    void off() {
        off = true;
    }

    /** As Redis: a SKIP while replies are off changes nothing. */
    void skip() {
        if (!off) {
            skipNext = true;
        }
    }
}
