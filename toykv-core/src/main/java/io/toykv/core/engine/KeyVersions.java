package io.toykv.core.engine;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Change counters for one shard's keys, for {@link io.toykv.core.Store#version}: each key hashes to one
 * of {@value #STRIPES} stripes, and every change of a key (put, delete, a change of its expiry, its
 * expiry's removal of it) sets its stripe to the shard's append sequence of that change. A CLEAR sets
 * a floor under all of them. So a key's version changes whenever the key does, and otherwise only when
 * another key of its stripe does (about one chance in {@value #STRIPES} per other key written): a
 * version that did not change proves the key did not.
 *
 * <p>Written under the shard's write lock, read without one.
 */
final class KeyVersions {
    static final int STRIPES = 4096;

    private final AtomicLongArray stripes = new AtomicLongArray(STRIPES);
    private volatile long floor;

    /** The version of {@code key}. Lock-free. */
    long of(byte[] key) {
        return Math.max(floor, stripes.get(stripe(key)));
    }

    /** Records a change of {@code key} made by append {@code sequence}. Writer only. */
    void changed(byte[] key, long sequence) {
        stripes.set(stripe(key), sequence);
    }

    /** Records a change of every key (a CLEAR) made by append {@code sequence}. Writer only. */
    void changedAll(long sequence) {
        floor = sequence;
    }

    /** A hash independent of the shard routing (whose low bits the keys of one shard share). */
    private static int stripe(byte[] key) {
        int h = 0x9E3779B9;
        for (byte b : key) {
            h = (h ^ b) * 0x01000193;
        }
        h ^= h >>> 16;
        h *= 0x85EBCA6B;
        h ^= h >>> 13;
        return h & (STRIPES - 1);
    }
}
