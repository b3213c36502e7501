package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** Review: an expiry change after a batch names the batch's value; the batch aborted, does the key show it? */
class ReviewExpiryAfterBatchTest {
    private static final int KEYS = 24;
    @TempDir Path dir;

    private static StoreOptions options() {
        return StoreModelTest.smallFiles().shards(3).autoCompaction(false).activeExpiry(false);
    }
    private static byte[] key(int i) { return ("torn-" + i).getBytes(StandardCharsets.US_ASCII); }

    @Test
    void expiryChangeAfterAbortedBatch() throws IOException {
        Path original = dir.resolve("original");
        try (Store s = Store.open(original, options())) {
            for (int i = 0; i < KEYS; i++) s.put(key(i), "before".getBytes(StandardCharsets.US_ASCII), Store.NO_EXPIRY);
            s.sync();
            WriteBatch batch = new WriteBatch();
            for (int i = 0; i < KEYS; i++) batch.put(key(i), "after".getBytes(StandardCharsets.US_ASCII));
            s.apply(batch);
            for (int i = 0; i < KEYS; i++) s.expireAt(key(i), Long.MAX_VALUE / 4);
            s.abandon();
        }
        List<Path> files = new ArrayList<>();
        List<Integer> offs = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            Path last = lastKeysFile(FileNames.shardDir(original, shard));
            files.add(original.relativize(last));
            offs.add(lastAtomicPart(last));
        }
        StringBuilder report = new StringBuilder();
        // case A: one shard's part (and what follows it there) lost, commit record kept
        for (int p = 0; p < 3; p++) {
            Path copy = dir.resolve("lost-part-" + p);
            TornBatchTest.copyTree(original, copy);
            zeroFrom(copy.resolve(files.get(p)), offs.get(p));
            report.append("part of shard " + p + " lost, commit kept: ").append(state(copy)).append('\n');
        }
        // case B: commit record lost, every part and expiry record kept
        Path copy = dir.resolve("lost-commit");
        TornBatchTest.copyTree(original, copy);
        long commitSize = Files.size(FileNames.batchCommits(copy));
        try (FileChannel c = FileChannel.open(FileNames.batchCommits(copy), StandardOpenOption.WRITE)) {
            c.truncate(commitSize - BatchCommits.RECORD_SIZE + 3);
        }
        report.append("commit lost, parts kept: ").append(state(copy)).append('\n');
        System.out.println("REVIEW\n" + report);
        assertEquals("", report.toString().contains("after") && report.toString().contains("before") ? "PARTIAL:\n" + report : "");
    }

    private static String state(Path store) throws IOException {
        StringBuilder sb = new StringBuilder();
        try (Store s = Store.open(store, options())) {
            for (int i = 0; i < KEYS; i++) {
                byte[] v = s.get(key(i));
                sb.append(i).append('=').append(v == null ? "absent" : new String(v, StandardCharsets.US_ASCII)).append(' ');
            }
        }
        return sb.toString();
    }

    private static Path lastKeysFile(Path shardDir) throws IOException {
        try (Stream<Path> files = Files.list(shardDir)) {
            return files.filter(f -> FileNames.parseKeysFile(f.getFileName().toString()) >= 0)
                    .max(Comparator.comparingLong(f -> FileNames.parseKeysFile(f.getFileName().toString())))
                    .orElseThrow();
        }
    }

    private static int lastAtomicPart(Path keysFile) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(keysFile)).order(ByteOrder.LITTLE_ENDIAN);
        int found = -1;
        for (int pos = 4096; pos + KeyRecord.HEADER_SIZE <= b.capacity(); ) {
            byte kind = b.get(pos + 4);
            if (kind == 0) break;
            if (kind == KeyRecord.ATOMIC_PART) found = pos;
            pos += KeyRecord.size(kind, b.getShort(pos + 5) & 0xFFFF);
        }
        return found;
    }

    private static void zeroFrom(Path file, int offset) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.allocate((int) (c.size() - offset)), offset);
        }
    }
}
