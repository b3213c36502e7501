package io.toykv.server.command;

import io.toykv.resp.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** One request being executed: the session, its arguments (the name first) and where replies go. */
public final class Call {
    private final Session session;
    private final List<byte[]> args;
    private final ReplyWriter out;
    private final CommandSpec spec;

    Call(Session session, List<byte[]> args, ReplyWriter out, CommandSpec spec) {
        this.session = session;
        this.args = args;
        this.out = out;
        this.spec = spec;
    }

    public Session session() {
        return session;
    }

    public ReplyWriter out() {
        return out;
    }

    public CommandSpec spec() {
        return spec;
    }

    /** Number of arguments, the command name included. */
    public int argc() {
        return args.size();
    }

    public byte[] arg(int i) {
        return args.get(i);
    }

    public List<byte[]> args() {
        return args;
    }

    /** Argument {@code i} decoded as UTF-8. */
    public String string(int i) {
        return new String(args.get(i), StandardCharsets.UTF_8);
    }

    /** Argument {@code i} upper-cased (ASCII), for option and subcommand names. */
    public String upper(int i) {
        return string(i).toUpperCase(Locale.ROOT);
    }

    /** Argument {@code i} as a signed 64-bit decimal, or {@link ReplyException} with Redis's wording. */
    public long longArg(int i) {
        return Args.parseLong(args.get(i));
    }
}
