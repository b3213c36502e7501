package io.toykv.server.command;

import io.toykv.server.resp.BufferLimitException;
import io.toykv.server.resp.RespWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Runs requests: looks the command up, checks arity then authentication (Redis's order), runs it, and
 * turns every failure into an error reply so that no exception reaches the connection; a reply that
 * would pass a buffer limit instead marks the session to close without a reply
 * ({@link Session#closeWithoutReply()}).
 */
public final class Dispatcher {
    private final CommandTable table = new CommandTable();
    private final ServerControl server;
    private final LongAdder commandsProcessed = new LongAdder();
    private final LongAdder errorReplies = new LongAdder();

    public Dispatcher(Keyspace keyspace, ServerControl server) {
        this(new SingleKeyspaceSet(keyspace), server);
    }

    /** Each command works on the database its connection selected ({@link SelectedKeyspace}). */
    public Dispatcher(KeyspaceSet databases, ServerControl server) {
        Keyspace keyspace = new SelectedKeyspace(databases);
        this.server = Objects.requireNonNull(server, "server");
        Stats stats = new Stats(commandsProcessed, errorReplies);
        KeyLocks locks = new KeyLocks();
        new ConnectionCommands(server).register(table);
        new KeyCommands(keyspace, locks, stats).register(table);
        new ScanCommands(keyspace).register(table);
        new ServerCommands(keyspace, databases, server, table, stats).register(table);
        new DatabaseCommands(databases).register(table);
    }

    /** Counters shared by the command groups (INFO stats). */
    record Stats(LongAdder commandsProcessed, LongAdder errorReplies, LongAdder keyspaceHits,
            LongAdder keyspaceMisses) {
        Stats(LongAdder commandsProcessed, LongAdder errorReplies) {
            this(commandsProcessed, errorReplies, new LongAdder(), new LongAdder());
        }
    }

    public CommandTable table() {
        return table;
    }

    /** Executes one request (name first, at least one element) and writes its reply, if any. */
    public void execute(Session session, List<byte[]> args, RespWriter out) {
        commandsProcessed.increment();
        CommandSpec spec = table.lookup(args.get(0));
        if (spec == null) {
            error(session, out, unknownCommand(args));
            return;
        }
        if (!spec.arityAccepts(args.size())) {
            error(session, out, wrongArity(spec.name()));
            return;
        }
        if (!session.authenticated() && !spec.noAuth()) {
            error(session, out, "NOAUTH Authentication required.");
            return;
        }
        if (server.verbose()) {
            server.log(describe(session, spec, args));
        }
        int mark = out.size();
        try (SelectedKeyspace.Binding bound = SelectedKeyspace.bind(session)) {
            spec.handler().execute(new Call(session, args, out, spec));
        } catch (ReplyException e) {
            out.truncate(mark);
            error(session, out, e.getMessage());
        } catch (IllegalArgumentException e) {
            // The store refused a key or value; its message names the limit.
            out.truncate(mark);
            error(session, out, "ERR " + e.getMessage());
        } catch (UncheckedIOException e) {
            out.truncate(mark);
            server.log("client(" + session.id() + ") " + spec.name() + " failed: " + e.getCause());
            error(session, out, "ERR store I/O error: " + e.getCause().getMessage());
        } catch (BufferLimitException e) {
            // The reply would pass a buffer limit, after the command may have changed the store: never
            // an error reply for a write that was applied. As Redis does, the reply is dropped and the
            // connection closed without one; the client sees the close (outcome unknown).
            out.truncate(mark);
            session.closeWithoutReply(e.getMessage());
        } catch (IllegalStateException e) {
            out.truncate(mark);
            error(session, out, "ERR " + e.getMessage());
        } catch (RuntimeException e) {
            out.truncate(mark);
            server.log("client(" + session.id() + ") " + spec.name() + " failed: " + e);
            error(session, out, "ERR internal error: " + e);
        }
    }

    private void error(Session session, RespWriter out, String text) {
        errorReplies.increment();
        int mark = out.size();
        try {
            out.error(text);
        } catch (BufferLimitException e) {
            out.truncate(mark); // no room even for the error (the client is evicted): close without it
            session.closeWithoutReply(e.getMessage());
        }
    }

    static String unknownCommand(List<byte[]> args) {
        // Redis: "unknown command '%.128s', with args beginning with: " then "'arg' " while under 128 chars.
        StringBuilder list = new StringBuilder();
        for (int i = 1; i < args.size() && list.length() < 128; i++) {
            String a = Args.printable(args.get(i), 128 - list.length());
            list.append('\'').append(a).append("' ");
        }
        return "ERR unknown command '" + Args.printable(args.get(0), 128) + "', with args beginning with: " + list;
    }

    static String wrongArity(String name) {
        return "ERR wrong number of arguments for '" + name + "' command";
    }

    /** The original demo's log line: {@code client(7) put (k1, v1)}, long arguments shortened. */
    static String describe(Session session, CommandSpec spec, List<byte[]> args) {
        StringBuilder sb = new StringBuilder("client(").append(session.id()).append(") ").append(spec.name());
        if (args.size() > 1) {
            sb.append(" (");
            boolean secret = spec.name().equals("auth") || spec.name().equals("hello");
            for (int i = 1; i < args.size() && i <= 8; i++) {
                if (i > 1) {
                    sb.append(", ");
                }
                sb.append(secret ? "***" : Args.printable(args.get(i), 32));
            }
            if (args.size() > 9) {
                sb.append(", ... ").append(args.size() - 1).append(" args");
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
