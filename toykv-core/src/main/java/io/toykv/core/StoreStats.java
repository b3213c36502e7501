package io.toykv.core;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A snapshot of a store's counters, taken by {@link Store#stats()}. Byte counts are bytes in use
 * (written), not the preallocated size of the files.
 */
public final class StoreStats {
    private final int shards;
    private final long liveKeys;
    private final long keysLogBytes;
    private final long valuesLogBytes;
    private final long bufferBytes;
    private final long indexBytes;
    private final int segments;
    private final SyncMode syncMode;
    private final boolean directIo;
    private final Map<String, Long> garbageBySegment;
    private final Gc gc;
    private final Sync sync;

    /** Garbage-collection counters since open. */
    record Gc(
            long runs,
            long segmentsReclaimed,
            long bytesReclaimed,
            long bytesWritten,
            long keysLogCompactions,
            long failures,
            String lastError,
            long paceNanos) {}

    /**
     * Counters of the {@link SyncMode#EVERY_SECOND} thread's failures that were not fatal, since open,
     * and whether a failed force stopped the store's writes.
     */
    record Sync(long failures, String lastError, boolean lastOk, boolean writesStopped) {}

    StoreStats(
            int shards,
            long liveKeys,
            long keysLogBytes,
            long valuesLogBytes,
            long bufferBytes,
            long indexBytes,
            int segments,
            SyncMode syncMode,
            boolean directIo,
            Map<String, Long> garbageBySegment,
            Gc gc,
            Sync sync) {
        this.shards = shards;
        this.liveKeys = liveKeys;
        this.keysLogBytes = keysLogBytes;
        this.valuesLogBytes = valuesLogBytes;
        this.bufferBytes = bufferBytes;
        this.indexBytes = indexBytes;
        this.segments = segments;
        this.syncMode = syncMode;
        this.directIo = directIo;
        this.garbageBySegment = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(garbageBySegment));
        this.gc = gc;
        this.sync = sync;
    }

    public int shards() {
        return shards;
    }

    /** Keys present now. */
    public long liveKeys() {
        return liveKeys;
    }

    /** Bytes of records in the keys logs ({@code .k}), live and dead. */
    public long keysLogBytes() {
        return keysLogBytes;
    }

    /** Bytes written to values-log segments ({@code .v}), live and dead, padding included. */
    public long valuesLogBytes() {
        return valuesLogBytes;
    }

    /** Bytes staged in the buffers ({@code .b}) and not yet flushed to a segment. */
    public long bufferBytes() {
        return bufferBytes;
    }

    /** Estimated heap bytes held by the in-memory index. */
    public long indexBytes() {
        return indexBytes;
    }

    /** Values-log segment files. */
    public int segments() {
        return segments;
    }

    public SyncMode syncMode() {
        return syncMode;
    }

    /** Whether values-log writes use O_DIRECT (false after a fallback to buffered I/O). */
    public boolean directIo() {
        return directIo;
    }

    /**
     * Garbage bytes of each sealed values-log segment ({@code shard-000/00000003.v}): its size minus the
     * live values in it. The head segment, still being written, is not listed.
     */
    public Map<String, Long> garbageBytesBySegment() {
        return garbageBySegment;
    }

    /** Garbage bytes over all sealed segments. */
    public long garbageBytes() {
        long total = 0;
        for (long g : garbageBySegment.values()) {
            total += g;
        }
        return total;
    }

    /**
     * Garbage-collection passes completed since open: one for each pass of a background thread over
     * its share of the shards ({@link StoreOptions#gcThreads} threads share them), and one for each
     * {@link Store#compact()}, which goes over them all.
     */
    public long gcRuns() {
        return gc.runs();
    }

    /** Segments deleted by garbage collection since open. */
    public long gcSegmentsReclaimed() {
        return gc.segmentsReclaimed();
    }

    /** Bytes of segment files deleted by garbage collection since open. */
    public long gcBytesReclaimed() {
        return gc.bytesReclaimed();
    }

    /** Bytes of value records rewritten by garbage collection since open. */
    public long gcBytesWritten() {
        return gc.bytesWritten();
    }

    /** Keys-log rewrites since open. */
    public long keysLogCompactions() {
        return gc.keysLogCompactions();
    }

    /** Failed background collections since open. */
    public long gcFailures() {
        return gc.failures();
    }

    /**
     * Time puts spent slowed down since open, summed over the writers, so that the background collector
     * could catch up with the garbage they made (the values log well over its space target): the store's
     * write stalls. 0 while collection keeps up, and always with automatic collection off.
     */
    public long gcPaceNanos() {
        return gc.paceNanos();
    }

    /** The last background collection failure, or null. */
    public String gcLastError() {
        return gc.lastError();
    }

    /**
     * Background syncs ({@link SyncMode#EVERY_SECOND}) that failed since open without ending the store:
     * a write that failed (a full disk, say), which the next sync tries again. A failed force is not
     * counted here: it goes to {@link StoreOptions#onBackgroundFailure}.
     */
    public long syncFailures() {
        return sync.failures();
    }

    /**
     * The last background sync failure counted by {@link #syncFailures}, or its failed force (not
     * counted), or null.
     */
    public String lastSyncError() {
        return sync.lastError();
    }

    /** Whether the last background sync succeeded (true when none has failed, or one succeeded since). */
    public boolean lastSyncOk() {
        return sync.lastOk();
    }

    /**
     * Whether a failed force (on any thread) stopped every write, sync and compaction until the store
     * is reopened; reads go on.
     */
    public boolean writesStopped() {
        return sync.writesStopped();
    }

    /** Every counter by a stable snake_case name, in a fixed order (the server's INFO uses it). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("shards", shards);
        m.put("live_keys", liveKeys);
        m.put("keys_log_bytes", keysLogBytes);
        m.put("values_log_bytes", valuesLogBytes);
        m.put("buffer_bytes", bufferBytes);
        m.put("index_bytes", indexBytes);
        m.put("segments", segments);
        m.put("sync_mode", syncMode.name().toLowerCase(java.util.Locale.ROOT));
        m.put("direct_io", directIo ? 1 : 0);
        m.put("garbage_bytes", garbageBytes());
        m.put("gc_runs", gc.runs());
        m.put("gc_segments_reclaimed", gc.segmentsReclaimed());
        m.put("gc_bytes_reclaimed", gc.bytesReclaimed());
        m.put("gc_bytes_written", gc.bytesWritten());
        m.put("keys_log_compactions", gc.keysLogCompactions());
        m.put("gc_pace_micros", gc.paceNanos() / 1000);
        m.put("gc_failures", gc.failures());
        m.put("gc_last_error", gc.lastError() == null ? "" : gc.lastError());
        m.put("sync_last_status", sync.lastOk() ? "ok" : "err");
        m.put("sync_failures", sync.failures());
        m.put("sync_last_error", sync.lastError() == null ? "" : sync.lastError());
        m.put("writes_stopped", sync.writesStopped() ? 1 : 0);
        return m;
    }

    @Override
    public String toString() {
        return "StoreStats" + toMap();
    }
}
