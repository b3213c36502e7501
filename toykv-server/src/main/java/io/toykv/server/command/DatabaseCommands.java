package io.toykv.server.command;

/** SELECT, MOVE, SWAPDB, COPY and FLUSHALL: commands about the numbered databases. */
final class DatabaseCommands {
    static final String OUT_OF_RANGE = "ERR DB index is out of range";
    static final String SAME_OBJECT = "ERR source and destination objects are the same";

    private final KeyspaceSet databases;

    DatabaseCommands(KeyspaceSet databases) {
        this.databases = databases;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec("select", 2, false, false, "connection", "1.0.0",
                "Changes the selected database.", this::select));
        t.add(new CommandSpec("move", 3, false, true, "generic", "1.0.0",
                "Moves a key to another database; replies 1, or 0 if it is absent or there already.", this::move));
        t.add(new CommandSpec("swapdb", 3, false, true, "server", "4.0.0",
                "Swaps two databases.", this::swapdb));
        t.add(new CommandSpec("copy", -3, false, true, "generic", "6.2.0",
                "Copies a key: COPY source destination [DB destination-db] [REPLACE]; replies 1, or 0 if not copied.",
                this::copy));
        t.add(new CommandSpec("flushall", -1, false, true, "server", "1.0.0", "Removes every key of every database.",
                this::flushall));
    }

    /** The database number in argument {@code i}. */
    private int index(Call c, int i, String notAnInteger) {
        long db;
        try {
            db = c.longArg(i);
        } catch (ReplyException e) {
            throw new ReplyException(notAnInteger);
        }
        if (db < 0 || db >= databases.count()) {
            throw new ReplyException(OUT_OF_RANGE);
        }
        return (int) db;
    }

    private void select(Call c) {
        c.session().database(index(c, 1, Args.NOT_AN_INTEGER));
        c.out().ok();
    }

    private void move(Call c) {
        int to = index(c, 2, Args.NOT_AN_INTEGER);
        int from = c.session().database();
        if (from == to) {
            throw new ReplyException(SAME_OBJECT);
        }
        c.out().integer(databases.move(c.arg(1), from, to) ? 1 : 0);
    }

    private void swapdb(Call c) {
        int a = index(c, 1, "ERR invalid first DB index");
        int b = index(c, 2, "ERR invalid second DB index");
        databases.swap(a, b);
        c.out().ok();
    }

    private void copy(Call c) {
        int from = c.session().database();
        int to = from;
        boolean replace = false;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.upper(i);
            if (option.equals("REPLACE")) {
                replace = true;
            } else if (option.equals("DB") && i + 1 < c.argc()) {
                to = index(c, ++i, Args.NOT_AN_INTEGER);
            } else {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        byte[] source = c.arg(1);
        byte[] destination = c.arg(2);
        if (from == to && java.util.Arrays.equals(source, destination)) {
            throw new ReplyException(SAME_OBJECT);
        }
        c.out().integer(databases.copy(source, from, destination, to, replace) ? 1 : 0);
    }

    private void flushall(Call c) {
        ServerCommands.checkFlushArguments(c);
        databases.clearAll();
        c.out().ok();
    }
}
