package io.toykv.server.command;

import io.toykv.core.DatabaseChanges;
import java.util.Objects;

/** One database, 0: a server over a single {@link Keyspace} (tests that inject faults into one). */
public final class SingleKeyspaceSet implements KeyspaceSet {
    private final Keyspace keyspace;

    public SingleKeyspaceSet(Keyspace keyspace) {
        this.keyspace = Objects.requireNonNull(keyspace, "keyspace");
    }

    @Override
    public int count() {
        return 1;
    }

    @Override
    public Keyspace keyspace(int db) {
        check(db);
        return keyspace;
    }

    @Override
    public long size(int db) {
        return keyspace(db).size();
    }

    @Override
    public void swap(int a, int b) {
        check(a);
        check(b);
    }

    @Override
    public boolean move(byte[] key, int from, int to) {
        check(from);
        check(to);
        throw new IllegalArgumentException("source and destination databases are the same");
    }

    @Override
    public boolean copy(byte[] source, int from, byte[] destination, int to, boolean replace) {
        check(from);
        check(to);
        byte[] value = keyspace.get(source);
        if (value == null || !replace && keyspace.get(destination) != null) {
            return false;
        }
        keyspace.put(destination, value);
        return true;
    }

    @Override
    public void clearAll() {
        keyspace.clear();
    }

    /** Never called: with one database, every transaction writes to one (see {@link CommandKeyspace#commit}). */
    @Override
    public void apply(DatabaseChanges changes) {
        throw new IllegalStateException("a server of one database has no changes of several");
    }

    private static void check(int db) {
        if (db != 0) {
            throw new IllegalArgumentException("database " + db + " is not 0..0");
        }
    }
}
