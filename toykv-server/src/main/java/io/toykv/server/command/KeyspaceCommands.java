package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RENAME, RENAMENX, COPY and RANDOMKEY: commands over whole keys. RENAME and COPY hold the
 * stripes of both keys, so no other write to either comes between their read and their writes; a
 * reader may still see the new key before the old one is gone (the store has no multi-key batch).
 */
final class KeyspaceCommands {
    static final String NO_SUCH_KEY = "ERR no such key";

    /** Up to this many keys RANDOMKEY walks them all and each is equally likely. */
    static final int UNIFORM_UP_TO = 1024;
    /** Past that, the keys after a random point RANDOMKEY chooses among. */
    static final int RANDOM_WINDOW = 16;

    private final Keyspace keyspace;
    private final DatabaseCommands databases;
    private final KeyLocks locks;

    /** {@code databases}: for COPY ... DB to another database. */
    KeyspaceCommands(Keyspace keyspace, DatabaseCommands databases, KeyLocks locks) {
        this.keyspace = keyspace;
        this.databases = databases;
        this.locks = locks;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "rename",
                3,
                false,
                true,
                "generic",
                "1.0.0",
                "Renames a key and overwrites the destination.",
                c -> rename(c, false)));
        t.add(new CommandSpec(
                "renamenx",
                3,
                false,
                true,
                "generic",
                "1.0.0",
                "Renames a key only when the target key name doesn't exist.",
                c -> rename(c, true)));
        t.add(new CommandSpec(
                "copy", -3, false, true, "generic", "6.2.0", "Copies the value of a key to a new key.", this::copy));
        t.add(new CommandSpec(
                "randomkey",
                1,
                false,
                false,
                "generic",
                "1.0.0",
                "Returns a random key name from the database.",
                this::randomKey));
    }

    private void rename(Call c, boolean nx) {
        byte[] from = c.arg(1);
        byte[] to = c.arg(2);
        locks.withKeys(List.of(from, to), () -> {
            long expiry = carriedExpiry(from);
            byte[] value = keyspace.get(from);
            if (value == null) {
                throw new ReplyException(NO_SUCH_KEY);
            }
            if (Arrays.equals(from, to)) {
                reply(c, nx, false); // the key stays as it is
                return;
            }
            if (nx && keyspace.get(to) != null) {
                c.out().integer(0);
                return;
            }
            keyspace.put(to, value, expiry); // the key keeps its expiry under its new name, as in Redis
            keyspace.delete(from);
            reply(c, nx, true);
        });
    }

    /**
     * The expiry a key's value takes to another key: its own, or none. Read before the value, so that
     * a time that passes in between makes the value absent rather than the copy everlasting.
     */
    private long carriedExpiry(byte[] key) {
        long expiry = keyspace.expiry(key);
        return expiry > 0 ? expiry : Store.NO_EXPIRY;
    }

    private static void reply(Call c, boolean nx, boolean renamed) {
        if (nx) {
            c.out().integer(renamed ? 1 : 0);
        } else {
            c.out().ok();
        }
    }

    private void copy(Call c) {
        boolean replace = false;
        int current = SelectedKeyspace.currentDatabase();
        int db = current;
        for (int i = 3; i < c.argc(); i++) {
            String option = c.upper(i);
            if (option.equals("REPLACE")) {
                replace = true;
            } else if (option.equals("DB") && i + 1 < c.argc()) {
                db = DatabaseCommands.index(c, i + 1, databases.count());
                i++;
            } else {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        if (db != current) {
            copyToDatabase(c, current, db, replace);
            return;
        }
        byte[] from = c.arg(1);
        byte[] to = c.arg(2);
        if (Arrays.equals(from, to)) {
            throw new ReplyException(DatabaseCommands.SAME_OBJECT);
        }
        boolean overwrite = replace;
        locks.withKeys(List.of(from, to), () -> {
            long expiry = carriedExpiry(from);
            byte[] value = keyspace.get(from);
            if (value == null || (!overwrite && keyspace.get(to) != null)) {
                c.out().integer(0);
                return;
            }
            keyspace.put(to, value, expiry); // the copy gets the source's expiry, as in Redis
            c.out().integer(1);
        });
    }

    /** COPY ... DB n to another database. */
    private void copyToDatabase(Call c, int from, int to, boolean replace) {
        c.out().integer(databases.copy(c.arg(1), from, c.arg(2), to, replace) ? 1 : 0);
    }

    /**
     * With up to {@value #UNIFORM_UP_TO} keys, one chosen uniformly in a walk over them all (reservoir
     * sampling). Past that, one of the {@value #RANDOM_WINDOW} keys at or after a random 8-byte point in
     * key order (wrapping to the first key): every key can come, but not each with the same chance, since
     * keys after a wide gap in the key order come more often (the store offers no cheaper way to a random
     * key).
     */
    private void randomKey(Call c) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (keyspace.size() <= UNIFORM_UP_TO) {
            byte[] chosen = null;
            long seen = 0;
            try (ScanIterator it = keyspace.scan(null, null)) {
                while (it.hasNext()) {
                    byte[] key = it.next().key();
                    seen++;
                    if (random.nextLong(seen) == 0) {
                        chosen = key;
                    }
                }
            }
            c.out().bulk(chosen);
            return;
        }
        byte[] point = new byte[8];
        random.nextBytes(point);
        List<byte[]> window = new ArrayList<>(RANDOM_WINDOW);
        collectKeys(point, null, window);
        if (window.size() < RANDOM_WINDOW) {
            collectKeys(null, point, window);
        }
        c.out().bulk(window.isEmpty() ? null : window.get(random.nextInt(window.size())));
    }

    private void collectKeys(byte[] from, byte[] to, List<byte[]> into) {
        try (ScanIterator it = keyspace.scan(from, to)) {
            while (into.size() < RANDOM_WINDOW && it.hasNext()) {
                into.add(it.next().key());
            }
        }
    }
}
