package io.toykv.core.tools;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Abandon;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import io.toykv.core.UncoveredJournal;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dump of {@code journal.log}, read by the document alone: a real journal of an ALWAYS store that a
 * crash left uncovered, and malformed ones (no valid header slot, a ring cut short, a damaged record, a
 * length past the lap).
 */
class JournalDumpTest {
    /** A PUT of a 4-byte key and a 100-byte value; a DELETE of a 4-byte key. */
    private static final int PUT = 20 + 4 + 100;

    private static final int DELETE = 20 + 4;

    @TempDir
    Path dir;

    private String dump() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new FormatDump(new PrintStream(bytes, true, StandardCharsets.UTF_8), true).dump(dir);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Three puts and a delete in ALWAYS mode, journaled and not covered, then a kill -9. */
    @BeforeEach
    void writeThroughTheJournalAndCrash() throws Exception {
        Store s = Store.open(
                dir, StoreOptions.defaults().shards(1).syncMode(SyncMode.ALWAYS).fileIo(UncoveredJournal.IO));
        for (int i = 0; i < 3; i++) {
            s.put(("key" + i).getBytes(StandardCharsets.US_ASCII), new byte[100]);
        }
        s.delete("key1".getBytes(StandardCharsets.US_ASCII));
        Abandon.abandon(s);
    }

    /** The covered position the current slot names (the open's restart: two rings past 0). */
    private static long covered(String out) {
        Matcher m = Pattern.compile("current slot seq 2 covered (\\d+) \\(ring offset 0\\)")
                .matcher(out);
        assertTrue(m.find(), out);
        return Long.parseLong(m.group(1));
    }

    @Test
    void aJournalShowsItsSlotsCoveredPointAndRecords() throws Exception {
        String out = dump();
        long covered = covered(out);
        assertTrue(out.contains("slot 0 @0: magic 0x4A564B54 version 2 seq 2 covered " + covered + " crc ok"), out);
        assertTrue(out.contains("slot 1 @4096: magic 0x4A564B54 version 2 seq 1 covered 0 crc ok"), out);
        assertTrue(out.contains("layout version 2: header 8192 bytes, ring " + covered / 2 + " bytes"), out);
        assertTrue(out.contains("@" + covered + " PUT shard 0 \"key0\" key 4 value 100\n"), out);
        assertTrue(out.contains("@" + (covered + 2 * PUT) + " PUT shard 0 \"key2\" key 4 value 100\n"), out);
        assertTrue(out.contains("@" + (covered + 3 * PUT) + " DELETE shard 0 \"key1\" key 4 value 0\n"), out);
        assertTrue(
                out.contains("records from the covered position: 3 put, 1 delete, 0 clear, 0 barrier, 0 skip; "
                        + (3 * PUT + DELETE) + " bytes"),
                out);
        long end = covered + 3 * PUT + DELETE;
        assertTrue(
                out.contains("end at position " + end + " (ring offset " + (3 * PUT + DELETE)
                        + "): zeros: the end of what was written"),
                out);
    }

    @Test
    void aDamagedRecordIsFlaggedAsATornTail() throws Exception {
        flip(8192 + PUT + 24); // a byte of the second record's value
        String out = dump();
        assertTrue(out.contains("records from the covered position: 1 put, 0 delete"), out);
        assertTrue(out.contains("(ring offset " + PUT + "): TORN TAIL (or an earlier lap): checksum"), out);
    }

    @Test
    void aLengthPastTheLapIsFlagged() throws Exception {
        write(
                8192 + 4,
                ByteBuffer.allocate(4)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putInt(0, 1 << 28)
                        .array()); // the first length
        String out = dump();
        assertTrue(out.contains("records from the covered position: 0 put"), out);
        assertTrue(out.contains("(ring offset 0): TORN TAIL (or an earlier lap): length 268435456"), out);
    }

    @Test
    void aJournalWithoutAValidSlotIsFlagged() throws Exception {
        flip(16); // slot 0's covered point
        flip(4096 + 8); // slot 1's sequence
        String out = dump();
        assertTrue(out.contains("slot 0 @0: magic 0x4A564B54 version 2 seq 2 covered "), out);
        assertTrue(out.contains("crc BAD"), out);
        assertTrue(out.contains("BAD header: no valid slot"), out);
        assertFalse(out.contains("records from the covered position"), out);
    }

    @Test
    void aRingCutShortIsFlagged() throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve("journal.log"), StandardOpenOption.WRITE)) {
            ch.truncate(8192 + 100);
        }
        String out = dump();
        assertTrue(out.contains("journal.log: 8292 bytes"), out);
        assertTrue(out.contains("BAD size: no ring after the 8192-byte header"), out);
    }

    private void flip(long at) throws Exception {
        try (FileChannel ch =
                FileChannel.open(dir.resolve("journal.log"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, at);
        }
    }

    private void write(long at, byte[] bytes) throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve("journal.log"), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }
}
