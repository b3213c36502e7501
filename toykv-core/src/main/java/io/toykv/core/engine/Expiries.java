package io.toykv.core.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * The expiry times of one shard's keys that have one: by key (for reads) and by time (for the sweep,
 * {@link ShardWriter#expireDue}). Keys without an expiry take no room here.
 *
 * <p>Concurrency: changed only by the shard's writer, under its write lock; read without a lock. A
 * reader that needs a key's value and its expiry as one pair reads the expiry before and after the
 * value and retries when the two differ ({@link Shard#get}).
 */
final class Expiries {
    /** One key's expiry, ordered by time and then by key, so two keys of the same millisecond both fit. */
    private record Due(long at, byte[] key) {}

    private static final Comparator<Due> BY_TIME =
            Comparator.comparingLong(Due::at).thenComparing(Due::key, Arrays::compareUnsigned);

    /** Bytes one entry takes on the heap, about: the map's node and key wrapper, the set's node and record. */
    static final int BYTES_PER_ENTRY = 200;

    private final ConcurrentHashMap<ByteBuffer, Long> byKey = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Due> byTime = new ConcurrentSkipListSet<>(BY_TIME);
    /** Entries in {@link #byKey}: a plain read, cheaper than the map's size on every put and get. */
    private volatile int count;

    /** When {@code key} expires, or 0 when it has no expiry (or is absent). Lock-free. */
    long get(byte[] key) {
        if (count == 0) {
            return 0;
        }
        Long at = byKey.get(ByteBuffer.wrap(key));
        return at == null ? 0 : at;
    }

    /** Whether {@code key} has an expiry at or before {@code now}. Lock-free. */
    boolean expired(byte[] key, long now) {
        long at = get(key);
        return at != 0 && at <= now;
    }

    /** Gives {@code key} the expiry {@code at}, or none when {@code at} is 0. Writer only. */
    void set(byte[] key, long at) {
        key = key.clone(); // the caller's array may change after the write returns
        ByteBuffer k = ByteBuffer.wrap(key);
        Long before = at == 0 ? byKey.remove(k) : byKey.put(k, at);
        if (before != null) {
            byTime.remove(new Due(before, key));
        }
        count += (at != 0 ? 1 : 0) - (before != null ? 1 : 0); // the writer alone changes it
        if (at != 0) {
            byTime.add(new Due(at, key));
        }
    }

    /** Forgets every expiry (a CLEAR). Writer only. */
    void clear() {
        byKey.clear();
        byTime.clear();
        count = 0;
    }

    /** Up to {@code max} keys whose expiry is at or before {@code now}, soonest first. */
    List<byte[]> due(long now, int max) {
        List<byte[]> out = new ArrayList<>();
        for (Due d : byTime) {
            if (d.at() > now || out.size() == max) {
                break;
            }
            out.add(d.key());
        }
        return out;
    }

    /** How many keys have an expiry at or before {@code now}: the work the sweep has left. */
    long dueCount(long now) {
        long n = 0;
        for (Due d : byTime) {
            if (d.at() > now) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Keys with an expiry. */
    int size() {
        return count;
    }
}
