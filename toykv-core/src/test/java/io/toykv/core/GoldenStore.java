package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The golden stores under {@code compat/}: {@code vN-store.zip} is what the last build of store format
 * version N left after {@link #writeFixture} (run by that build; then the store was zipped, LOCK left
 * out): two shards, 64 KiB buffers, segments and keys files; sealed segments with garbage; and, as a
 * kill -9 leaves them, the last puts in the buffers only. From version 7 on, {@link #writeJournalFixture}
 * then leaves writes in the commit journal that no checkpoint covered. ({@code v4-store.zip} is
 * {@link FormatVersion4Test}'s own fixture; {@code v5-store.zip} was left by commit a20c2e3, {@code v6-store.zip}
 * by commit 5dfcbd3, {@code v7-store.zip} by commit 3665989, {@code v8-store.zip} by commit 7fa8616.)
 */
final class GoldenStore {
    static final StoreOptions OPTIONS = StoreOptions.defaults()
            .shards(2)
            .syncMode(SyncMode.NEVER)
            .bufferSize(64 * 1024)
            .segmentSize(64 * 1024)
            .keysFileSize(64 * 1024)
            .maxValueSize(4000)
            .autoCompaction(false);
    static final int KEYS = 1500;

    private GoldenStore() {}

    /**
     * The keys and values a fixture writes: key {@code i} is {@code prefix} and {@code i} in six digits;
     * value {@code (i, round)} is random bytes of a length and seed both drawn from {@code i} and
     * {@code round}, so each round of writes is told apart.
     */
    record Pairs(String prefix, int lengthPerKey, int lengthPerRound, int lengthModulus, long seedPerKey) {
        byte[] key(int i) {
            return String.format(prefix + "%06d", i).getBytes(StandardCharsets.US_ASCII);
        }

        byte[] value(int i, int round) {
            byte[] v = new byte[1 + (i * lengthPerKey + round * lengthPerRound) % lengthModulus];
            new Random(i * seedPerKey + round).nextBytes(v);
            return v;
        }

        /**
         * What a fixture leaves: every key of round 0, every third of round 1, every seventh from 1
         * deleted, every fiftieth from 2 of round 2 (key index to value, deleted keys absent).
         */
        Map<Integer, byte[]> fixtureContents() {
            Map<Integer, byte[]> m = new TreeMap<>();
            for (int i = 0; i < KEYS; i++) {
                m.put(i, value(i, i % 3 == 0 ? 1 : 0));
            }
            for (int i = 1; i < KEYS; i += 7) {
                m.remove(i);
            }
            for (int i = 2; i < KEYS; i += 50) {
                m.put(i, value(i, 2));
            }
            return m;
        }

        /** {@code others}: how many keys the store holds outside the model's keys. */
        void assertContents(Store s, Map<Integer, byte[]> model, int others) {
            assertEquals(model.size() + others, s.size());
            for (int i = 0; i < KEYS + 100; i++) {
                byte[] expected = model.get(i);
                if (expected == null) {
                    assertNull(s.get(key(i)), "key " + i);
                } else {
                    assertArrayEquals(expected, s.get(key(i)), "key " + i);
                }
            }
        }
    }

    /** The pairs of every golden store but version 4's. */
    static final Pairs PAIRS = new Pairs("compat:", 31, 7, 120, 3);

    static byte[] key(int i) {
        return PAIRS.key(i);
    }

    static byte[] value(int i, int round) {
        return PAIRS.value(i, round);
    }

    /** How each fixture was made, by the build of its version. */
    static void writeFixture(Path at) throws IOException {
        Store s = Store.open(at, OPTIONS);
        for (int i = 0; i < KEYS; i++) {
            s.put(key(i), value(i, 0));
        }
        for (int i = 0; i < KEYS; i += 3) {
            s.put(key(i), value(i, 1));
        }
        for (int i = 1; i < KEYS; i += 7) {
            s.delete(key(i));
        }
        s.sync();
        for (int i = 2; i < KEYS; i += 50) {
            s.put(key(i), value(i, 2));
        }
        s.abandon();
    }

    /**
     * From version 7 on, after {@link #writeFixture}: puts of keys 0-59 and a delete of key 61 in
     * {@code ALWAYS} mode, journaled, with the checkpoints' headers kept from the file
     * ({@link UncoveredJournal}), then a kill -9: the journal holds them uncovered.
     */
    static void writeJournalFixture(Path at) throws IOException {
        Store s = Store.open(at, OPTIONS.copy().syncMode(SyncMode.ALWAYS).fileIo(UncoveredJournal.IO));
        for (int i = 0; i < 60; i++) {
            s.put(key(i), value(i, 8));
        }
        s.delete(key(61));
        s.abandon();
    }

    /** What the golden store of {@code version} holds: key index to value, deleted keys absent. */
    static Map<Integer, byte[]> fixtureContents(int version) {
        Map<Integer, byte[]> m = fixtureContents();
        if (version >= 7) {
            for (int i = 0; i < 60; i++) {
                m.put(i, value(i, 8));
            }
            m.remove(61);
        }
        return m;
    }

    /** What {@link #writeFixture} leaves: key index to value, deleted keys absent. */
    static Map<Integer, byte[]> fixtureContents() {
        return PAIRS.fixtureContents();
    }

    /** Unzips the golden store of {@code version} into {@code dir}. */
    static void unzip(int version, Path dir) throws IOException {
        String name = "/compat/v" + version + "-store.zip";
        try (InputStream in = Objects.requireNonNull(GoldenStore.class.getResourceAsStream(name), name);
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path to = dir.resolve(e.getName()).normalize();
                if (e.isDirectory()) {
                    Files.createDirectories(to);
                    continue;
                }
                Files.createDirectories(to.getParent());
                Files.copy(zip, to);
            }
        }
    }

    /** The format version in {@code dir}'s store manifest. */
    static int manifestVersion(Path dir) throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(dir.resolve("toykv.meta")))
                .order(ByteOrder.LITTLE_ENDIAN)
                .getInt(4);
    }

    static void assertContents(Store s, Map<Integer, byte[]> model) {
        PAIRS.assertContents(s, model, 0);
    }

    /**
     * On a store opened from a golden one: puts (new records after the old ones, across segment rolls)
     * and deletes, a collection that must move something, puts left in the buffers by a crash
     * ({@code s} is abandoned), and a reopen of {@code dir}; checks the contents against {@code model}
     * (updated) after each step.
     */
    static void writeCollectCrashAndReopen(Store s, Path dir, Map<Integer, byte[]> model) throws IOException {
        for (int i = 0; i < KEYS + 100; i += 4) {
            s.put(key(i), value(i, 3));
            model.put(i, value(i, 3));
        }
        for (int i = 5; i < KEYS; i += 11) {
            s.delete(key(i));
            model.remove(i);
        }
        assertContents(s, model);
        s.compact();
        assertTrue(s.stats().gcBytesWritten() > 0, "compact() moved nothing");
        assertContents(s, model);
        for (int i = 6; i < KEYS; i += 13) {
            s.put(key(i), value(i, 4)); // buffered only, when the crash comes
            model.put(i, value(i, 4));
        }
        s.abandon();
        try (Store again = Store.open(dir, OPTIONS)) {
            assertContents(again, model);
        }
    }
}
