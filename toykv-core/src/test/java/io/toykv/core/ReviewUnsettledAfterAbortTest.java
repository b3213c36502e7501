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
class ReviewUnsettledAfterAbortTest {
    private static final int KEYS = 24;
    @TempDir Path dir;

    private static StoreOptions options() {
        return StoreModelTest.smallFiles().shards(3).autoCompaction(false).activeExpiry(false);
    }
    private static byte[] key(int i) { return ("torn-" + i).getBytes(StandardCharsets.US_ASCII); }

    @Test
    void compactionAfterAnAbortAtOpenDropsPartOfAWholeBatch() throws IOException {
        Path original = dir.resolve("original");
        try (Store s = Store.open(original, options())) {
            WriteBatch b1 = new WriteBatch();
            for (int i = 0; i < KEYS; i++) b1.put(key(i), "after".getBytes(StandardCharsets.US_ASCII));
            s.apply(b1);
            WriteBatch b2 = new WriteBatch();
            for (int i = 0; i < 2; i++) b2.put(key(100 + i), "b2".getBytes(StandardCharsets.US_ASCII));
            s.apply(b2);
            s.abandon();
        }
        // B2's part lost in shard 2 (B1's parts and both commit records kept)
        for (int sh = 0; sh < 3; sh++) {
            Path last = lastKeysFile(FileNames.shardDir(original, sh));
            int off = lastAtomicPart(last);
            ByteBuffer bb = ByteBuffer.wrap(Files.readAllBytes(last)).order(ByteOrder.LITTLE_ENDIAN);
            long id = bb.getLong(off + 11);
            System.out.println("REVIEW shard " + sh + " last part batch " + id);
            if (id == 2) { zeroFrom(last, off); System.out.println("REVIEW zeroed shard " + sh); break; }
        }
        StringBuilder report = new StringBuilder();
        try (Store s = Store.open(original, options())) { // aborts B2
            report.append("open 2: ").append(stateOf(s)).append('\n');
                        for (int j = 0; j < 3000; j++) s.put(("fresh-" + j).getBytes(StandardCharsets.US_ASCII), "f".getBytes(StandardCharsets.US_ASCII), Store.NO_EXPIRY);
            for (int j = 0; j < 3000; j++) s.put(key(0), "after".getBytes(StandardCharsets.US_ASCII), Store.NO_EXPIRY);
            s.compact();
        }
        for (int sh = 0; sh < 3; sh++) {
            Path last = lastKeysFile(FileNames.shardDir(original, sh));
            report.append("after compaction shard " + sh + " file " + last.getFileName() + " last part offset " + lastAtomicPart(last) + "\n");
        }
        report.append("open 3 after compaction: ").append(state(original)).append('\n');
        System.out.println("REVIEW\n" + report);
        String third = state(original);
        assertEquals(false, third.contains("absent") && third.contains("after"), "PARTIAL B1:\n" + report);
    }

    private static String stateOf(Store s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < KEYS; i++) {
            byte[] v = s.get(key(i));
            sb.append(i).append('=').append(v == null ? "absent" : new String(v, StandardCharsets.US_ASCII)).append(' ');
        }
        return sb.toString();
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
