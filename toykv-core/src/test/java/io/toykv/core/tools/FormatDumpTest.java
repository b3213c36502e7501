package io.toykv.core.tools;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Abandon;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dump tool reads real files by the document alone; what it finds must match what was written. */
class FormatDumpTest {
    @TempDir
    Path dir;

    private String dump(boolean records) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new FormatDump(new PrintStream(bytes, true, StandardCharsets.UTF_8), records).dump(dir);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Ten puts of 100-byte values ({@code key0..key9}) and a delete of {@code key3}; then compact() if asked; closed. */
    private void writeTenAndDeleteOne(boolean compact) throws Exception {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(1).syncMode(SyncMode.NEVER))) {
            for (int i = 0; i < 10; i++) {
                s.put(("key" + i).getBytes(StandardCharsets.US_ASCII), new byte[100]);
            }
            s.delete("key3".getBytes(StandardCharsets.US_ASCII));
            if (compact) {
                s.compact();
            }
        }
    }

    @Test
    void anAtomicBatchShowsAsOnePartRecordWithItsIdAndEntries() throws Exception {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(1).syncMode(SyncMode.NEVER))) {
            s.apply(new io.toykv.core.WriteBatch()
                    .put("a".getBytes(StandardCharsets.US_ASCII), new byte[10])
                    .put("b".getBytes(StandardCharsets.US_ASCII), new byte[10])
                    .delete("c".getBytes(StandardCharsets.US_ASCII)));
        }
        String out = dump(true);
        // two PUT entries of a one-byte key: 2 * (3 + 1 + 12) = 32 bytes (the delete of an absent key writes nothing)
        assertTrue(out.contains("@4096 ATOMIC_PART batch 1, 2 entries in 32 bytes"), out);
        assertTrue(out.contains("0 batch (0 entries); 1 atomic part; 51 record bytes"), out);
    }

    @Test
    void dumpOfAClosedStoreMatchesWhatWasWritten() throws Exception {
        writeTenAndDeleteOne(false);
        String out = dump(true);
        assertTrue(
                out.matches("(?s)manifest: magic 0x4D564B54 version " + io.toykv.core.engine.StoreManifest.VERSION
                        + " shards 1 store id [0-9a-f]{16} crc ok\n.*"),
                out);
        assertTrue(
                out.matches(
                        "(?s).*shard.meta: magic 0x53564B54 version 1 store id [0-9a-f]{16} shard 0 of 1 keys files 1 to 1"
                                + " crc ok\n.*"),
                out);
        // 10 puts and a delete: 10 * (19 + 4) + (19 + 4) = 253 record bytes, synced to the end at close.
        assertTrue(
                out.contains(
                        "00000001.k: version 3 number 1 synced 4349; 10 put, 0 put_expiring, 1 delete, 0 clear, 0 batch (0 entries); 0 atomic part;"
                                + " 253 record bytes"),
                out);
        assertTrue(out.contains("@4096 PUT \"key0\" -> segment 1 offset 0 length 108"), out);
        assertTrue(out.contains("DELETE \"key3\""), out);
        // The clean close flushed the buffer: the header's base is past the one 4 KiB chunk, nothing is
        // buffered, and the chunk is written (seq 2 named it pending, seq 3 no longer).
        assertTrue(
                out.contains("values.b: version 2 header seq 3 base segment 1 offset 4096; 0 buffered records"), out);
        assertTrue(!out.contains("pending half"), out);
    }

    @Test
    void dumpOfACompactedKeysLogShowsItsBatch() throws Exception {
        writeTenAndDeleteOne(true);
        String out = dump(true);
        // The rewrite's file follows the old one: a CLEAR, then the nine live keys in one BATCH record.
        assertTrue(out.contains("00000002.k: version 3 number 2 synced "), out);
        assertTrue(out.contains("0 put, 0 put_expiring, 0 delete, 1 clear, 1 batch (9 entries)"), out);
        assertTrue(out.contains("BATCH[0] \"key0\" -> segment "), out);
        assertTrue(out.contains("BATCH[3] \"key4\" -> segment "), out);
        assertTrue(out.contains("BATCH[8] \"key9\" -> segment "), out);
        assertTrue(!out.contains("00000001.k"), out);
    }

    @Test
    void dumpShowsExpiringRecordsAndTheEmptyKey() throws Exception {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(1).syncMode(SyncMode.NEVER))) {
            s.put(new byte[0], new byte[10], 4_000_000_000_000L);
            s.put("k".getBytes(StandardCharsets.US_ASCII), new byte[10]);
            s.expireAt("k".getBytes(StandardCharsets.US_ASCII), 4_000_000_000_001L);
        }
        String out = dump(true);
        assertTrue(out.contains("1 put, 2 put_expiring, 0 delete"), out);
        // 29 + 0, 19 + 1, then 29 + 1 record bytes: the second PUT_EXPIRING names the same value as the PUT.
        assertTrue(
                out.contains("@4096 PUT_EXPIRING \"\" -> segment 1 offset 0 length 18 expires 4000000000000 db 0"),
                out);
        assertTrue(out.contains("@4125 PUT \"k\" -> segment 1 offset 18 length 18\n"), out);
        assertTrue(
                out.contains("@4145 PUT_EXPIRING \"k\" -> segment 1 offset 18 length 18 expires 4000000000001 db 0"),
                out);
    }

    /** Files are listed in number order, as the engine takes them, not in name order: "20000000.v" before "100000000.v". */
    @Test
    void numberedFilesAreListedByNumberNotByName() throws Exception {
        writeTenAndDeleteOne(false);
        Path shard = dir.resolve("shard-000");
        java.nio.file.Files.write(shard.resolve("100000000.v"), new byte[4096]);
        java.nio.file.Files.write(shard.resolve("20000000.v"), new byte[4096]);
        String out = dump(false);
        int small = out.indexOf("20000000.v: 4096 bytes");
        int large = out.indexOf("100000000.v: 4096 bytes");
        assertTrue(out.indexOf("00000001.v: ") < small && small >= 0 && small < large, out);
    }

    @Test
    void dumpOfACrashedStoreShowsTheBufferedRecords() throws Exception {
        Store s = Store.open(dir, StoreOptions.defaults().shards(1).syncMode(SyncMode.NEVER));
        for (int i = 0; i < 3; i++) {
            s.put(("k" + i).getBytes(StandardCharsets.US_ASCII), new byte[10]);
        }
        Abandon.abandon(s);
        String out = dump(false);
        assertTrue(
                out.contains("values.b: version 2 header seq 1 base segment 1 offset 0; 3 buffered records, 54 bytes"),
                out);
        assertTrue(out.contains("synced 4096; 3 put"), out);
    }
}
