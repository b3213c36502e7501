package io.toykv.server.command;

import io.toykv.resp.BufferLimitException;
import io.toykv.resp.ReplyWriter;
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
    private final IsolationLock isolation = new IsolationLock();
    private final TransactionCommands transactions;
    private final WatchRegistry watches = new WatchRegistry();
    private final CommandStats commandStats;

    public Dispatcher(Keyspace keyspace, ServerControl server) {
        this(new SingleKeyspaceSet(keyspace), server);
    }

    /** Each command works on the database its connection selected ({@link SelectedKeyspace}). */
    public Dispatcher(KeyspaceSet databases, ServerControl server) {
        Keyspace keyspace = new SelectedKeyspace(databases);
        this.server = Objects.requireNonNull(server, "server");
        Stats stats = new Stats(commandsProcessed, errorReplies);
        this.commandStats = stats.commands();
        KeyLocks locks = new KeyLocks();
        RawEncodedValues rawValues = new RawEncodedValues();
        CommandKeyspace commandKeyspace = new CommandKeyspace(keyspace, databases, watches);
        DatabaseCommands databaseCommands = new DatabaseCommands(databases, watches, commandKeyspace);
        keyspace = commandKeyspace;
        transactions = new TransactionCommands(watches, isolation, commandKeyspace, this::run);
        new ConnectionCommands(server).register(table);
        new KeyCommands(keyspace, locks, stats).register(table);
        new ExpiryCommands(keyspace, locks, stats).register(table);
        new ScanCommands(keyspace).register(table);
        new ServerCommands(commandKeyspace, databases, server, table, stats).register(table);
        databaseCommands.register(table);
        transactions.register(table);
        new ResetCommand(server, transactions).register(table);
        new FunctionCommands().register(table);
        new CounterCommands(keyspace, locks).register(table);
        new StringCommands(keyspace, locks, stats, rawValues).register(table);
        new KeyspaceCommands(keyspace, databaseCommands, locks).register(table);
        new ObjectCommand(keyspace, rawValues).register(table);
        new BitCommands(keyspace, locks, rawValues).register(table);
        new LcsCommand(keyspace).register(table);
    }

    /** Counters shared by the command groups (INFO stats). */
    record Stats(
            LongAdder commandsProcessed,
            LongAdder errorReplies,
            LongAdder keyspaceHits,
            LongAdder keyspaceMisses,
            CommandStats commands) {
        Stats(LongAdder commandsProcessed, LongAdder errorReplies) {
            this(commandsProcessed, errorReplies, new LongAdder(), new LongAdder(), new CommandStats());
        }
    }

    public CommandTable table() {
        return table;
    }

    /**
     * Executes one request (name first, at least one element) and writes its reply, if any: none when
     * the client turned its replies off ({@link ClientReply}).
     */
    public void execute(Session session, List<byte[]> args, ReplyWriter out) {
        ClientReply reply = session.reply();
        reply.commandStarting();
        int mark = out.size();
        try {
            check(session, args, out);
        } finally {
            if (reply.commandFinishedSilently() && mark <= out.size()) {
                out.truncate(mark);
            }
        }
    }

    /**
     * Binds {@code session} to the calling thread until the returned binding is closed. A connection's
     * reader thread binds its session for as long as it reads, so that each command it runs finds the
     * session bound already instead of binding and unbinding it (a thread-local set and remove per
     * command); {@link #execute} binds it anyway when the caller has not.
     */
    public SessionBinding bindToThread(Session session) {
        return SelectedKeyspace.bind(Objects.requireNonNull(session, "session"));
    }

    /** Looks the command up, checks it, and queues or runs it. */
    private void check(Session session, List<byte[]> args, ReplyWriter out) {
        commandsProcessed.increment();
        CommandSpec spec = table.lookup(args.get(0));
        if (spec == null) {
            refuse(session, out, unknownCommand(args));
            return;
        }
        String fullName = CommandStats.fullName(spec, args);
        session.commandStarted(fullName, args);
        if (!spec.arityAccepts(args.size())) {
            commandStats.rejected(fullName);
            refuse(session, out, wrongArity(spec.name()));
            return;
        }
        if (!session.authenticated() && !spec.noAuth()) {
            commandStats.rejected(fullName);
            refuse(session, out, "NOAUTH Authentication required.");
            return;
        }
        if (server.verbose()) {
            server.log(describe(session, spec, args));
        }
        if (session.transaction().active() && TransactionCommands.queues(spec)) {
            queue(session, spec, args, out);
        } else if (TransactionCommands.isExec(spec) || IsolationLock.needsNoLock(spec)) {
            run(session, spec, fullName, args, out); // EXEC takes the isolation lock exclusively itself
        } else if (IsolationLock.needsExclusive(spec)) {
            isolation.exclusive(() -> run(session, spec, fullName, args, out));
        } else {
            long stamp = isolation.enterShared();
            try {
                run(session, spec, fullName, args, out);
            } finally {
                isolation.leaveShared(stamp);
            }
        }
    }

    /** A request refused before it runs: as Redis's rejectCommand, it also makes a MULTI's EXEC abort. */
    private void refuse(Session session, ReplyWriter out, String text) {
        session.transaction().markFailed();
        error(session, out, text);
    }

    private void queue(Session session, CommandSpec spec, List<byte[]> args, ReplyWriter out) {
        String refused;
        try {
            refused = TransactionCommands.queue(session, spec, args, out);
        } catch (BufferLimitException e) {
            session.closeWithoutReply(e.getMessage()); // evicted: past maxmemory-clients with the queue
            return;
        }
        if (refused != null) {
            error(session, out, refused);
        }
    }

    /**
     * The hook for expiry: {@code key} of database {@code db} expired (the store dropped it, actively or
     * when touched), so the EXECs of the clients WATCHing it fail, as after a write. See
     * {@link WatchRegistry#expired}.
     */
    public void keyExpired(int db, byte[] key) {
        watches.expired(db, key);
    }

    /** The client is gone: forgets its WATCHed keys. */
    public void connectionClosed(Session session) {
        transactions.closed(session);
    }

    /** Runs a command that passed the checks, turning every failure into an error reply. */
    private void run(Session session, CommandSpec spec, List<byte[]> args, ReplyWriter out) {
        run(session, spec, CommandStats.fullName(spec, args), args, out);
    }

    /** {@link #run}, with the command's full name for its stats ({@link CommandStats#fullName}). */
    private void run(Session session, CommandSpec spec, String fullName, List<byte[]> args, ReplyWriter out) {
        int mark = out.size();
        long errorsBefore = session.errors();
        long started = System.nanoTime();
        try (SessionBinding bound = SelectedKeyspace.bind(session)) {
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
        } finally {
            commandStats.ran(fullName, System.nanoTime() - started, session.errors() > errorsBefore);
            session.commandFinished();
        }
    }

    private void error(Session session, ReplyWriter out, String text) {
        errorReplies.increment();
        commandStats.error(text);
        session.countError();
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
        StringBuilder sb =
                new StringBuilder("client(").append(session.id()).append(") ").append(spec.name());
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
