package io.toykv.server.command;

/**
 * SELECT, MOVE, SWAPDB and FLUSHALL: commands about the numbered databases (COPY ... DB is
 * {@link KeyspaceCommands}'). They work on the databases directly, not through the selected keyspace, so
 * each tells the {@link WatchRegistry} what it changed itself. In EXEC, MOVE, COPY and FLUSHALL work on the
 * transaction's collected writes ({@link CommandKeyspace#collected}), and SWAPDB swaps what the
 * transaction's later commands see ({@link CommandKeyspace#swapCollected}), so that all are part of its
 * one set of changes.
 */
final class DatabaseCommands {
    static final String OUT_OF_RANGE = "ERR DB index is out of range";
    /** Redis's words for a whole number past a C int where it wants one. */
    private static final String NOT_AN_INT =
            "ERR value is out of range, value must between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE;

    static final String SAME_OBJECT = "ERR source and destination objects are the same";

    private final KeyspaceSet databases;
    private final WatchRegistry watches;
    private final CommandKeyspace keyspace;

    DatabaseCommands(KeyspaceSet databases, WatchRegistry watches, CommandKeyspace keyspace) {
        this.databases = databases;
        this.watches = watches;
        this.keyspace = keyspace;
    }

    /** Databases there are. */
    int count() {
        return databases.count();
    }

    /**
     * COPY ... DB to another database (see {@link KeyspaceSet#copy}); in EXEC, on the writes collected so
     * far, so that it copies what the transaction wrote and is part of its one set of changes. Returns
     * whether it copied.
     */
    boolean copy(byte[] source, int from, byte[] destination, int to, boolean replace) {
        if (keyspace.collecting()) {
            return copyCollected(source, from, destination, to, replace);
        }
        boolean copied = databases.copy(source, from, destination, to, replace);
        if (copied) {
            watches.touched(to, destination);
        }
        return copied;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "select", 2, false, false, "connection", "1.0.0", "Changes the selected database.", this::select));
        t.add(new CommandSpec(
                "move",
                3,
                false,
                true,
                "generic",
                "1.0.0",
                "Moves a key to another database; replies 1, or 0 if it is absent or there already.",
                this::move));
        t.add(new CommandSpec("swapdb", 3, false, true, "server", "4.0.0", "Swaps two databases.", this::swapdb));
        t.add(new CommandSpec(
                "flushall",
                -1,
                false,
                true,
                "server",
                "1.0.0",
                "Removes every key of every database.",
                this::flushall));
    }

    /** A database index in SELECT or MOVE: argument {@code i}. */
    private int index(Call c, int i) {
        return index(c, i, databases.count());
    }

    /**
     * The database index in argument {@code i} of {@code c}, below {@code count}, with Redis's replies for
     * one that is no whole number, past a C int, or not a database.
     */
    static int index(Call c, int i, int count) {
        return index(c, i, count, Args.NOT_AN_INTEGER, NOT_AN_INT);
    }

    private static int index(Call c, int i, int count, String notAnInteger, String notAnInt) {
        long db;
        try {
            db = c.longArg(i);
        } catch (ReplyException e) {
            throw new ReplyException(notAnInteger);
        }
        if (db != (int) db) {
            throw new ReplyException(notAnInt);
        }
        if (db < 0 || db >= count) {
            throw new ReplyException(OUT_OF_RANGE);
        }
        return (int) db;
    }

    private void select(Call c) {
        c.session().database(index(c, 1));
        c.out().ok();
    }

    private void move(Call c) {
        int to = index(c, 2);
        int from = c.session().database();
        if (from == to) {
            throw new ReplyException(SAME_OBJECT);
        }
        byte[] key = c.arg(1);
        if (keyspace.collecting()) {
            // In EXEC: on the collected writes, so that the move is part of the transaction's one set
            // of changes (and its watchers are told when that is applied).
            c.out().integer(moveCollected(key, from, to) ? 1 : 0);
            return;
        }
        boolean moved = databases.move(key, from, to);
        if (moved) {
            watches.touched(from, key);
            watches.touched(to, key);
        }
        c.out().integer(moved ? 1 : 0);
    }

    /** COPY in EXEC: on the collected writes, as part of the transaction's one set of changes. */
    private boolean copyCollected(byte[] source, int from, byte[] destination, int to, boolean replace) {
        Keyspace src = keyspace.collected(from);
        Keyspace target = keyspace.collected(to);
        byte[] value = src.get(source);
        if (value == null || !replace && target.get(destination) != null) {
            return false;
        }
        target.put(destination, value, src.expiry(source));
        return true;
    }

    private boolean moveCollected(byte[] key, int from, int to) {
        Keyspace source = keyspace.collected(from);
        Keyspace target = keyspace.collected(to);
        byte[] value = source.get(key);
        if (value == null || target.get(key) != null) {
            return false;
        }
        target.put(key, value, source.expiry(key));
        source.delete(key);
        return true;
    }

    private void swapdb(Call c) {
        String firstBad = "ERR invalid first DB index";
        String secondBad = "ERR invalid second DB index";
        int a = index(c, 1, databases.count(), firstBad, firstBad);
        int b = index(c, 2, databases.count(), secondBad, secondBad);
        if (a == b) {
            c.out().ok();
            return;
        }
        boolean inExec = keyspace.collecting();
        // In EXEC, both databases as the transaction sees them so far.
        Keyspace first = inExec ? keyspace.collected(a) : databases.keyspace(a);
        Keyspace second = inExec ? keyspace.collected(b) : databases.keyspace(b);
        // As Redis: a key watched in either database is touched if it exists in either of them.
        watches.flushing((db, key) -> (db == a || db == b) && (first.get(key) != null || second.get(key) != null));
        if (inExec) {
            // Part of the transaction's one set of changes: the writes after it follow it there.
            keyspace.swapCollected(a, b);
        } else {
            databases.swap(a, b);
        }
        c.out().ok();
    }

    private void flushall(Call c) {
        ServerCommands.checkFlushArguments(c);
        if (keyspace.collecting()) {
            // In EXEC: part of the transaction's one set of changes (the watchers are told when it is
            // applied). A database never used has nothing to clear.
            keyspace.clearAllCollected();
            c.out().ok();
            return;
        }
        watches.flushing((db, key) -> databases.keyspace(db).get(key) != null);
        databases.clearAll();
        c.out().ok();
    }
}
