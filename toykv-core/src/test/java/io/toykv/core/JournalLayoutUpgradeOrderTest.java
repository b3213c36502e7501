package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.CommitJournal;
import io.toykv.core.engine.StoreManifest;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The version 1 to 2 journal replacement comes after the manifest of the current store format (8 or later), and writes no v1 header. */
class JournalLayoutUpgradeOrderTest {
    @TempDir
    Path dir;

    /**
     * A crash before the manifest of the current format is written (here: its rename fails) leaves the version 1
     * journal in place: a store of format 7 that a format-7 build reads (a version 1 slot at 0 or 64).
     */
    @Test
    void aCrashBeforeTheManifestLeavesTheVersionOneJournal() throws IOException {
        GoldenStore.unzip(7, dir);
        FileIo crashBeforeManifest = failingMoveTo(FileNames.MANIFEST);
        assertThrows(
                IOException.class,
                () -> Store.open(
                        dir,
                        GoldenStore.OPTIONS.copy().syncMode(SyncMode.ALWAYS).fileIo(crashBeforeManifest)));

        assertEquals(7, GoldenStore.manifestVersion(dir), "the manifest still says format 7");
        assertTrue(formatSevenBuildFindsASlot(FileNames.journal(dir)), "a format 7 build finds a version 1 slot");
    }

    /**
     * A crash after the manifest of the current format and before the journal's replacement (here: its
     * rename fails) leaves a store of that format with a version 1 journal, which this build opens.
     */
    @Test
    void aCrashBeforeTheJournalsReplacementLeavesAnUpgradedStoreThisBuildOpens() throws IOException {
        GoldenStore.unzip(7, dir);
        FileIo crashBeforeJournal =
                failingMoveTo(FileNames.journal(dir).getFileName().toString());
        StoreOptions always = GoldenStore.OPTIONS.copy().syncMode(SyncMode.ALWAYS);
        assertThrows(IOException.class, () -> Store.open(dir, always.copy().fileIo(crashBeforeJournal)));

        assertEquals(
                StoreManifest.VERSION,
                GoldenStore.manifestVersion(dir),
                "the manifest says the current format before the journal's replacement");
        assertTrue(formatSevenBuildFindsASlot(FileNames.journal(dir)), "the version 1 journal is still in place");
        try (Store s = Store.open(dir, always)) {
            GoldenStore.assertContents(s, GoldenStore.fixtureContents(7)); // the journal's records too
        }
        assertEquals(CommitJournal.VERSION, intAt(FileNames.journal(dir), CommitJournal.SLOT_SPACING + 4));
    }

    private static FileIo failingMoveTo(String name) {
        return new ForwardingFileIo() {
            @Override
            public void move(Path from, Path to) throws IOException {
                if (to.getFileName().toString().equals(name)) {
                    throw new IOException("injected: power loss before the rename to " + name);
                }
                super.move(from, to);
            }
        };
    }

    /**
     * The upgrade replays the version 1 journal and then writes its header in the version 1 layout
     * (JournalReplay's restart: both slots in one sector) before replacing the file: one more write of
     * exactly the kind version 2 exists to avoid. A power loss that tears that sector leaves no valid
     * slot, and the next open fails ("commit journal has no valid header slot") though every record was
     * already synced into the shards. The replacement alone covers every record; the v1 header write
     * is not needed when the file is about to be replaced.
     */
    @Test
    void theUpgradeWritesNoHeaderInTheSingleSectorLayoutItIsReplacing() throws IOException {
        GoldenStore.unzip(7, dir);
        java.util.List<Long> v1HeaderWrites = new java.util.ArrayList<>();
        FileIo watch = new ForwardingFileIo() {
            @Override
            public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
                if (path.getFileName().toString().equals("journal.log") && position < 128) {
                    v1HeaderWrites.add(position);
                }
                return super.write(ch, path, src, position);
            }
        };
        try (Store s = Store.open(
                dir, GoldenStore.OPTIONS.copy().syncMode(SyncMode.ALWAYS).fileIo(watch))) {
            assertEquals(java.util.List.of(), v1HeaderWrites, "header writes in the version 1 layout");
        }
    }

    private static boolean formatSevenBuildFindsASlot(Path journal) throws IOException {
        try (FileChannel ch = FileChannel.open(journal)) {
            ByteBuffer h = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(h, 0);
            for (int at = 0; at <= 64; at += 64) {
                CRC32C crc = new CRC32C();
                crc.update(h.array(), at, 24);
                if (h.getInt(at) == CommitJournal.MAGIC
                        && h.getInt(at + 4) == 1
                        && h.getInt(at + 24) == (int) crc.getValue()) {
                    return true;
                }
            }
            return false;
        }
    }

    private static int intAt(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(b, at);
            return b.getInt(0);
        }
    }
}
