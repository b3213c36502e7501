package io.toykv.core.powerloss;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a workload did to the store, and what the store promised durable: every change to every key in
 * order, each marked once a promise covers it (its own return in {@code ALWAYS} mode; a
 * {@code sync()} or {@code close()} that returned after it). Thread-safe: crash points come from the
 * store's own threads too.
 */
final class History {
    /**
     * A key's change: it holds the value of put number {@code write} from now on ({@code -1}: absent),
     * expiring at {@code expireAt} (0: never).
     */
    private record Change(int key, long write, int size, int index, long expireAt) {
        /** The write the key holds at {@code now}: -1 once its expiry passed. */
        long writeAt(long now) {
            return expireAt != 0 && expireAt <= now ? -1 : write;
        }
    }

    /** Applies to every key. */
    private static final int ALL_KEYS = -1;

    private final List<Change> changes = new ArrayList<>();
    private final List<Boolean> durable = new ArrayList<>();
    /** The changes of each atomic batch, by number. */
    private final List<List<Integer>> batches = new ArrayList<>();

    private final int keys;

    History(int keys) {
        this.keys = keys;
    }

    /**
     * Records that a change to {@code key} (the value of put {@code write}, {@code size} bytes, or -1 and 0
     * for absent) starts now; returns its number.
     */
    synchronized int start(int key, long write, int size) {
        return start(key, write, size, 0);
    }

    /** As {@link #start(int, long, int)}, the key expiring at {@code expireAt} (0: never). */
    synchronized int start(int key, long write, int size, long expireAt) {
        changes.add(new Change(key, write, size, changes.size(), expireAt));
        durable.add(false);
        return changes.size() - 1;
    }

    /** Records that the changes numbered {@code changes} (started just before) are one atomic batch. */
    synchronized void batch(List<Integer> changes) {
        batches.add(List.copyOf(changes));
    }

    /** Records that every key becomes absent (a clear) from now on; returns its number. */
    synchronized int startClear() {
        return start(ALL_KEYS, -1, 0);
    }

    /** Change {@code index} returned with a promise that it is durable. */
    synchronized void durable(int index) {
        durable.set(index, true);
    }

    /** Every change started so far returned, and a sync or close made them durable. */
    synchronized void allDurable() {
        durable.replaceAll(x -> true);
    }

    /** Changes started so far. */
    synchronized int size() {
        return changes.size();
    }

    /** What may be found at a crash now, with the clock at {@code now}. */
    synchronized Snapshot snapshot(long now) {
        return new Snapshot(List.copyOf(changes), List.copyOf(durable), List.copyOf(batches), keys, now);
    }

    /** The changes and promises at one moment. */
    static final class Snapshot {
        private final List<Change> changes;
        private final List<Boolean> durable;
        private final List<List<Integer>> batches;
        private final int keys;
        private final long now;

        private Snapshot(List<Change> changes, List<Boolean> durable, List<List<Integer>> batches, int keys, long now) {
            this.changes = changes;
            this.durable = durable;
            this.batches = batches;
            this.keys = keys;
            this.now = now;
        }

        /** The clock's time at this snapshot: what a store opened from the crash state compares expiries with. */
        long now() {
            return now;
        }

        int keys() {
            return keys;
        }

        /**
         * The writes {@code key} may hold after a crash (-1 for absent): the last durable change to it and
         * every change started after that one; with no durable change, also absent (the empty store).
         */
        Set<Long> allowed(int key) {
            Set<Long> out = new HashSet<>();
            int lastDurable = -1;
            for (Change c : changes) {
                if ((c.key == key || c.key == ALL_KEYS) && durable.get(c.index)) {
                    lastDurable = c.index;
                }
            }
            if (lastDurable < 0) {
                out.add(-1L);
            }
            for (Change c : changes) {
                if ((c.key == key || c.key == ALL_KEYS) && c.index >= lastDurable) {
                    out.add(c.writeAt(now));
                }
            }
            return out;
        }

        /**
         * The expiries {@code key} may have while it holds {@code write} after a crash (0: none): those of
         * the changes {@link #allowed} counts that leave it holding that write.
         */
        Set<Long> allowedExpiries(int key, long write) {
            int lastDurable = -1;
            for (Change c : changes) {
                if ((c.key == key || c.key == ALL_KEYS) && durable.get(c.index)) {
                    lastDurable = c.index;
                }
            }
            Set<Long> out = new HashSet<>();
            for (Change c : changes) {
                if (c.key == key && c.index >= lastDurable && c.writeAt(now) == write) {
                    out.add(c.expireAt);
                }
            }
            return out;
        }

        /**
         * Null if every atomic batch shows whole or not at all in {@code found} (the write each key holds,
         * -1 absent), else which one shows in part: a key holds the value a batch put there (each put's
         * value is its own), while another key of the batch holds what only a change before the batch
         * explains.
         */
        String partialBatch(java.util.Map<Integer, Long> found) {
            for (List<Integer> batch : batches) {
                Integer shown = null;
                for (int i : batch) {
                    Change c = changes.get(i);
                    if (c.write >= 0 && found.get(c.key) == c.write) {
                        shown = i;
                    }
                }
                if (shown == null) {
                    continue;
                }
                for (int i : batch) {
                    Change c = changes.get(i);
                    if (!explainedFrom(c.key, found.get(c.key), i)) {
                        return "an atomic batch shows in part: key " + changes.get(shown).key + " holds its write "
                                + changes.get(shown).write + ", but key " + c.key + " holds " + found.get(c.key)
                                + " (-1: absent), which only a change before the batch's (write " + c.write
                                + ") explains";
                    }
                }
            }
            return null;
        }

        /** Whether a change to {@code key} numbered {@code from} or later leaves it holding {@code write}. */
        private boolean explainedFrom(int key, long write, int from) {
            for (Change c : changes) {
                if ((c.key == key || c.key == ALL_KEYS) && c.index >= from && c.writeAt(now) == write) {
                    return true;
                }
            }
            return false;
        }

        /** The size of the value put number {@code write} wrote, or -1 if there was no such put. */
        int sizeOfWrite(long write) {
            for (Change c : changes) {
                if (c.write == write && c.key != ALL_KEYS) {
                    return c.size;
                }
            }
            return -1;
        }

        int size() {
            return changes.size();
        }

        /**
         * This snapshot with the first {@code returned} changes promised durable too: what a sync that
         * another thread started after they returned promises once it returns.
         */
        Snapshot durableBefore(int returned) {
            List<Boolean> d = new ArrayList<>(durable);
            for (int i = 0; i < Math.min(returned, d.size()); i++) {
                d.set(i, true);
            }
            return new Snapshot(changes, List.copyOf(d), batches, keys, now);
        }
    }
}
