package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.StoreManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store written by a build of format version 1, whose value records store their keys, opened by this
 * one: every key reads back, the manifest is upgraded (so an older build refuses the store from then on),
 * and new keyless records live beside the old ones, in the buffer, in segments, through garbage
 * collection and through a crash.
 *
 * <p>The fixture, {@code compat/v1-store.zip}, is the version 1 golden store ({@link GoldenStore}).
 */
class FormatVersion1Test {
    private static final StoreOptions OPTIONS = GoldenStore.OPTIONS;
    private static final int KEYS = GoldenStore.KEYS;

    @TempDir
    Path dir;

    private static byte[] key(int i) {
        return GoldenStore.key(i);
    }

    private static byte[] value(int i, int round) {
        return GoldenStore.value(i, round);
    }

    private static Map<Integer, byte[]> fixtureContents() {
        return GoldenStore.fixtureContents();
    }

    private void unzipFixture() throws IOException {
        GoldenStore.unzip(1, dir);
    }

    private int manifestVersion() throws IOException {
        return GoldenStore.manifestVersion(dir);
    }

    private static void assertContents(Store s, Map<Integer, byte[]> model) {
        GoldenStore.assertContents(s, model);
    }

    @Test
    void aVersion1StoreOpensIsUpgradedAndTakesKeylessRecordsBesideItsOwn() throws IOException {
        unzipFixture();
        assertEquals(1, manifestVersion());
        Map<Integer, byte[]> model = fixtureContents();
        Path buffer = dir.resolve("shard-000").resolve("values.b");
        assertEquals(
                1,
                ByteBuffer.wrap(Files.readAllBytes(buffer))
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(4));
        assertEquals(4096 + 64 * 1024, Files.size(buffer));
        Store s = Store.open(dir, OPTIONS);
        assertEquals(StoreManifest.VERSION, manifestVersion(), "upgraded on open");
        // The buffer too: its records written to their segment, the file replaced by one of two halves.
        ByteBuffer header = ByteBuffer.wrap(Files.readAllBytes(buffer)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(
                2,
                Math.max(header.getInt(4), header.getInt(64 + 4)),
                "a slot of version 2"); // (the other may be empty)
        assertEquals(4096 + 2 * 64 * 1024, Files.size(buffer));
        assertContents(s, model); // keyed records in segments and in what the buffer held
        // New keyless records after the keyed ones, across segment rolls; collection moves both kinds.
        GoldenStore.writeCollectCrashAndReopen(s, dir, model);
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
        CorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(
                CorruptionException.class, () -> Store.open(dir, OPTIONS));
        assertTrue(
                e.getMessage().contains("unsupported store format version " + (StoreManifest.VERSION + 1)),
                e.getMessage());
        assertTrue(e.getMessage().contains("newer"), e.getMessage());
    }

    @Test
    void aVersionBelowTheFirstIsRefused() throws IOException {
        unzipFixture();
        setManifestVersion(0);
        CorruptionException e = org.junit.jupiter.api.Assertions.assertThrows(
                CorruptionException.class, () -> Store.open(dir, OPTIONS));
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
