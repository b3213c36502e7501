package io.toykv.server.command;

import io.toykv.core.DatabaseChanges;
import io.toykv.core.Databases;
import io.toykv.core.StoreOptions;
import java.util.Objects;

/** {@link KeyspaceSet} over the engine's {@link Databases}. */
public final class StoreKeyspaceSet implements KeyspaceSet {
    private final Databases databases;
    private final StoreOptions options;

    /** The options must be those the databases were opened with (see {@link StoreKeyspace}). */
    public StoreKeyspaceSet(Databases databases, StoreOptions options) {
        this.databases = Objects.requireNonNull(databases, "databases");
        this.options = Objects.requireNonNull(options, "options");
    }

    @Override
    public int count() {
        return databases.count();
    }

    @Override
    public Keyspace keyspace(int db) {
        // Looked up per call, never kept: after a swap a database is in another store.
        return new StoreKeyspace(databases.database(db), options);
    }

    @Override
    public long size(int db) {
        return databases.isEmpty(db) ? 0 : databases.database(db).size();
    }

    @Override
    public void swap(int a, int b) {
        databases.swap(a, b);
    }

    @Override
    public boolean move(byte[] key, int from, int to) {
        return databases.move(key, from, to);
    }

    @Override
    public boolean copy(byte[] source, int from, byte[] destination, int to, boolean replace) {
        return databases.copy(source, from, destination, to, replace);
    }

    @Override
    public void clearAll() {
        databases.clearAll();
    }

    @Override
    public void apply(DatabaseChanges changes) {
        databases.apply(changes);
    }
}
