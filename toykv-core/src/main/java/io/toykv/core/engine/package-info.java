/**
 * Internal: the engine under {@link io.toykv.core.Store}. A {@link io.toykv.core.engine.Shard} opens and
 * closes one shard and hands each call to its parts: the write path
 * ({@link io.toykv.core.engine.ShardWriter}), forces ({@link io.toykv.core.engine.GroupCommit}), and
 * garbage collection's moves, deletions and keys-log rewrites ({@link io.toykv.core.engine.SegmentEvacuation},
 * {@link io.toykv.core.engine.DeadSegments}, {@link io.toykv.core.engine.KeysLogCompaction}), which the
 * {@link io.toykv.core.engine.GarbageCollector} drives; what they share, and the lock that guards each
 * part of it, is {@link io.toykv.core.engine.ShardState}. Recovery of the index at open is
 * {@link io.toykv.core.engine.IndexRecovery}; the store's and each shard's manifests are
 * {@link io.toykv.core.engine.StoreManifest} and {@link io.toykv.core.engine.ShardManifest}. Atomic batches
 * across shards are {@link io.toykv.core.engine.AtomicBatches}, their commit records
 * {@link io.toykv.core.engine.BatchCommits}, and what keeps lock-free gets from seeing part of one
 * {@link io.toykv.core.engine.ReadFence}.
 *
 * <p>The engine uses the logs ({@code io.toykv.core.log}), the index and {@code io.toykv.core.io}, and of
 * the API package only its value types and options; {@code ArchitectureTest} checks it. Its classes are
 * public only so that the facade in {@code io.toykv.core} can use them. Not API.
 */
package io.toykv.core.engine;
