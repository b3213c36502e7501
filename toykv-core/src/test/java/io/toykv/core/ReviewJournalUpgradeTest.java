package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.CommitJournal;
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

/** Review of branch journalfix: the v1 -> v2 journal replacement and the store format bump. */
class ReviewJournalUpgradeTest {
    @TempDir
    Path dir;

    /**
     * A crash after the open replaced the version 1 journal by a version 2 one and before it wrote the
     * manifest of format 8 (here: the manifest's rename fails) leaves a store of format 7 whose journal
     * has no slot a format-7 build reads (main's CommitJournal.open: version 1 slots at 0 and 64 only).
     * The previous build does not refuse it as "written by a newer toykv": it fails the open with
     * "commit journal has no valid header slot" and points at the repair tool. Writing the manifest
     * (format 8) before replacing the journal would leave instead a format 8 store with a version 1
     * journal, which this build reads and an older one refuses clearly.
     */
    @Test
    void aCrashBetweenTheJournalsReplacementAndTheManifestLeavesAStoreTheOlderBuildCannotOpen()
            throws IOException {
        GoldenStore.unzip(7, dir);
        FileIo crashBeforeManifest = new ForwardingFileIo() {
            @Override
            public void move(Path from, Path to) throws IOException {
                if (to.getFileName().toString().equals(FileNames.MANIFEST)) {
                    throw new IOException("injected: power loss before the manifest's rename");
                }
                super.move(from, to);
            }
        };
        assertThrows(
                IOException.class,
                () -> Store.open(dir, GoldenStore.OPTIONS.copy().syncMode(SyncMode.ALWAYS).fileIo(crashBeforeManifest)));

        assertEquals(7, GoldenStore.manifestVersion(dir), "the manifest still says format 7");
        Path journal = FileNames.journal(dir);
        assertEquals(CommitJournal.VERSION, intAt(journal, CommitJournal.SLOT_SPACING + 4), "journal replaced");
        // What a format-7 build (main) accepts: a version 1 slot at offset 0 or 64.
        assertTrue(
                formatSevenBuildFindsASlot(journal),
                "a format 7 store whose journal a format 7 build cannot read: that build fails the open with"
                        + " 'commit journal has no valid header slot' instead of 'written by a newer toykv'");
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
        try (Store s = Store.open(dir, GoldenStore.OPTIONS.copy().syncMode(SyncMode.ALWAYS).fileIo(watch))) {
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
                if (h.getInt(at) == CommitJournal.MAGIC && h.getInt(at + 4) == 1 && h.getInt(at + 24) == (int) crc.getValue()) {
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
