package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * RENAME, RENAMENX, COPY and RANDOMKEY: commands over whole keys. RENAME and COPY hold the
 * stripes of both keys, so no other write to either comes between their read and their writes; a
 * reader may still see the new key before the old one is gone (the store has no multi-key batch).
 */
final class KeyspaceCommands {
    static final String NO_SUCH_KEY = "ERR no such key";
    static final String SAME_OBJECT = "ERR source and destination objects are the same";
    static final String DB_OUT_OF_RANGE = "ERR DB index is out of range";

    private final Keyspace keyspace;
    private final KeyLocks locks;

    KeyspaceCommands(Keyspace keyspace, KeyLocks locks) {
        this.keyspace = keyspace;
        this.locks = locks;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec("rename", 3, false, true, "generic", "1.0.0",
                "Renames a key and overwrites the destination.", c -> rename(c, false)));
        t.add(new CommandSpec("renamenx", 3, false, true, "generic", "1.0.0",
                "Renames a key only when the target key name doesn't exist.", c -> rename(c, true)));
        t.add(new CommandSpec("copy", -3, false, true, "generic", "6.2.0",
                "Copies the value of a key to a new key.", this::copy));
        t.add(new CommandSpec("randomkey", 1, false, false, "generic", "1.0.0",
                "Returns a random key name from the database.", this::randomKey));
    }

    private void rename(Call c, boolean nx) {
        byte[] from = c.arg(1);
        byte[] to = c.arg(2);
        locks.withKeys(List.of(from, to), () -> {
            byte[] value = keyspace.get(from);
            if (value == null) {
                throw new ReplyException(NO_SUCH_KEY);
            }
            if (java.util.Arrays.equals(from, to)) {
                reply(c, nx, false); // the key stays as it is
                return;
            }
            if (nx && keyspace.get(to) != null) {
                c.out().integer(0);
                return;
            }
            keyspace.put(to, value);
            keyspace.delete(from);
            reply(c, nx, true);
        });
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
        for (int i = 3; i < c.argc(); i++) {
            String option = c.upper(i);
            if (option.equals("REPLACE")) {
                replace = true;
            } else if (option.equals("DB") && i + 1 < c.argc()) {
                long db = c.longArg(i + 1);
                if (db < Integer.MIN_VALUE || db > Integer.MAX_VALUE) {
                    throw new ReplyException(Args.NOT_AN_INTEGER);
                }
                if (db != 0) {
                    throw new ReplyException(DB_OUT_OF_RANGE); // database 0 is the only one
                }
                i++;
            } else {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        byte[] from = c.arg(1);
        byte[] to = c.arg(2);
        if (java.util.Arrays.equals(from, to)) {
            throw new ReplyException(SAME_OBJECT);
        }
        boolean overwrite = replace;
        locks.withKeys(List.of(from, to), () -> {
            byte[] value = keyspace.get(from);
            if (value == null || (!overwrite && keyspace.get(to) != null)) {
                c.out().integer(0);
                return;
            }
            keyspace.put(to, value);
            c.out().integer(1);
        });
    }

    /**
     * The first key at or after a random 8-byte point, wrapping to the first key: every key can come,
     * though not each with the same chance (a key after a wide gap in the key order comes more often).
     */
    private void randomKey(Call c) {
        byte[] point = new byte[8];
        ThreadLocalRandom.current().nextBytes(point);
        byte[] key = firstKeyFrom(point);
        if (key == null) {
            key = firstKeyFrom(null);
        }
        c.out().bulk(key);
    }

    private byte[] firstKeyFrom(byte[] from) {
        try (ScanIterator it = keyspace.scan(from, null)) {
            return it.hasNext() ? it.next().key() : null;
        }
    }
}
