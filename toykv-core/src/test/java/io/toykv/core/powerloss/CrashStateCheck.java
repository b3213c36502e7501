package io.toykv.core.powerloss;

import io.toykv.core.Entry;
import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens one crash state with the real recovery code and checks it against a {@link History.Snapshot}:
 * the open succeeds; each key holds the last value promised durable or a later one (never an older
 * one, so no deleted key comes back unless its delete was not yet durable), with the bytes that put
 * wrote; every atomic batch shows in all its keys or in none; no key the workload never wrote is there. Then, when asked, that the store keeps working: a
 * put, a delete, a collection, a reopen, and every key as expected.
 */
final class CrashStateCheck {
    /** A check that failed, with what was found. */
    static final class Failed extends Exception {
        Failed(String message) {
            super(message);
        }
    }

    private static final long FRESH_WRITE = Long.MAX_VALUE / 2;

    private CrashStateCheck() {}

    /** The workload's options, the clock stopped at {@code now} (the crash's time). */
    static StoreOptions options(Workload w, long now) {
        return w.options()
                .syncMode(SyncMode.NEVER)
                .autoCompaction(false)
                .clock(Clock.fixed(Instant.ofEpochMilli(now), ZoneOffset.UTC));
    }

    /** Opens the store in {@code dir}, checks it, and returns what each key holds (-1 absent). */
    static Map<Integer, Long> check(Path dir, Workload w, History.Snapshot expected, boolean keepWorking)
            throws IOException, Failed {
        Map<Integer, Long> found;
        try (Store store = Store.open(dir, options(w, expected.now()))) {
            found = verify(store, expected);
            String partial = expected.partialBatch(found);
            if (partial != null) {
                throw new Failed(partial);
            }
            if (!keepWorking) {
                return found;
            }
            store.put(Workload.key(0), Workload.value(FRESH_WRITE, 100));
            store.delete(Workload.key(1));
            store.compact();
        }
        try (Store store = Store.open(dir, options(w, expected.now()))) {
            found.put(0, FRESH_WRITE);
            found.put(1, -1L);
            for (int k = 0; k < expected.keys(); k++) {
                byte[] v = store.get(Workload.key(k));
                long write = v == null ? -1 : Workload.writeOf(v);
                if (write != found.get(k) || (v != null && !Arrays.equals(v, Workload.value(write, v.length)))) {
                    throw new Failed("after a put, a delete, compact() and a reopen of the recovered store, key " + k
                            + " holds " + describe(v) + ", expected write " + found.get(k));
                }
            }
            return found;
        }
    }

    private static Map<Integer, Long> verify(Store store, History.Snapshot expected) throws Failed {
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
                Set<Long> expiries = expected.allowedExpiries(k, write);
                if (!expiries.contains(at)) {
                    throw new Failed(
                            "key " + k + " holds write " + write + " expiring at " + at + "; after this crash it"
                                    + " may expire only at " + new TreeSet<>(expiries) + " (0: never)");
                }
            }
            found.put(k, write);
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
