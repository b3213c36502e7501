package io.toykv.core.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import io.toykv.core.WriteBatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dump of {@code batches.log}, read by the document alone: the version 1 file of a real store, a
 * version 2 file (the layout of branch {@code batch}: a parts field in each record, settle marks) made
 * byte by byte, and malformed ones (a bad header, a torn last record, a bad record before the last).
 */
class BatchesDumpTest {
    @TempDir
    Path dir;

    private String dump() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new BatchesDump(new PrintStream(bytes, true, StandardCharsets.UTF_8), true).dump(dir.resolve("batches.log"));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** A header of {@code version}, then records of {version 1: id; version 2: id, field}. */
    private void write(int version, long[]... records) throws Exception {
        int size = version == 1 ? 12 : 16;
        ByteBuffer b = ByteBuffer.allocate(16 + records.length * size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, 0x43564B54).putInt(4, version).putInt(8, 0).putInt(12, crc(b, 0, 12));
        for (int i = 0; i < records.length; i++) {
            int at = 16 + i * size;
            b.putLong(at, records[i][0]);
            if (version == 2) {
                b.putInt(at + 8, (int) records[i][1]);
            }
            b.putInt(at + size - 4, crc(b, at, size - 4));
        }
        Files.write(dir.resolve("batches.log"), b.array());
    }

    private static int crc(ByteBuffer b, int from, int length) {
        CRC32C c = new CRC32C();
        c.update(b.slice(from, length));
        return (int) c.getValue();
    }

    @Test
    void aRealStoresBatchShowsAsOneCommit() throws Exception {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(2).syncMode(SyncMode.NEVER))) {
            s.apply(new WriteBatch()
                    .put("a".getBytes(StandardCharsets.US_ASCII), new byte[10])
                    .put("b".getBytes(StandardCharsets.US_ASCII), new byte[10]));
        }
        String out = dump();
        assertTrue(out.contains("batches.log: magic 0x43564B54 version 2, 32 bytes, header crc ok"), out);
        assertTrue(out.contains("@16 COMMIT batch 1 of 2 parts"), out);
        assertTrue(out.contains("1 commit records (0 with forced parts, 0 aborted), 0 settle marks"), out);
    }

    @Test
    void version2RecordsShowTheirPartsAbortsAndSettleMarks() throws Exception {
        write(2, new long[] {1, 0}, new long[] {2, 3}, new long[] {3, -1}, new long[] {0, 3});
        String out = dump();
        assertTrue(out.contains("version 2, 80 bytes, header crc ok"), out);
        assertTrue(out.contains("@16 COMMIT batch 1 (parts forced)\n"), out);
        assertTrue(out.contains("@32 COMMIT batch 2 of 3 parts\n"), out);
        assertTrue(out.contains("@48 COMMIT batch 3 ABORTED\n"), out);
        assertTrue(out.contains("@64 SETTLE covers 3 records before it\n"), out);
        assertTrue(out.contains("3 commit records (1 with forced parts, 1 aborted), 1 settle marks"), out);
    }

    @Test
    void aTornLastRecordIsFlagged() throws Exception {
        write(2, new long[] {1, 2}, new long[] {2, 2});
        byte[] bytes = Files.readAllBytes(dir.resolve("batches.log"));
        bytes[bytes.length - 1] ^= 1; // the last record's checksum
        Files.write(dir.resolve("batches.log"), java.util.Arrays.copyOf(bytes, bytes.length + 5));
        String out = dump();
        assertTrue(out.contains("1 commit records (0 with forced parts, 0 aborted)"), out);
        assertTrue(out.contains("TORN TAIL at offset 32: 21 bytes the open cuts off"), out);
    }

    @Test
    void aSettleMarkCoveringMoreRecordsThanPrecedeItEndsTheRecords() throws Exception {
        write(2, new long[] {1, 2}, new long[] {0, 2});
        String out = dump();
        assertTrue(out.contains("1 commit records (0 with forced parts, 0 aborted), 0 settle marks"), out);
        assertTrue(out.contains("TORN TAIL at offset 32: 16 bytes the open cuts off"), out);
    }

    @Test
    void aBadVersion1RecordBeforeTheLastIsFlagged() throws Exception {
        write(1, new long[] {1}, new long[] {2}, new long[] {3});
        byte[] bytes = Files.readAllBytes(dir.resolve("batches.log"));
        bytes[16 + 12 + 3] ^= 1; // the second record's id
        Files.write(dir.resolve("batches.log"), bytes);
        String out = dump();
        assertTrue(out.contains("BAD record at offset 28 before the last: an open refuses the store"), out);
    }

    @Test
    void aBadHeaderOrAShortFileIsFlagged() throws Exception {
        write(1, new long[] {1});
        byte[] bytes = Files.readAllBytes(dir.resolve("batches.log"));
        bytes[8] = 1; // the reserved field, under the header's checksum
        Files.write(dir.resolve("batches.log"), bytes);
        String out = dump();
        assertTrue(out.contains("header crc BAD"), out);
        assertTrue(out.contains("BAD header: an open refuses the store"), out);
        Files.write(dir.resolve("batches.log"), new byte[7]);
        assertTrue(dump().contains("batches.log: BAD (7 bytes, shorter than its header)"), dump());
    }
}
