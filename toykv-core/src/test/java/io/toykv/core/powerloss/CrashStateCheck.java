package io.toykv.core.powerloss;

import io.toykv.core.Entry;
import io.toykv.core.ManualClock;
import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens one crash state with the real recovery code and checks it against a {@link History.Snapshot}:
 * the open succeeds; each key holds the last value promised durable or a later one (never an older
 * one, so no deleted key comes back unless its delete was not yet durable), with the bytes that put
 * wrote; every atomic batch shows in all its keys or in none; no key the workload never wrote is there. Then, when asked ({@link #checkKeepsWorking}), that
 * the store keeps working: writes, a collection, a reopen later on the explorer's clock, and every key
 * as expected.
 */
final class CrashStateCheck {
    /** A check that failed, with what was found. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    /** The writes of the keep-working check: a put, and a put expiring {@link #FRESH_TTL} after the crash. */
    private static final long FRESH_WRITE = Long.MAX_VALUE / 2;

    private static final long FRESH_EXPIRING = FRESH_WRITE + 1;
    private static final long FRESH_TTL = 2000;

    private CrashStateCheck() {}

    /** The workload's options with the clock {@code clock} (the explorer's time at the crash, then later). */
    static StoreOptions options(Workload w, Clock clock) {
        return w.options().syncMode(SyncMode.NEVER).autoCompaction(false).clock(clock);
    }

    /** Opens the store in {@code dir}, checks it, and returns what each key holds (-1 absent). */
    static Map<Integer, Long> check(Path dir, Workload w, History.Snapshot expected) throws IOException, Failed {
        try (Store store = Store.open(dir, options(w, new ManualClock(expected.now())))) {
            return verify(store, expected, new HashMap<>());
        }
    }

    /**
     * As {@link #check}, then that the recovered store keeps working: a put, a delete and a put with an
     * expiry, a collection ({@code compact()}), a close, and a reopen {@code laterBy} ms after the crash,
     * where every key holds what the first open found (or the new writes), with the same expiry, and
     * those whose expiry has passed by then are gone.
     */
    static void checkKeepsWorking(Path dir, Workload w, History.Snapshot expected, long laterBy)
            throws IOException, Failed {
        ManualClock clock = new ManualClock(expected.now());
        Map<Integer, Long> expiries = new HashMap<>();
        Map<Integer, Long> found;
        try (Store store = Store.open(dir, options(w, clock))) {
            found = verify(store, expected, expiries);
            store.put(Workload.key(0), Workload.value(FRESH_WRITE, 100));
            store.delete(Workload.key(1));
            store.put(Workload.key(2), Workload.value(FRESH_EXPIRING, 100), expected.now() + FRESH_TTL);
            store.compact();
        }
        found.put(0, FRESH_WRITE);
        expiries.put(0, 0L);
        found.put(1, -1L);
        found.put(2, FRESH_EXPIRING);
        expiries.put(2, expected.now() + FRESH_TTL);
        clock.advance(laterBy);
        long now = clock.millis();
        try (Store store = Store.open(dir, options(w, clock))) {
            long present = 0;
            for (int k = 0; k < expected.keys(); k++) {
                long expiry = expiries.getOrDefault(k, 0L);
                long want = found.get(k) >= 0 && (expiry == 0 || expiry > now) ? found.get(k) : -1;
                byte[] v = store.get(Workload.key(k));
                long write = v == null ? -1 : Workload.writeOf(v);
                if (write != want || (v != null && !Arrays.equals(v, Workload.value(write, v.length)))) {
                    throw new Failed("after a put, a delete, an expiring put, compact() and a reopen " + laterBy
                            + " ms after the crash, key " + k + " holds " + describe(v) + ", expected write " + want
                            + " (found " + found.get(k) + " expiring at " + expiry + ")");
                }
                if (v != null) {
                    present++;
                    long at = store.expiry(Workload.key(k));
                    if ((at == Store.NO_EXPIRY ? 0 : at) != expiry) {
                        throw new Failed("after the reopen, key " + k + " expires at " + at + ", expected " + expiry);
                    }
                }
            }
            if (store.size() != present) {
                throw new Failed("after the reopen, gets find " + present + " keys, size() " + store.size());
            }
        }
    }

    /** Checks every key against {@code expected}; returns the write each holds (-1 absent), and puts each present key's expiry (0: none) in {@code expiries}. */
    private static Map<Integer, Long> verify(Store store, History.Snapshot expected, Map<Integer, Long> expiries)
            throws Failed {
        Map<Integer, Long> found = new HashMap<>();
        for (int k = 0; k < expected.keys(); k++) {
            byte[] v = store.get(Workload.key(k));
            long write = v == null ? -1 : Workload.writeOf(v);
            Set<Long> allowed = expected.allowed(k);
            if (!allowed.contains(write)) {
                throw new Failed("key " + k + " holds " + describe(v) + "; after this crash it may hold only "
                        + new TreeSet<>(allowed) + " (-1: absent)");
            }
            if (v != null
                    && (v.length != expected.sizeOfWrite(write)
                            || !Arrays.equals(v, Workload.value(write, v.length)))) {
                throw new Failed("key " + k + " holds " + v.length + " bytes claiming to be write " + write
                        + ", which put " + expected.sizeOfWrite(write) + " other bytes");
            }
            if (v != null) {
                long expiry = store.expiry(Workload.key(k));
                long at = expiry == Store.NO_EXPIRY ? 0 : expiry;
                Set<Long> allowedExpiries = expected.allowedExpiries(k, write);
                if (!allowedExpiries.contains(at)) {
                    throw new Failed(
                            "key " + k + " holds write " + write + " expiring at " + at + "; after this crash it"
                                    + " may expire only at " + new TreeSet<>(allowedExpiries) + " (0: never)");
                }
                expiries.put(k, at);
            }
            found.put(k, write);
        }
        String partial = expected.partialBatch(found);
        if (partial != null) {
            throw new Failed(partial);
        }
        long present = found.values().stream().filter(x -> x >= 0).count();
        long scanned = 0;
        try (ScanIterator it = store.scan(null, null)) {
            while (it.hasNext()) {
                Entry e = it.next();
                int id = Workload.keyId(e.key());
                if (id < 0 || id >= expected.keys()) {
                    throw new Failed("a scan finds a key no put wrote: "
                            + new String(e.key(), java.nio.charset.StandardCharsets.ISO_8859_1));
                }
                scanned++;
            }
        }
        if (scanned != present || store.size() != present) {
            throw new Failed("gets find " + present + " keys, a scan " + scanned + ", size() " + store.size());
        }
        return found;
    }

    private static String describe(byte[] v) {
        return v == null ? "nothing" : "write " + Workload.writeOf(v) + " (" + v.length + " bytes)";
    }
}
