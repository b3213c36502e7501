package io.toykv.server.command;

import io.toykv.core.ScanIterator;
import io.toykv.core.WriteBatch;
import java.util.Map;
import java.util.Objects;

/**
 * The keyspace of the database the current connection selected: every command group works on it
 * unchanged. {@link Dispatcher#execute} binds the connection's {@link Session} to the thread that runs
 * its command ({@link #bind}); with no session bound (the server's own calls) it is database 0.
 */
final class SelectedKeyspace implements Keyspace {
    private static final ThreadLocal<Session> CURRENT = new ThreadLocal<>();

    private final KeyspaceSet databases;

    SelectedKeyspace(KeyspaceSet databases) {
        this.databases = Objects.requireNonNull(databases, "databases");
    }

    /** What {@link #bind} returns when the session is bound already: closing it changes nothing. */
    private static final SessionBinding UNCHANGED = () -> {};

    /**
     * Binds {@code session} to this thread until the returned binding is closed. Binding the session the
     * thread has bound already costs a lookup and nothing more: a connection's reader binds its session
     * once ({@link Dispatcher#bindToThread}), so its commands neither set nor remove the thread-local.
     */
    static SessionBinding bind(Session session) {
        Session outer = CURRENT.get();
        if (outer == session) {
            return UNCHANGED;
        }
        CURRENT.set(session);
        return () -> {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        };
    }

    /** The database the current thread's connection selected (0 with none bound). */
    static int currentDatabase() {
        Session s = CURRENT.get();
        return s == null ? 0 : s.database();
    }

    private Keyspace current() {
        return databases.keyspace(currentDatabase());
    }

    @Override
    public void put(byte[] key, byte[] value) {
        current().put(key, value);
    }

    @Override
    public void check(byte[] key, byte[] value) {
        current().check(key, value);
    }

    @Override
    public long maxValueSize() {
        return current().maxValueSize();
    }

    @Override
    public byte[] get(byte[] key) {
        return current().get(key);
    }

    @Override
    public boolean delete(byte[] key) {
        return current().delete(key);
    }

    @Override
    public ScanIterator scan(byte[] fromInclusive, byte[] toExclusive) {
        return current().scan(fromInclusive, toExclusive);
    }

    @Override
    public long size() {
        return current().size();
    }

    @Override
    public void clear() {
        current().clear();
    }

    @Override
    public void sync() {
        current().sync();
    }

    @Override
    public Map<String, Object> stats() {
        return current().stats();
    }

    @Override
    public long now() {
        return current().now();
    }

    @Override
    public void put(byte[] key, byte[] value, long expireAtMillis) {
        current().put(key, value, expireAtMillis);
    }

    @Override
    public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
        return current().putIfAbsent(key, value, expireAtMillis);
    }

    @Override
    public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
        return current().putIfPresent(key, value, expireAtMillis);
    }

    @Override
    public boolean expireAt(byte[] key, long expireAtMillis) {
        return current().expireAt(key, expireAtMillis);
    }

    @Override
    public boolean persist(byte[] key) {
        return current().persist(key);
    }

    @Override
    public long expiry(byte[] key) {
        return current().expiry(key);
    }

    @Override
    public long version(byte[] key) {
        return current().version(key);
    }

    @Override
    public long expiringKeys() {
        return current().expiringKeys();
    }

    @Override
    public boolean applyAtomically(WriteBatch batch) {
        return current().applyAtomically(batch);
    }
}
