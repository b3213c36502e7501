package io.toykv.server.command;

/**
 * A command's table entry.
 *
 * @param name lower-case name
 * @param arity Redis's convention: {@code n > 0} exactly n arguments (name included), {@code n < 0}
 *     at least -n
 * @param noAuth whether it may run before AUTH on a password-protected server
 * @param write whether it changes the store (for COMMAND's flags)
 * @param group Redis command group (string, generic, connection, server)
 * @param since Redis version that introduced it ("toykv" for ours)
 * @param summary one line for COMMAND DOCS
 * @param handler what it does
 */
public record CommandSpec(
        String name,
        int arity,
        boolean noAuth,
        boolean write,
        String group,
        String since,
        String summary,
        Handler handler) {

    /** Runs one call; replies through {@link Call#out()}, or throws {@link ReplyException}. */
    @FunctionalInterface
    public interface Handler {
        void execute(Call call);
    }

    boolean arityAccepts(int argc) {
        return arity > 0 ? argc == arity : argc >= -arity;
    }
}
