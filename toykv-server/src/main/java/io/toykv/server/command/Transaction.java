package io.toykv.server.command;

import io.toykv.resp.BufferBudget;
import java.util.ArrayList;
import java.util.List;

/**
 * One client's MULTI state and WATCHed keys. Touched only by the client's own thread, except
 * {@link WatchedKeys#dirty()}, which writers set.
 *
 * <p>Queued commands are charged to the client's {@link BufferBudget} (its query side, counted
 * against {@code maxmemory-clients}), so a client cannot queue unbounded memory: past the budget it
 * is evicted like a client with a large request.
 */
final class Transaction {
    /** Charged per queued command beyond its arguments' bytes: the list entry and the arguments' list. */
    static final int QUEUED_COMMAND_OVERHEAD = 64;
    /** Charged per argument of a queued command beyond its bytes: the array's header and reference. */
    static final int QUEUED_ARGUMENT_OVERHEAD = 24;
    /** Charged per watched key beyond its bytes: its copy's header and the registry's entries. */
    static final int WATCHED_KEY_OVERHEAD = 96;

    /** A command accepted after MULTI, run by EXEC. */
    record Queued(CommandSpec spec, List<byte[]> args) {}

    final WatchedKeys watched = new WatchedKeys();
    private BufferBudget budget = BufferBudget.UNLIMITED;
    private List<Queued> queued; // null: not in MULTI
    private boolean failed; // a command was refused while queueing: EXEC aborts
    private long queuedBytes;
    private long watchedBytes;
    /**
     * The earliest expiry time among the watched keys when they were watched, or Long.MAX_VALUE: once
     * the clock reaches it, a watched key has expired (Redis's isWatchedKeyExpired), which no write
     * reports, and EXEC fails. A later change of that expiry is a write, reported as any other.
     */
    private long firstWatchedExpiry = Long.MAX_VALUE;

    /** Where queued commands and watched keys are charged; set before the first command. */
    void budget(BufferBudget budget) {
        this.budget = budget;
    }

    boolean active() {
        return queued != null;
    }

    void begin() {
        queued = new ArrayList<>();
        failed = false;
    }

    /** Charges then queues a command (the charge may throw {@link io.toykv.resp.BufferLimitException}). */
    void add(CommandSpec spec, List<byte[]> args) {
        long bytes = QUEUED_COMMAND_OVERHEAD;
        for (byte[] a : args) {
            bytes += a.length + QUEUED_ARGUMENT_OVERHEAD;
        }
        budget.reserve(bytes);
        queuedBytes += bytes;
        queued.add(new Queued(spec, args));
    }

    /** Charges a key about to be watched (may throw {@link io.toykv.resp.BufferLimitException}). */
    void chargeWatch(byte[] key) {
        long bytes = key.length + WATCHED_KEY_OVERHEAD;
        budget.reserve(bytes);
        watchedBytes += bytes;
    }

    /** The watched keys were dropped from the registry: gives back their charge. */
    void watchesReleased() {
        budget.release(watchedBytes);
        watchedBytes = 0;
        firstWatchedExpiry = Long.MAX_VALUE;
    }

    /** A key was watched whose expiry is {@code expiry} (a time, or a negative Store constant). */
    void watchedExpiry(long expiry) {
        if (expiry > 0) {
            firstWatchedExpiry = Math.min(firstWatchedExpiry, expiry);
        }
    }

    /** Whether a watched key that had an expiry when watched has expired by {@code now}. */
    boolean watchedKeyExpired(long now) {
        return firstWatchedExpiry <= now;
    }

    /** Redis's flagTransaction: a refused command makes EXEC fail, if in MULTI. */
    void markFailed() {
        if (queued != null) {
            failed = true;
        }
    }

    boolean failed() {
        return failed;
    }

    List<Queued> queued() {
        return queued;
    }

    /** Leaves MULTI (EXEC, DISCARD, an abort), giving back what queueing charged. */
    void end() {
        queued = null;
        failed = false;
        budget.release(queuedBytes);
        queuedBytes = 0;
    }

    /** CLIENT INFO's {@code multi}: -1 outside MULTI, else the number of queued commands. */
    int multiField() {
        return queued == null ? -1 : queued.size();
    }
}
