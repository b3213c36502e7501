package io.toykv.core;

/**
 * When the store forces written data to the device.
 *
 * <p>Every mode survives a kill -9 of the process: a put or delete has reached the page cache (through
 * the memory-mapped buffer and keys log) before it returns. The modes differ in what survives a power
 * loss or a kernel crash.
 */
public enum SyncMode {
    /**
     * Each put and delete is on the device before it returns: its redo record is in the store's commit
     * journal ({@code journal.log}), whose one force acknowledges every writer waiting, of every shard
     * (group commit). The shards' own logs are forced once a second, as in {@link #EVERY_SECOND}; the
     * next open replays what the journal holds beyond that. An atomic batch ({@link Store#apply}) forces
     * its shards' logs and its commit record before it returns.
     */
    ALWAYS,
    /**
     * A background thread forces every shard once a second, like Redis's {@code appendfsync everysec}:
     * a power loss can lose up to about a second of writes (an atomic batch whole or not at all: a batch
     * forces nothing, and each round settles the batches before it). The default.
     */
    EVERY_SECOND,
    /**
     * Forcing is left to the operating system, and to {@link Store#sync()} and {@link Store#close()} (an
     * atomic batch whole or not at all; it forces nothing, and until a sync settles it a power loss that
     * drops it takes the later writes of its shards with it).
     */
    NEVER
}
