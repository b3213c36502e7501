package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.StoreManifest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by a build of format version 1, whose value records store their keys, opened by this
 * one: every key reads back, the manifest is upgraded (so an older build refuses the store from then on),
 * and new keyless records live beside the old ones, in the buffer, in segments, through garbage
 * collection and through a crash.
 *
 * <p>The fixture, {@code compat/v1-store.zip}, is what commit 2237b28 (the last version 1 build) left
 * after {@link #writeFixture}: two shards, 64 KiB buffers, segments and keys files; sealed segments
 * with garbage; and, as a kill -9 leaves them, the last puts in the buffers only.
 */
class FormatVersion1Test {
    static final StoreOptions OPTIONS = StoreOptions.defaults().shards(2).syncMode(SyncMode.NEVER)
            .bufferSize(64 * 1024).segmentSize(64 * 1024).keysFileSize(64 * 1024).maxValueSize(4000)
            .autoCompaction(false);
    private static final int KEYS = 1500;

    @TempDir
    Path dir;

    static byte[] key(int i) {
        return String.format("compat:%06d", i).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] value(int i, int round) {
        byte[] v = new byte[1 + (i * 31 + round * 7) % 120];
        new Random(i * 3L + round).nextBytes(v);
        return v;
    }

    /** How the fixture was made (run by the version 1 build; then the store was zipped, LOCK left out). */
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

    /** What {@link #writeFixture} leaves: key index to value, deleted keys absent. */
    private static Map<Integer, byte[]> fixtureContents() {
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

    private void unzipFixture() throws IOException {
        try (InputStream in = FormatVersion1Test.class.getResourceAsStream("/compat/v1-store.zip");
                ZipInputStream zip = new ZipInputStream(in)) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path to = dir.resolve(e.getName());
                Files.createDirectories(to.getParent());
                Files.copy(zip, to);
            }
        }
    }

    private int manifestVersion() throws IOException {
        return ByteBuffer.wrap(Files.readAllBytes(dir.resolve("toykv.meta"))).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
    }

    private static void assertContents(Store s, Map<Integer, byte[]> model) throws IOException {
        assertEquals(model.size(), s.size());
        for (int i = 0; i < KEYS + 100; i++) {
            byte[] expected = model.get(i);
            if (expected == null) {
                assertNull(s.get(key(i)), "key " + i);
            } else {
                assertArrayEquals(expected, s.get(key(i)), "key " + i);
            }
        }
    }

    @Test
    void aVersion1StoreOpensIsUpgradedAndTakesKeylessRecordsBesideItsOwn() throws IOException {
        unzipFixture();
        assertEquals(1, manifestVersion());
        Map<Integer, byte[]> model = fixtureContents();
        Path buffer = dir.resolve("shard-000").resolve("values.b");
        assertEquals(1, ByteBuffer.wrap(Files.readAllBytes(buffer)).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        assertEquals(4096 + 64 * 1024, Files.size(buffer));
        Store s = Store.open(dir, OPTIONS);
        assertEquals(StoreManifest.VERSION, manifestVersion(), "upgraded on open");
        // The buffer too: its records written to their segment, the file replaced by one of two halves.
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(buffer)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(2, Math.max(header.getInt(4), header.getInt(64 + 4)), "a slot of version 2"); // (the other may be empty)
        assertEquals(4096 + 2 * 64 * 1024, Files.size(buffer));
        assertContents(s, model); // keyed records in segments and in what the buffer held
        // New keyless records after the keyed ones, and across segment rolls.
        for (int i = 0; i < KEYS + 100; i += 4) {
            s.put(key(i), value(i, 3));
            model.put(i, value(i, 3));
        }
        for (int i = 5; i < KEYS; i += 11) {
            s.delete(key(i));
            model.remove(i);
        }
        assertContents(s, model);
        // Collection moves both kinds, each as it is.
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

    private void setManifestVersion(int version) throws IOException {
        Path meta = dir.resolve("toykv.meta");
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(meta)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(4, version);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, 12);
        b.putInt(12, (int) crc.getValue());
        Files.write(meta, b.array());
    }

    @Test
    void aStoreOfAFutureVersionIsRefusedByName() throws IOException {
        unzipFixture();
        setManifestVersion(StoreManifest.VERSION + 1);
        CorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptionException.class,
                () -> Store.open(dir, OPTIONS));
        assertTrue(e.getMessage().contains("unsupported store format version " + (StoreManifest.VERSION + 1)), e.getMessage());
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    @Test
    void aVersionBelowTheFirstIsRefused() throws IOException {
        unzipFixture();
        setManifestVersion(0);
        CorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptionException.class,
                () -> Store.open(dir, OPTIONS));
        assertTrue(e.getMessage().contains("unsupported store format version 0"), e.getMessage());
    }

    /** An open that fails (here: a damaged keys file) leaves a version 1 store at version 1, for the build that wrote it. */
    @Test
    void anOpenThatFailsDoesNotUpgrade() throws IOException {
        unzipFixture();
        Path keys = dir.resolve("shard-000").resolve("00000001.k");
        byte[] bytes = Files.readAllBytes(keys);
        bytes[4096 + 20] ^= 0x40; // inside the first record, well before the synced end
        Files.write(keys, bytes);
        org.junit.jupiter.api.Assertions.assertThrows(CorruptionException.class, () -> Store.open(dir, OPTIONS));
        assertEquals(1, manifestVersion());
    }
}
