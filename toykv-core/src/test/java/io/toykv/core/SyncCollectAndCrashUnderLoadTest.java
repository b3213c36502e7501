package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several writers (disjoint key spaces, each checked against its own model), readers
 * of everyone's keys (self-checking values), a syncer and a compactor hammer a store with small
 * buffers, so that halves are handed to the flusher, synced and rolled all the time; then a kill -9
 * (abandon) or a close, a reopen, and a full check, four rounds in each sync mode. Written by the
 * review of the double-buffered values buffer; {@code -Dtoykv.stress.scale=N} runs N times the work.
 */
class SyncCollectAndCrashUnderLoadTest {
    @TempDir
    Path dir;

    static final int WRITERS = 4;
    static final int KEYS_PER_WRITER = 400;

    static StoreOptions options(SyncMode mode) {
        return StoreOptions.defaults()
                .shards(2)
                .bufferSize(64 * 1024)
                .segmentSize(256 * 1024)
                .keysFileSize(64 * 1024)
                .maxValueSize(8000)
                .syncMode(mode)
                .gcGarbageRatio(0.2);
    }

    static byte[] key(int writer, int k) {
        return ("w" + writer + "-k" + k).getBytes();
    }

    /** A value naming its key and version, with a checksum, of a random length. */
    static byte[] value(byte[] key, long version, Random rnd) {
        int len = rnd.nextInt(20) == 0 ? 1000 + rnd.nextInt(6000) : 20 + rnd.nextInt(400);
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putInt(java.util.Arrays.hashCode(key));
        b.putLong(version);
        byte[] fill = new byte[len - 16];
        rnd.nextBytes(fill);
        b.put(fill);
        CRC32C c = new CRC32C();
        c.update(b.array(), 0, len - 4);
        b.putInt(len - 4, (int) c.getValue());
        return b.array();
    }

    static void check(byte[] key, byte[] v) {
        if (v == null) {
            return;
        }
        ByteBuffer b = ByteBuffer.wrap(v);
        if (b.getInt(0) != java.util.Arrays.hashCode(key)) {
            throw new AssertionError("value of another key for " + new String(key));
        }
        CRC32C c = new CRC32C();
        c.update(v, 0, v.length - 4);
        if (b.getInt(v.length - 4) != (int) c.getValue()) {
            throw new AssertionError("torn value for " + new String(key));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"NEVER-abandon", "NEVER-close", "ALWAYS-abandon", "EVERY_SECOND-abandon"})
    void hammer(String mode) throws Exception {
        SyncMode sync = SyncMode.valueOf(mode.substring(0, mode.lastIndexOf('-')));
        boolean abandon = mode.endsWith("abandon");
        int scale = Integer.getInteger("toykv.stress.scale", 1);
        int opsPerRound = (sync == SyncMode.ALWAYS ? 1500 : 8000) * scale;
        List<Map<Integer, byte[]>> models = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            models.add(new ConcurrentHashMap<>());
        }
        long[] versions = new long[WRITERS];
        for (int round = 0; round < 4; round++) {
            Store s = Store.open(dir, options(sync));
            // Check everything after the reopen.
            for (int w = 0; w < WRITERS; w++) {
                for (int k = 0; k < KEYS_PER_WRITER; k++) {
                    byte[] expect = models.get(w).get(k);
                    byte[] got = s.get(key(w, k));
                    if (expect == null) {
                        assertNull(got, "round " + round + " w" + w + " k" + k);
                    } else {
                        assertArrayEquals(expect, got, "round " + round + " w" + w + " k" + k);
                    }
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(WRITERS + 4);
            List<Future<?>> writers = new ArrayList<>();
            List<Future<?>> others = new ArrayList<>();
            final int r = round;
            for (int w = 0; w < WRITERS; w++) {
                final int ww = w;
                writers.add(pool.submit(() -> {
                    Random rnd = new Random(ww * 1000L + r);
                    Map<Integer, byte[]> model = models.get(ww);
                    for (int op = 0; op < opsPerRound; op++) {
                        int k = rnd.nextInt(KEYS_PER_WRITER);
                        byte[] key = key(ww, k);
                        int what = rnd.nextInt(100);
                        if (what < 60) {
                            byte[] v = value(key, ++versions[ww], rnd);
                            s.put(key, v);
                            model.put(k, v);
                        } else if (what < 70) {
                            s.delete(key);
                            model.remove(k);
                        } else {
                            byte[] got = s.get(key);
                            byte[] expect = model.get(k);
                            if (expect == null) {
                                assertNull(got, "w" + ww + " k" + k + " op " + op);
                            } else {
                                assertArrayEquals(expect, got, "w" + ww + " k" + k + " op " + op);
                            }
                        }
                    }
                    return null;
                }));
            }
            for (int rd = 0; rd < 2; rd++) {
                final int seed = rd;
                others.add(pool.submit(() -> {
                    Random rnd = new Random(seed);
                    while (!stop.get()) {
                        int w = rnd.nextInt(WRITERS);
                        byte[] key = key(w, rnd.nextInt(KEYS_PER_WRITER));
                        check(key, s.get(key));
                    }
                    return null;
                }));
            }
            others.add(pool.submit(() -> {
                while (!stop.get()) {
                    s.sync();
                    Thread.sleep(1);
                }
                return null;
            }));
            others.add(pool.submit(() -> {
                while (!stop.get()) {
                    s.compact();
                    Thread.sleep(5);
                }
                return null;
            }));
            try {
                for (Future<?> f : writers) {
                    f.get(300, TimeUnit.SECONDS);
                }
            } finally {
                stop.set(true);
                for (Future<?> f : others) {
                    f.get(60, TimeUnit.SECONDS);
                }
                pool.shutdown();
            }
            if (abandon) {
                Abandon.abandon(s);
            } else {
                s.close();
            }
        }
        try (Store s = Store.open(dir, options(sync))) {
            int live = 0;
            for (int w = 0; w < WRITERS; w++) {
                for (int k = 0; k < KEYS_PER_WRITER; k++) {
                    byte[] expect = models.get(w).get(k);
                    if (expect != null) {
                        live++;
                    }
                    byte[] got = s.get(key(w, k));
                    if (expect == null) {
                        assertNull(got);
                    } else {
                        assertArrayEquals(expect, got);
                    }
                }
            }
            assertEquals(live, s.size());
        }
    }
}
