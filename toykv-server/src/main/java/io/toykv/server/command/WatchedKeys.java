package io.toykv.server.command;

import java.util.HashSet;
import java.util.Set;

/**
 * One client's WATCHed keys, and whether one of them has changed since it was watched (EXEC then
 * replies null). {@link #keys} and {@link #closed} are guarded by this object's monitor, held by
 * {@link WatchRegistry} (the client's thread watches and unwatches; a close may come from another
 * thread, an eviction); {@link #dirty} is set by any writer's thread.
 */
final class WatchedKeys {
    final Set<WatchRegistry.Key> keys = new HashSet<>();
    /** The client is gone: nothing more is registered for it. */
    boolean closed;

    private volatile boolean dirty;

    boolean dirty() {
        return dirty;
    }

    void markDirty() {
        dirty = true;
    }

    void clearDirty() {
        dirty = false;
    }

    synchronized int size() {
        return keys.size();
    }

    synchronized boolean contains(int db, byte[] key) {
        return keys.contains(new WatchRegistry.Key(db, key));
    }
}
