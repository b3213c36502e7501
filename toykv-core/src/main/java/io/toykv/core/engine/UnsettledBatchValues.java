package io.toykv.core.engine;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The values of one shard that atomic batches not yet settled wrote ({@link BatchCommits#settle}), by
 * address. Such a batch may still be aborted by the next open (a power loss can take one of its parts),
 * and its values then count for nothing: a later record that names one of them (an expiry change, a
 * collection's move) would bring it back without the rest of the batch. So a writer of such a record
 * asks {@link #holds} first, and settles the batches (or leaves the value where it is) when it does.
 *
 * <p>Entries are added in commit order (under the shard's write lock, which every batch writing here
 * holds from its parts to its commit record) and dropped once a settle mark covers their commit record.
 * Guarded by the shard's write lock.
 */
final class UnsettledBatchValues {
    /** Whether a commit record (its number) is covered by a durable settle mark; null: no batches (a shard opened alone). */
    private volatile LongPredicate settled;

    /** Pairs of a commit record's number and an address, oldest first. */
    private final ArrayDeque<long[]> order = new ArrayDeque<>();

    private final Map<Long, Long> recordOf = new HashMap<>();

    void settledBy(LongPredicate isSettled) {
        this.settled = isSettled;
    }

    /** Notes that the batch with commit record {@code record}, not settled, wrote a value at {@code address}. */
    void add(long record, long address) {
        order.addLast(new long[] {record, address});
        recordOf.put(address, record);
    }

    /** Whether the value at {@code address} was written by a batch that is not settled yet. */
    boolean holds(long address) {
        prune();
        Long record = recordOf.get(address);
        return record != null && !settled.test(record);
    }

    /** Whether any value of this shard is a batch's that is not settled yet. */
    boolean any() {
        prune();
        return !order.isEmpty();
    }

    /** How many values are noted whose batches are not settled. */
    int size() {
        prune();
        return order.size();
    }

    /** Drops the entries whose batches a settle mark covers. */
    private void prune() {
        LongPredicate isSettled = settled;
        while (!order.isEmpty() && (isSettled == null || isSettled.test(order.peekFirst()[0]))) {
            long[] e = order.removeFirst();
            recordOf.remove(e[1], e[0]);
        }
    }
}
