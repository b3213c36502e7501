package io.toykv.server.command;

import io.toykv.resp.ReplyWriter;
import java.util.List;
import java.util.Set;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH, and the queueing of commands between MULTI and EXEC, as
 * Redis 7 does them (its {@code multi.c}):
 * <ul>
 *   <li>After MULTI every command but EXEC, DISCARD, MULTI, WATCH, QUIT and RESET is queued and
 *       replies {@code +QUEUED}; those run at once (MULTI and WATCH then reply an error that leaves
 *       the transaction as it was).
 *   <li>A command refused while queueing (unknown, wrong arity, not authenticated, or one that may
 *       not be queued: SHUTDOWN) replies its error and makes EXEC reply EXECABORT and run nothing.
 *       Other errors (a bad option, a wrong value) show when EXEC runs the command: its error takes
 *       its slot in EXEC's reply and the other commands run.
 *   <li>EXEC runs the queued commands holding the {@link IsolationLock} exclusively: no other
 *       client's command runs in between. Their writes are collected ({@link TransactionWrites}) and
 *       applied together once the last has run. It replies a null array, running nothing, if a WATCHed key
 *       changed since WATCH ({@link WatchRegistry}).
 *   <li>EXEC, DISCARD and UNWATCH forget the watched keys; EXEC and DISCARD leave MULTI.
 * </ul>
 */
final class TransactionCommands {
    static final String EXECABORT = "EXECABORT Transaction discarded because of previous errors.";
    static final String NOT_IN_MULTI = "ERR Command not allowed inside a transaction";

    /** Commands that run at once even after MULTI (Redis's processCommand). */
    private static final Set<String> NOT_QUEUED = Set.of("exec", "discard", "multi", "watch", "quit", "reset");
    /** Commands refused after MULTI (Redis's NO_MULTI flag; of those, toykv has SHUTDOWN and SAVE). */
    private static final Set<String> REFUSED_IN_MULTI = Set.of("shutdown", "save");

    /** Runs one command and writes its reply or error, as the dispatcher does for a request. */
    @FunctionalInterface
    interface Runner {
        void run(Session session, CommandSpec spec, List<byte[]> args, ReplyWriter out);
    }

    private final WatchRegistry watches;
    private final IsolationLock isolation;
    private final CommandKeyspace keyspace;
    private final Runner runner;

    TransactionCommands(WatchRegistry watches, IsolationLock isolation, CommandKeyspace keyspace, Runner runner) {
        this.watches = watches;
        this.isolation = isolation;
        this.keyspace = keyspace;
        this.runner = runner;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec("multi", 1, false, false, "transactions", "1.2.0", "Starts a transaction.", this::multi));
        t.add(new CommandSpec(
                "exec",
                1,
                false,
                false,
                "transactions",
                "1.2.0",
                "Executes all commands in a transaction.",
                this::exec));
        t.add(new CommandSpec(
                "discard", 1, false, false, "transactions", "2.0.0", "Discards a transaction.", this::discard));
        t.add(new CommandSpec(
                "watch",
                -2,
                false,
                false,
                "transactions",
                "2.2.0",
                "Monitors changes to keys to determine the execution of a transaction.",
                this::watch));
        t.add(new CommandSpec(
                "unwatch",
                1,
                false,
                false,
                "transactions",
                "2.2.0",
                "Forgets about watched keys of a transaction.",
                this::unwatch));
    }

    /** Whether {@code spec}, sent by a client in MULTI, is queued rather than run. */
    static boolean queues(CommandSpec spec) {
        return !NOT_QUEUED.contains(spec.name());
    }

    /** Whether {@code spec} is EXEC, which takes the isolation lock itself (exclusively). */
    static boolean isExec(CommandSpec spec) {
        return spec.name().equals("exec");
    }

    /**
     * Queues a command of a client in MULTI and replies {@code +QUEUED}; or returns the error that
     * refuses it (the transaction is then marked to abort). The charge to the client's budget may
     * throw {@link io.toykv.resp.BufferLimitException}.
     */
    static String queue(Session session, CommandSpec spec, List<byte[]> args, ReplyWriter out) {
        Transaction tx = session.transaction();
        if (REFUSED_IN_MULTI.contains(spec.name())) {
            tx.markFailed();
            return NOT_IN_MULTI;
        }
        tx.add(spec, args);
        out.simple("QUEUED");
        return null;
    }

    private void multi(Call c) {
        Transaction tx = c.session().transaction();
        if (tx.active()) {
            throw new ReplyException("ERR MULTI calls can not be nested");
        }
        tx.begin();
        c.out().ok();
    }

    private void discard(Call c) {
        Transaction tx = c.session().transaction();
        if (!tx.active()) {
            throw new ReplyException("ERR DISCARD without MULTI");
        }
        finish(tx);
        c.out().ok();
    }

    private void exec(Call c) {
        Transaction tx = c.session().transaction();
        if (!tx.active()) {
            throw new ReplyException("ERR EXEC without MULTI");
        }
        try {
            if (tx.failed()) {
                throw new ReplyException(EXECABORT);
            }
            if (tx.watched.dirty()) {
                c.out().nullArray();
                return;
            }
            isolation.exclusive(() -> runQueued(c, tx));
        } finally {
            finish(tx);
        }
    }

    /** Holding the isolation lock exclusively: no write of another client can mark the watches now. */
    private void runQueued(Call c, Transaction tx) {
        if (tx.watched.dirty() || tx.watchedKeyExpired(keyspace.now())) {
            c.out().nullArray();
            return;
        }
        unwatchAll(tx); // as Redis: the transaction's own writes need not mark its watches
        List<Transaction.Queued> queued = tx.queued();
        ReplyWriter out = c.out();
        out.arrayHeader(queued.size());
        keyspace.begin();
        try {
            for (Transaction.Queued q : queued) {
                runner.run(c.session(), q.spec(), q.args(), out);
            }
        } finally {
            // The replies say the writes are done: they are applied whatever happened meanwhile. An
            // I/O failure here replaces EXEC's whole reply with the error (the dispatcher's handling).
            keyspace.commit();
        }
    }

    private void watch(Call c) {
        Transaction tx = c.session().transaction();
        if (tx.active()) {
            throw new ReplyException("ERR WATCH inside MULTI is not allowed");
        }
        if (!tx.watched.dirty()) { // once dirty, EXEC fails whatever else is watched
            int db = c.session().database();
            for (int i = 1; i < c.argc(); i++) {
                byte[] key = c.arg(i);
                if (!tx.watched.contains(db, key)) {
                    tx.chargeWatch(key);
                    watches.watch(tx.watched, db, key);
                    tx.watchedExpiry(keyspace.expiry(key));
                }
            }
        }
        c.out().ok();
    }

    private void unwatch(Call c) {
        Transaction tx = c.session().transaction();
        unwatchAll(tx);
        tx.watched.clearDirty();
        c.out().ok();
    }

    /** Leaves MULTI and forgets the watches (EXEC, DISCARD, RESET). */
    void finish(Transaction tx) {
        if (tx.active()) {
            tx.end();
        }
        unwatchAll(tx);
        tx.watched.clearDirty();
    }

    private void unwatchAll(Transaction tx) {
        watches.unwatchAll(tx.watched);
        tx.watchesReleased();
    }

    /** The client is gone: its watches leave the registry. */
    void closed(Session session) {
        watches.close(session.transaction().watched);
    }
}
