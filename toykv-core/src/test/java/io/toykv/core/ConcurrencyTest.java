package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers and readers on overlapping keys. Each value names its key, so a reader can tell a wrong
 * value from a right one; at the end every key holds the last value its last writer wrote, checked
 * against each writer's own record of what it wrote last.
 */
class ConcurrencyTest {
    @TempDir
    Path dir;

    private static byte[] key(int k) {
        return ("key-" + k).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int k, int writer, int seq) {
        byte[] tail = new byte[(seq * 31 + writer) % 500];
        Arrays.fill(tail, (byte) writer);
        String head = "key-" + k + "|" + writer + "|" + seq + "|";
        byte[] v = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + tail.length);
        System.arraycopy(tail, 0, v, head.length(), tail.length);
        return v;
    }

    private static boolean belongsTo(byte[] value, int k) {
        String s = new String(value, StandardCharsets.US_ASCII);
        return s.startsWith("key-" + k + "|");
    }

    @Test
    void writersAndReadersOnOverlappingKeys() throws Exception {
        run(StoreModelTest.smallFiles().shards(4).syncMode(SyncMode.NEVER), 4, 4000);
    }

    @Test
    void groupCommitWritersInAlwaysMode() throws Exception {
        run(StoreOptions.defaults().shards(2).syncMode(SyncMode.ALWAYS), 4, 150);
    }

    private void run(StoreOptions options, int writers, int opsPerWriter) throws Exception {
        int keys = 300;
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        AtomicBoolean done = new AtomicBoolean();
        // Writer w owns keys k with k % writers == w for its final pass, so the final state is known.
        List<Map<Integer, byte[]>> finals = new ArrayList<>();
        try (Store store = Store.open(dir, options)) {
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                Map<Integer, byte[]> mine = new TreeMap<>();
                finals.add(mine);
                threads.add(new Thread(() -> {
                    try {
                        Random r = new Random(id);
                        for (int i = 0; i < opsPerWriter; i++) {
                            int k = r.nextInt(keys);
                            if (r.nextInt(8) == 0) {
                                store.delete(key(k));
                            } else {
                                store.put(key(k), value(k, id, i));
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            for (int rd = 0; rd < 2; rd++) {
                int id = rd;
                threads.add(new Thread(() -> {
                    Random r = new Random(100 + id);
                    try {
                        while (!done.get()) {
                            int k = r.nextInt(keys);
                            byte[] v = store.get(key(k));
                            if (v != null && !belongsTo(v, k)) {
                                failures.add(new AssertionError("key " + k + " returned a value of another key"));
                            }
                            if (r.nextInt(200) == 0) {
                                byte[] last = null;
                                try (ScanIterator it = store.scan(null, null)) {
                                    while (it.hasNext()) {
                                        Entry e = it.next();
                                        if (last != null && Arrays.compareUnsigned(last, e.key()) >= 0) {
                                            failures.add(new AssertionError("scan out of order"));
                                        }
                                        last = e.key();
                                        int kk = Integer.parseInt(
                                                new String(e.key(), StandardCharsets.US_ASCII).substring(4));
                                        if (!belongsTo(e.value(), kk)) {
                                            failures.add(new AssertionError("scan: wrong value for " + kk));
                                        }
                                    }
                                }
                            }
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (int i = 0; i < writers; i++) {
                threads.get(i).join();
            }
            // Final pass: disjoint keys per writer, run concurrently, so the expected end state is exact.
            List<Thread> finalPass = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                finalPass.add(new Thread(() -> {
                    try {
                        for (int k = id; k < keys; k += writers) {
                            byte[] v = value(k, id, 1_000_000 + k);
                            store.put(key(k), v);
                            finals.get(id).put(k, v);
                        }
                    } catch (Throwable t) {
                        failures.add(t);
                    }
                }));
            }
            finalPass.forEach(Thread::start);
            for (Thread t : finalPass) {
                t.join();
            }
            done.set(true);
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(failures.isEmpty(), () -> "failures: " + failures);
            assertFinalState(store, finals, keys);
        }
        try (Store store = Store.open(dir, options)) {
            assertFinalState(store, finals, keys);
        }
    }

    private static void assertFinalState(Store store, List<Map<Integer, byte[]>> finals, int keys) {
        assertEquals(keys, store.size());
        for (Map<Integer, byte[]> m : finals) {
            for (Map.Entry<Integer, byte[]> e : m.entrySet()) {
                assertArrayEquals(e.getValue(), store.get(key(e.getKey())), "key " + e.getKey());
            }
        }
    }
}
