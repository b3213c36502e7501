package io.toykv.core.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SortedIndexTest {

    private static byte[] key(Random r) {
        byte[] k = new byte[1 + r.nextInt(12)];
        r.nextBytes(k);
        // Shared prefixes make the eight-byte prefix comparison tie often.
        if (r.nextBoolean()) {
            Arrays.fill(k, 0, Math.min(k.length, 9), (byte) 7);
        }
        return k;
    }

    @Test
    void cursorWithAnAddressFilterVisitsOnlyMatchingEntriesInKeyOrder() {
        Random r = new Random(11);
        SortedIndex index = new SortedIndex();
        TreeMap<byte[], Long> model = new TreeMap<>(Arrays::compareUnsigned);
        int[] len = new int[1];
        for (int i = 0; i < 50_000; i++) {
            byte[] k = key(r);
            long address = r.nextInt(1000);
            index.put(k, address, (int) address + 1, len);
            model.put(k, address);
        }
        List<byte[]> expected = new ArrayList<>();
        model.forEach((k, a) -> {
            if (a % 7 == 3) {
                expected.add(k);
            }
        });
        SortedIndex.Cursor c = index.cursor(null);
        List<byte[]> seen = new ArrayList<>();
        while (c.next(a -> a % 7 == 3)) {
            assertEquals(3, c.address() % 7);
            assertEquals(c.address() + 1, c.length());
            seen.add(c.key());
        }
        assertEquals(expected.size(), seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertArrayEquals(expected.get(i), seen.get(i), "entry " + i);
        }
    }

    @Test
    void manyRandomPutsAndRemovesMatchTreeMapIncludingInnerSplits() {
        long seed = 7;
        Random r = new Random(seed);
        SortedIndex index = new SortedIndex();
        TreeMap<byte[], Long> model = new TreeMap<>(Arrays::compareUnsigned);
        int[] len = new int[1];
        for (int i = 0; i < 200_000; i++) {
            byte[] k = key(r);
            if (r.nextInt(4) == 0) {
                Long expected = model.remove(k);
                assertEquals(expected == null ? -1 : expected, index.remove(k, len), "seed " + seed + " op " + i);
            } else {
                Long previous = model.put(k, (long) i);
                assertEquals(
                        previous == null ? -1 : previous, index.put(k, i, i % 1000, len), "seed " + seed + " op " + i);
            }
        }
        assertEquals(model.size(), index.size());
        for (Map.Entry<byte[], Long> e : model.entrySet()) {
            assertEquals(e.getValue(), index.get(e.getKey(), len));
            assertEquals(e.getValue() % 1000, len[0]);
        }
        assertCursorMatches(index, model, null);
        for (int i = 0; i < 200; i++) {
            assertCursorMatches(index, model, key(r));
        }
    }

    private static void assertCursorMatches(SortedIndex index, TreeMap<byte[], Long> model, byte[] from) {
        SortedIndex.Cursor c = index.cursor(from);
        for (Map.Entry<byte[], Long> e : (from == null ? model : model.tailMap(from, true)).entrySet()) {
            assertTrue(c.next());
            assertArrayEquals(e.getKey(), c.key());
            assertEquals(e.getValue(), c.address());
        }
        assertFalse(c.next());
    }

    @Test
    void bulkLoadThenUpdatesMatchTreeMap() {
        Random r = new Random(3);
        TreeMap<byte[], Long> model = new TreeMap<>(Arrays::compareUnsigned);
        for (int i = 0; i < 50_000; i++) {
            model.put(key(r), (long) i);
        }
        byte[][] keys = model.keySet().toArray(new byte[0][]);
        long[] addresses = model.values().stream().mapToLong(Long::longValue).toArray();
        SortedIndex index = new SortedIndex();
        index.load(keys, addresses, new int[keys.length], keys.length);
        int[] len = new int[1];
        for (int i = 0; i < 50_000; i++) {
            byte[] k = key(r);
            model.put(k, (long) -i - 2);
            index.put(k, -i - 2, 0, len);
        }
        assertEquals(model.size(), index.size());
        assertCursorMatches(index, model, null);
    }

    @Test
    void cursorNeverRepeatsOrSkipsStableKeysWhileTheWriterSplitsLeaves() throws Exception {
        SortedIndex index = new SortedIndex();
        int[] len = new int[1];
        // Stable keys (even numbers) stay throughout; the writer churns odd keys around them.
        List<byte[]> stable = new ArrayList<>();
        for (int i = 0; i < 20_000; i += 2) {
            byte[] k = String.format("%08d", i).getBytes();
            stable.add(k);
            index.put(k, i, 0, len);
        }
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            Random r = new Random(11);
            int[] l = new int[1];
            while (!stop.get()) {
                byte[] k = String.format("%08d", r.nextInt(10_000) * 2 + 1).getBytes();
                if (r.nextBoolean()) {
                    index.put(k, 1, 0, l);
                } else {
                    index.remove(k, l);
                }
            }
        });
        writer.start();
        try {
            for (int pass = 0; pass < 30; pass++) {
                int stableSeen = walkInOrderCounting(index, k -> (k[7] - '0') % 2 == 0);
                assertEquals(stable.size(), stableSeen, "pass " + pass);
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            stop.set(true);
            writer.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    /**
     * Walks the whole index with a cursor, asserting each key sorts after the one before (no repeat, no
     * step back); returns how many keys {@code stable} accepts.
     */
    private static int walkInOrderCounting(SortedIndex index, java.util.function.Predicate<byte[]> stable) {
        SortedIndex.Cursor c = index.cursor(null);
        byte[] last = null;
        int seen = 0;
        while (c.next()) {
            if (last != null) {
                assertTrue(Arrays.compareUnsigned(last, c.key()) < 0, "keys out of order or repeated");
            }
            last = c.key();
            if (stable.test(last)) {
                seen++;
            }
        }
        return seen;
    }

    /**
     * A cursor steps from a leaf to the next one through the parent it found the leaf in, which a
     * split may have copied meanwhile. Here the writer only adds keys, in random order and in runs at
     * either end of a leaf, so leaves split in the middle and at their ends and inner nodes split too
     * while the cursors walk: each walk still sees every stable key once, in order.
     */
    @Test
    void cursorSeesEveryStableKeyWhileInnerNodesSplit() throws Exception {
        SortedIndex index = new SortedIndex();
        int[] len = new int[1];
        int stableCount = 4_000;
        for (int i = 0; i < stableCount; i++) {
            index.put(String.format("%08d", i * 1_000).getBytes(), i, 0, len);
        }
        // A fixed number of puts, so the tree grows the same way however fast the readers run; the
        // readers walk until the writer is done.
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Random r = new Random(23);
            int[] l = new int[1];
            for (int run = 0; run < 2_000; run++) {
                // Between two stable keys; runs of ascending or descending keys split leaves at an end.
                int gap = r.nextInt(stableCount);
                int start = 1 + r.nextInt(900);
                boolean descending = r.nextBoolean();
                for (int j = 0; j < 40; j++) {
                    int offset = descending ? start + 40 - j : start + j;
                    index.put(String.format("%08d", gap * 1_000 + offset).getBytes(), run, 0, l);
                }
            }
            done.set(true);
        });
        writer.start();
        try {
            int passes = 0;
            while (!done.get() || passes == 0) {
                int stableSeen = walkInOrderCounting(index, k -> Integer.parseInt(new String(k)) % 1_000 == 0);
                assertEquals(stableCount, stableSeen, "pass " + passes);
                passes++;
            }
        } finally {
            writer.join();
        }
        assertTrue(index.size() > 50_000, "the writer grew the tree by splits: " + index.size());
    }

    /**
     * A cursor holds no lock, so one thread can change the tree between two of its steps: here, near
     * the key the cursor just returned, runs of ascending and descending keys split full leaves at
     * their ends (the full leaf stays, a new one joins it), other puts grow leaves in place of smaller
     * ones and split them in the middle, inner nodes split above them, keys go, and now and then the
     * tree is cleared or loaded. So the cursor often steps to a leaf's sibling through a parent the
     * tree no longer holds. Each walk must return keys in strictly increasing order, every key present
     * from its start to its end, and only keys with an address they had during it; each step's hint
     * must move an entry through replaceIf exactly when the key still points where the cursor read it.
     */
    @Test
    void aCursorStepsRightThroughSplitsCopiesAndClearsMadeBetweenItsSteps() {
        int stepsAfterAMove = 0;
        int keptThroughout = 0;
        for (long seed = 1; seed <= 8; seed++) {
            Random r = new Random(seed);
            boolean clearing = seed % 4 == 0;
            SortedIndex index = new SortedIndex();
            TreeMap<Integer, Long> model = new TreeMap<>();
            int[] len = new int[1];
            long nextAddress = 1;
            for (int i = 0; i < 6_000; i++) {
                int k = r.nextInt(1_000_000);
                long a = nextAddress++;
                index.put(numberedKey(k), a, 1, len);
                model.put(k, a);
            }
            Integer from = r.nextInt(3) == 0 ? null : r.nextInt(1_000_000);
            SortedIndex.Cursor c = index.cursor(from == null ? null : numberedKey(from));
            Set<Integer> throughout = new HashSet<>(
                    from == null ? model.keySet() : model.tailMap(from, true).keySet());
            Map<Integer, Set<Long>> addressesDuring = new HashMap<>();
            model.forEach((k, a) ->
                    addressesDuring.computeIfAbsent(k, x -> new HashSet<>()).add(a));
            List<Integer> seen = new ArrayList<>();
            int near = from == null ? 0 : from;
            int budget = 4_000; // changes in this walk, so that it ends
            while (c.next()) {
                int k = Integer.parseInt(new String(c.key(), 4, 8));
                String where = "seed " + seed + ", key " + k;
                assertTrue(seen.isEmpty() || seen.get(seen.size() - 1) < k, where + ": out of order or repeated");
                assertTrue(from == null || k >= from, where + ": before the cursor's start");
                assertTrue(addressesDuring.getOrDefault(k, Set.of()).contains(c.address()), where);
                seen.add(k);
                near = k;
                Long now = model.get(k);
                boolean shouldMove = now != null && now == c.address();
                assertTrue(index.mayPointAt(c.hint(), c.slot(), c.key(), c.address()) || !shouldMove, where);
                if (r.nextInt(4) == 0) {
                    long moved = nextAddress++;
                    assertEquals(
                            shouldMove, index.replaceIf(c.hint(), c.slot(), c.key(), c.address(), moved, 2), where);
                    if (shouldMove) {
                        model.put(k, moved);
                        addressesDuring.get(k).add(moved);
                        stepsAfterAMove++;
                    }
                }
                int changes = budget > 0 && r.nextInt(8) == 0 ? r.nextInt(12) : 0;
                budget -= changes;
                for (int i = 0; i < changes; i++) {
                    int op = r.nextInt(100);
                    int base = near + r.nextInt(4_000) - 200;
                    if (op < 30) { // an ascending run: full leaves split at their end
                        int step = 1 + r.nextInt(3);
                        for (int j = 0; j < 40; j++) {
                            nextAddress = putAndRecord(index, model, addressesDuring, base + j * step, nextAddress);
                        }
                    } else if (op < 50) { // a descending run: full leaves split at their start
                        for (int j = 0; j < 40; j++) {
                            nextAddress = putAndRecord(index, model, addressesDuring, base - j, nextAddress);
                        }
                    } else if (op < 80) {
                        nextAddress = putAndRecord(index, model, addressesDuring, base, nextAddress);
                    } else if (op < 99 || !clearing || r.nextInt(10) > 0) {
                        Integer gone = model.ceilingKey(base);
                        if (gone != null) {
                            assertEquals((long) model.remove(gone), index.remove(numberedKey(gone), len));
                            throughout.remove(gone);
                        }
                    } else if (r.nextBoolean()) {
                        index.clear();
                        model.clear();
                        throughout.clear();
                    } else { // a load replaces the tree: its keys count as put during the walk
                        TreeMap<Integer, Long> kept = new TreeMap<>(model.headMap(r.nextInt(1_000_000)));
                        byte[][] keys = kept.keySet().stream()
                                .map(SortedIndexTest::numberedKey)
                                .toArray(byte[][]::new);
                        long[] addresses = kept.values().stream()
                                .mapToLong(Long::longValue)
                                .toArray();
                        index.load(keys, addresses, new int[keys.length], keys.length);
                        model = kept;
                        throughout.clear();
                    }
                }
            }
            keptThroughout += throughout.size();
            Set<Integer> returned = new HashSet<>(seen);
            for (int k : throughout) {
                assertTrue(
                        returned.contains(k), "seed " + seed + ": key " + k + " was present throughout, not returned");
            }
        }
        assertTrue(stepsAfterAMove > 1_000, "replaceIf moved only " + stepsAfterAMove + " entries");
        assertTrue(keptThroughout > 10_000, "only " + keptThroughout + " keys were present throughout a walk");
    }

    /**
     * The cases of a sibling step through a parent the tree no longer holds, made one by one between two
     * steps of a cursor. Keys put in ascending order fill leaves of exactly {@value SortedIndex#MAX_LEAF}
     * under one root: leaf i holds keys 32 i to 32 i + 31 (times ten). The cursor reads the first key of
     * leaf 10; then leaf 10 splits at its end (it stays, a new leaf follows it), leaf 12 at its start
     * (its bound moves up, a new leaf takes the old one), leaf 13 in the middle (retired), one of its
     * halves grows into a bigger copy (retired), keys of leaf 14 go, and the root, the cursor's parent,
     * splits in two. The rest of the walk still returns every key present throughout once, in order,
     * with hints that move exactly the entries still where the cursor read them.
     */
    @Test
    void aSiblingStepThroughADetachedParentAfterEndSplitsGrowsAndARootSplit() {
        SortedIndex index = new SortedIndex();
        TreeMap<Integer, Long> model = new TreeMap<>();
        Map<Integer, Set<Long>> addressesDuring = new HashMap<>();
        int[] len = new int[1];
        long address = 1;
        for (int i = 0; i < 120 * SortedIndex.MAX_LEAF; i++) {
            address = putAndRecord(index, model, addressesDuring, 10 * i, address);
        }
        int first = 10 * 32 * 10;
        SortedIndex.Cursor c = index.cursor(numberedKey(first));
        assertTrue(c.next());
        assertArrayEquals(numberedKey(first), c.key());
        Set<Integer> throughout = new HashSet<>(model.tailMap(first, false).keySet());

        address = putAndRecord(index, model, addressesDuring, 10 * (32 * 10 + 31) + 5, address); // end of leaf 10
        for (int gone : new int[] {10 * 32 * 12, 10 * (32 * 14 + 3), 10 * (32 * 14 + 31)}) {
            index.remove(numberedKey(gone), len);
            model.remove(gone);
            throughout.remove(gone);
        }
        address = putAndRecord(index, model, addressesDuring, 10 * (32 * 12 + 31) + 5, address); // leaf 12 full again
        address = putAndRecord(index, model, addressesDuring, 10 * 32 * 12 + 5, address); // before its first key
        address = putAndRecord(index, model, addressesDuring, 10 * (32 * 13 + 5) + 5, address); // middle of leaf 13
        for (int j = 0; j < 12; j++) { // its right half (16 keys, room for 24) grows into a bigger copy
            address = putAndRecord(index, model, addressesDuring, 10 * (32 * 13 + 16 + j) + 5, address);
        }
        for (int leaf = 40; leaf < 50; leaf++) { // leaves enough for the root to split
            address = putAndRecord(index, model, addressesDuring, 10 * (32 * leaf + 31) + 5, address);
        }

        int last = first;
        Set<Integer> returned = new HashSet<>();
        while (c.next()) {
            int k = Integer.parseInt(new String(c.key(), 4, 8));
            assertTrue(k > last, "key " + k + " after " + last + ": out of order or repeated");
            assertTrue(addressesDuring.get(k).contains(c.address()), "key " + k);
            last = k;
            returned.add(k);
            boolean shouldMove = model.containsKey(k) && model.get(k) == c.address();
            assertTrue(index.mayPointAt(c.hint(), c.slot(), c.key(), c.address()) || !shouldMove, "key " + k);
            assertEquals(shouldMove, index.replaceIf(c.hint(), c.slot(), c.key(), c.address(), address, 2), "key " + k);
            if (shouldMove) {
                model.put(k, address++);
            }
        }
        for (int k : throughout) {
            assertTrue(returned.contains(k), "key " + k + " was present throughout, not returned");
        }
        for (Map.Entry<Integer, Long> e : model.entrySet()) {
            assertEquals(e.getValue(), index.get(numberedKey(e.getKey()), len), "key " + e.getKey());
        }
    }

    private static byte[] numberedKey(int k) {
        return String.format("key:%08d", k).getBytes();
    }

    private static long putAndRecord(
            SortedIndex index,
            TreeMap<Integer, Long> model,
            Map<Integer, Set<Long>> addressesDuring,
            int k,
            long address) {
        if (k < 0) {
            return address;
        }
        index.put(numberedKey(k), address, 1, new int[1]);
        model.put(k, address);
        addressesDuring.computeIfAbsent(k, x -> new HashSet<>()).add(address);
        return address + 1;
    }

    /**
     * Keys that only the packed leaf layout finds hard: keys of at most eight bytes whose zero-padded
     * prefixes tie ("ab" and "ab\0"), long keys sharing their first eight bytes, and the longest key
     * the key-length field allows. Every key's record length is checked too: it shares a slot with
     * the tail offsets that inserts and removes shift.
     */
    @Test
    void tiedPrefixesAndLongTailsMatchTreeMap() {
        long seed = 19;
        Random r = new Random(seed);
        SortedIndex index = new SortedIndex();
        TreeMap<byte[], Integer> model = new TreeMap<>(Arrays::compareUnsigned);
        int[] len = new int[1];
        for (int i = 0; i < 300_000; i++) {
            byte[] k = trickyKey(r);
            if (r.nextInt(3) == 0) {
                Integer expected = model.remove(k);
                long removed = index.remove(k, len);
                assertEquals(expected == null, removed < 0, "seed " + seed + " op " + i);
                if (expected != null) {
                    assertEquals(expected.intValue(), len[0], "seed " + seed + " op " + i);
                }
            } else {
                int length = r.nextInt(Integer.MAX_VALUE);
                model.put(k, length);
                index.put(k, i, length, len);
            }
        }
        assertEquals(model.size(), index.size());
        for (Map.Entry<byte[], Integer> e : model.entrySet()) {
            assertTrue(index.get(e.getKey(), len) >= 0);
            assertEquals(e.getValue().intValue(), len[0]);
        }
        SortedIndex.Cursor c = index.cursor(null);
        for (Map.Entry<byte[], Integer> e : model.entrySet()) {
            assertTrue(c.next());
            assertArrayEquals(e.getKey(), c.key());
            assertEquals(e.getValue().intValue(), c.length());
        }
        assertFalse(c.next());
        for (int i = 0; i < 300; i++) {
            byte[] from = trickyKey(r);
            SortedIndex.Cursor fromCursor = index.cursor(from);
            for (byte[] k : model.tailMap(from, true).keySet()) {
                assertTrue(fromCursor.next());
                assertArrayEquals(k, fromCursor.key(), "seed " + seed + ", scan from " + Arrays.toString(from));
            }
            assertFalse(fromCursor.next());
        }
    }

    private static byte[] trickyKey(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return new byte[] {'a', 'b'};
            case 1:
                return new byte[] {'a', 'b', 0};
            case 2:
                return new byte[] {'a', 'b', 0, 0, 0, 0, 0, 0, 0};
            case 3: {
                byte[] k = new byte[1 + r.nextInt(8)]; // short, with zeros in it: ties on the padded prefix
                for (int i = 0; i < k.length; i++) {
                    k[i] = (byte) (r.nextInt(3) == 0 ? 0 : 'a' + r.nextInt(2));
                }
                return k;
            }
            case 4:
                if (r.nextInt(200) == 0) {
                    byte[] k = new byte[0xFFFF]; // the largest key length a record can hold
                    Arrays.fill(k, (byte) 'a');
                    k[k.length - 1] = (byte) r.nextInt(4);
                    return k;
                }
                return new byte[] {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
            case 5: // redis-benchmark's shape: a long shared head, the differences at the end
                return String.format("key:%012d", r.nextInt(5_000)).getBytes();
            case 6: { // a shared head of random length, so inner nodes share differing numbers of bytes
                byte[] k = new byte[1 + r.nextInt(24)];
                Arrays.fill(k, (byte) 'u');
                k[r.nextInt(k.length)] = (byte) ('a' + r.nextInt(3));
                return k;
            }
            default: {
                byte[] k = new byte[9 + r.nextInt(24)]; // a shared eight-byte head, then a short random tail
                Arrays.fill(k, 0, 8, (byte) 'a');
                for (int i = 8; i < k.length; i++) {
                    k[i] = (byte) (r.nextInt(3) == 0 ? 0 : 'a' + r.nextInt(3));
                }
                return k;
            }
        }
    }

    /**
     * Readers against a writer that changes leaves in place: every get of a stable key finds it, with
     * an address and record length from the same put (the writer keeps length == address % 1000), and
     * no get ever finds a key that was never put.
     */
    @Test
    void getsSeeWholeEntriesWhileTheWriterChangesLeavesInPlace() throws Exception {
        SortedIndex index = new SortedIndex();
        int[] len = new int[1];
        List<byte[]> stable = new ArrayList<>();
        for (int i = 0; i < 20_000; i += 2) {
            byte[] k = String.format("%08d", i).getBytes();
            stable.add(k);
            index.put(k, i, i % 1000, len);
        }
        AtomicBoolean stop = new AtomicBoolean();
        Thread writer = new Thread(() -> {
            Random r = new Random(23);
            int[] l = new int[1];
            while (!stop.get()) {
                int id = r.nextInt(10_000) * 2;
                long address = r.nextInt(1 << 30);
                if (r.nextBoolean()) {
                    index.put(stable.get(id / 2), address, (int) (address % 1000), l); // replace in place
                }
                byte[] odd = String.format("%08d", id + 1).getBytes();
                if (r.nextBoolean()) {
                    index.put(odd, address, (int) (address % 1000), l); // shifts the stable keys after it
                } else {
                    index.remove(odd, l);
                }
            }
        });
        writer.start();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable reading = () -> {
            Random r = new Random(Thread.currentThread().getId());
            int[] l = new int[1];
            try {
                for (int i = 0; i < 2_000_000; i++) {
                    byte[] k = stable.get(r.nextInt(stable.size()));
                    long address = index.get(k, l);
                    assertTrue(address >= 0, "stable key missing");
                    assertEquals(address % 1000, l[0], "address and length from different puts");
                    assertEquals(
                            -1,
                            index.get(String.format("%08dx", r.nextInt(20_000)).getBytes(), l));
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        };
        Thread[] readers = {new Thread(reading), new Thread(reading)};
        for (Thread t : readers) {
            t.start();
        }
        for (Thread t : readers) {
            t.join();
        }
        stop.set(true);
        writer.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    @Test
    void replaceIfMovesOnlyAnEntryStillAtTheExpectedAddress() {
        SortedIndex index = new SortedIndex();
        int[] len = new int[1];
        byte[] k = "key:000000000042".getBytes();
        index.put(k, 100, 7, len);
        assertFalse(index.replaceIf(k, 99, 200, 8), "a stale expected address must not move the entry");
        assertEquals(100, index.get(k, len));
        assertEquals(7, len[0]);
        assertTrue(index.replaceIf(k, 100, 200, 8));
        assertEquals(200, index.get(k, len));
        assertEquals(8, len[0]);
        assertFalse(index.replaceIf("key:000000000043".getBytes(), 100, 300, 9), "an absent key is not added");
        assertEquals(1, index.size());
    }

    /**
     * Hints taken by a walk, then used after the tree changed under them: leaves grown, split, emptied,
     * the whole index cleared and refilled. Every replaceIf through a hint must answer and act as one
     * without it would (checked against a model), never write into a leaf the tree no longer holds,
     * whether its slot guess is the cursor's (often stale by then) or wrong. mayPointAt, asked first,
     * must never deny a key replaceIf would move, and must deny some of those it would not (keys
     * overwritten in a leaf that kept its shape).
     */
    @Test
    void replaceIfThroughAHintActsAsWithoutOneAfterTheTreeChanged() {
        int denied = 0;
        for (long seed = 1; seed <= 20; seed++) {
            Random r = new Random(seed);
            SortedIndex index = new SortedIndex();
            TreeMap<byte[], long[]> model = new TreeMap<>(Arrays::compareUnsigned);
            int[] len = new int[1];
            for (int i = 0; i < 3_000; i++) {
                byte[] k = key(r);
                long a = 1 + r.nextInt(1_000_000);
                index.put(k, a, 5, len);
                model.put(k, new long[] {a, 5});
            }
            List<byte[]> hintedKeys = new ArrayList<>();
            List<Long> hintedAddresses = new ArrayList<>();
            List<SortedIndex.Hint> hints = new ArrayList<>();
            List<Integer> slots = new ArrayList<>();
            SortedIndex.Cursor c = index.cursor(null);
            while (c.next()) {
                if (r.nextInt(3) == 0) {
                    hintedKeys.add(c.key());
                    hintedAddresses.add(c.address());
                    hints.add(c.hint());
                    slots.add(c.slot());
                }
            }
            boolean cleared = seed % 4 == 0;
            if (cleared) {
                index.clear();
                model.clear();
                for (int i = 0; i < hintedKeys.size(); i += 2) { // half come back at their old address
                    index.put(hintedKeys.get(i), hintedAddresses.get(i), 5, len);
                    model.put(hintedKeys.get(i), new long[] {hintedAddresses.get(i), 5});
                }
            }
            for (int i = 0; i < 6_000; i++) { // inserts grow and split the hinted leaves; some keys change or go
                int op = r.nextInt(10);
                byte[] k = op < 7 || hintedKeys.isEmpty() ? key(r) : hintedKeys.get(r.nextInt(hintedKeys.size()));
                if (op == 9) {
                    index.remove(k, len);
                    model.remove(k);
                } else {
                    long a = 1 + r.nextInt(1_000_000);
                    index.put(k, a, 6, len);
                    model.put(k, new long[] {a, 6});
                }
            }
            for (int i = 0; i < hints.size(); i++) {
                byte[] k = hintedKeys.get(i);
                long expected = hintedAddresses.get(i);
                long[] now = model.get(k);
                boolean shouldMove = now != null && now[0] == expected;
                int slot = r.nextInt(4) > 0 ? slots.get(i) : r.nextInt(SortedIndex.MAX_LEAF + 2) - 1;
                String where = "seed " + seed + ", hinted key " + i + (cleared ? " (after a clear)" : "");
                boolean may = index.mayPointAt(hints.get(i), slot, k, expected);
                assertTrue(may || !shouldMove, where + ": mayPointAt denied a key that still points there");
                denied += may ? 0 : 1;
                assertEquals(shouldMove, index.replaceIf(hints.get(i), slot, k, expected, 2_000_000 + i, 9), where);
                if (shouldMove) {
                    model.put(k, new long[] {2_000_000 + i, 9});
                }
            }
            assertEquals(model.size(), index.size());
            for (Map.Entry<byte[], long[]> e : model.entrySet()) {
                assertEquals(e.getValue()[0], index.get(e.getKey(), len), "seed " + seed);
                assertEquals(e.getValue()[1], len[0]);
            }
        }
        assertTrue(denied > 10, "mayPointAt denied only " + denied + " keys written since the walk");
    }

    /** A cursor's slot is where its entry is in its hinted leaf, as long as the leaf does not change. */
    @Test
    void aCursorsSlotFindsItsEntryWithoutASearch() {
        SortedIndex index = new SortedIndex();
        int[] len = new int[1];
        for (int i = 0; i < 500; i++) {
            index.put(String.format("key:%06d", i).getBytes(), 1000 + i, 5, len);
        }
        SortedIndex.Cursor c = index.cursor(null);
        int seen = 0;
        int lastSlot = -1;
        while (c.next()) {
            assertTrue(c.slot() >= 0 && c.slot() < SortedIndex.MAX_LEAF, "slot " + c.slot());
            assertTrue(c.slot() == lastSlot + 1 || c.slot() == 0, "slots count up within a leaf, from 0 in the next");
            lastSlot = c.slot();
            assertTrue(index.mayPointAt(c.hint(), c.slot(), c.key(), c.address()));
            assertFalse(
                    index.mayPointAt(c.hint(), c.slot(), c.key(), c.address() + 1),
                    "the entry read whole says otherwise");
            seen++;
        }
        assertEquals(500, seen);
    }

    /** A hint taken before a load() (a whole-tree replacement like clear) must not reach the old leaf. */
    @Test
    void replaceIfThroughAHintTakenBeforeALoadDescends() {
        SortedIndex index = new SortedIndex();
        int[] len = new int[1];
        byte[] k = "key:000000000001".getBytes();
        index.put(k, 100, 5, len);
        SortedIndex.Cursor c = index.cursor(null);
        assertTrue(c.next());
        SortedIndex.Hint hint = c.hint();
        index.load(new byte[][] {k}, new long[] {100}, new int[] {5}, 1); // same key, same address, new tree
        assertTrue(index.replaceIf(hint, -1, k, 100, 200, 9));
        assertEquals(200, index.get(k, len), "the move must land in the loaded tree, not the old leaf");
        assertEquals(9, len[0]);
    }
}
