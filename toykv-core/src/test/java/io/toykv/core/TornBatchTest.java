package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.BatchCommits;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.KeyRecord;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drops any of the records an atomic batch wrote without forcing them (the part in each shard, the
 * commit record), as a power loss can, and checks that the batch is wholly present only if all of them
 * survived, and wholly absent otherwise, at this open and every later one.
 */
class TornBatchTest {
    private static final int KEYS = 24;

    @TempDir
    Path dir;

    static StoreOptions options() {
        return StoreModelTest.smallFiles().shards(3).autoCompaction(false).activeExpiry(false);
    }

    static byte[] key(int i) {
        return ("torn-" + i).getBytes(StandardCharsets.US_ASCII);
    }

    /** A shard's part of the batch: the keys file holding it and its offset there. */
    private record Part(Path file, int offset) {}

    @Test
    void aBatchCountsOnlyIfItsCommitRecordAndEveryPartSurvived() throws IOException {
        Path original = dir.resolve("original");
        try (Store s = Store.open(original, options())) {
            for (int i = 0; i < KEYS; i++) {
                s.put(
                        key(i),
                        "before".getBytes(StandardCharsets.US_ASCII),
                        i % 2 == 0 ? Store.NO_EXPIRY : Long.MAX_VALUE / 2);
            }
            s.sync();
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < KEYS; i++) {
                if (i % 3 == 0) {
                    batch.delete(key(i));
                } else if (i % 3 == 1) {
                    batch.persist(key(i));
                } else {
                    batch.put(key(i), "after".getBytes(StandardCharsets.US_ASCII));
                }
            }
            s.apply(batch);
            s.abandon();
        }
        List<Part> parts = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            Path last = lastKeysFile(FileNames.shardDir(original, shard));
            int offset = lastAtomicPart(last);
            if (offset >= 0) {
                parts.add(new Part(original.relativize(last), offset));
            }
        }
        assertEquals(3, parts.size(), "the batch has a part in every shard");
        long commitSize = Files.size(FileNames.batchCommits(original));
        // Nothing was forced (the batch's pages reach the disk in any order): every subset of the parts,
        // with and without the commit record.
        for (int kept = 0; kept < 1 << parts.size(); kept++) {
            for (boolean committed : new boolean[] {false, true}) {
                Path copy = dir.resolve("cut-" + kept + "-" + committed);
                copyTree(original, copy);
                for (int p = 0; p < parts.size(); p++) {
                    if ((kept & 1 << p) == 0) {
                        zeroFrom(copy.resolve(parts.get(p).file()), parts.get(p).offset());
                    }
                }
                if (!committed) {
                    try (FileChannel c = FileChannel.open(FileNames.batchCommits(copy), StandardOpenOption.WRITE)) {
                        c.truncate(commitSize - BatchCommits.RECORD_SIZE + 3);
                    }
                }
                boolean whole = committed && kept == (1 << parts.size()) - 1;
                String ctx = "parts kept " + Integer.toBinaryString(kept) + ", commit record " + committed;
                checkWhole(copy, whole, ctx);
                checkWhole(copy, whole, ctx + ", opened again");
                try (Store s = Store.open(copy, options())) {
                    s.put(key(KEYS), "later".getBytes(StandardCharsets.US_ASCII));
                    s.compact();
                }
                checkWhole(copy, whole, ctx + ", after a put, a compaction and a reopen");
            }
        }
    }

    private static void checkWhole(Path store, boolean present, String ctx) throws IOException {
        try (Store s = Store.open(store, options())) {
            for (int i = 0; i < KEYS; i++) {
                byte[] v = s.get(key(i));
                long expiry = s.expiry(key(i));
                String found = (v == null ? "absent" : new String(v, StandardCharsets.US_ASCII)) + " " + expiry;
                String expected;
                if (!present) {
                    expected = "before " + (i % 2 == 0 ? Store.NO_EXPIRY : Long.MAX_VALUE / 2);
                } else if (i % 3 == 0) {
                    expected = "absent " + Store.NO_KEY;
                } else if (i % 3 == 1) {
                    expected = "before " + Store.NO_EXPIRY;
                } else {
                    expected = "after " + Store.NO_EXPIRY;
                }
                assertEquals(expected, found, ctx + ": key " + i);
            }
        }
    }

    static Path lastKeysFile(Path shardDir) throws IOException {
        try (Stream<Path> files = Files.list(shardDir)) {
            return files.filter(f -> FileNames.parseKeysFile(f.getFileName().toString()) >= 0)
                    .max(Comparator.comparingLong(
                            f -> FileNames.parseKeysFile(f.getFileName().toString())))
                    .orElseThrow();
        }
    }

    /** The offset of the last ATOMIC_PART record in a keys file, walking its records by their headers; -1 if none. */
    static int lastAtomicPart(Path keysFile) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(keysFile)).order(ByteOrder.LITTLE_ENDIAN);
        int found = -1;
        for (int pos = 4096; pos + KeyRecord.HEADER_SIZE <= b.capacity(); ) {
            byte kind = b.get(pos + 4);
            if (kind == 0) {
                break;
            }
            if (kind == KeyRecord.ATOMIC_PART) {
                found = pos;
            }
            pos += KeyRecord.size(kind, b.getShort(pos + 5) & 0xFFFF);
        }
        assertTrue(found < 0 || b.get(found + 4) == KeyRecord.ATOMIC_PART);
        return found;
    }

    static void zeroFrom(Path file, int offset) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.allocate((int) (c.size() - offset)), offset);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals(FileNames.LOCK)) {
                    Files.copy(p, target);
                }
            }
        }
    }
}
