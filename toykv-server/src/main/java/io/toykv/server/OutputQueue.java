package io.toykv.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Reply batches on their way from a connection's reader to its writer. Unbounded by design, so the
 * reader never waits for a client that is not reading yet; the connection enforces the output limit
 * with {@link #pendingBytes()}. Thread-safe: one producer, one consumer.
 */
final class OutputQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // Guarded by lock.
    private final ArrayDeque<byte[]> batches = new ArrayDeque<>();
    private boolean closed;
    private boolean failed;
    // Bytes queued or being written; written by both sides under lock, read anywhere.
    private volatile long pendingBytes;

    /** Queues a batch; false if the writer has failed (the client is gone) and the batch was dropped. */
    boolean push(byte[] batch) {
        lock.lock();
        try {
            if (failed) {
                return false;
            }
            batches.add(batch);
            pendingBytes += batch.length;
            changed.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Every queued batch, waiting for one; an empty list once closed and drained (or failed). */
    List<byte[]> takeAll() throws InterruptedException {
        lock.lock();
        try {
            while (batches.isEmpty() && !closed && !failed) {
                changed.await();
            }
            if (failed) {
                return List.of();
            }
            List<byte[]> out = new ArrayList<>(batches);
            batches.clear();
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Called by the writer once a batch taken by {@link #takeAll()} is on the wire. */
    void written(long bytes) {
        lock.lock();
        try {
            pendingBytes -= bytes;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more batches will come; the writer drains what is queued and stops. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The writer cannot write any more: drop everything. */
    void fail() {
        lock.lock();
        try {
            failed = true;
            batches.clear();
            pendingBytes = 0;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until everything queued is written (or the writer failed), for at most the timeout. */
    boolean awaitDrained(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        lock.lock();
        try {
            while (pendingBytes > 0 && !failed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changed.awaitNanos(left);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    long pendingBytes() {
        return pendingBytes;
    }
}
