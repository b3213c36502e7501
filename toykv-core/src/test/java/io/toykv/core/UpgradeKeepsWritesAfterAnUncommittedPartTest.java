package io.toykv.core;

import static io.toykv.core.GoldenStore.KEYS;
import static io.toykv.core.GoldenStore.OPTIONS;
import static io.toykv.core.GoldenStore.assertContents;
import static io.toykv.core.GoldenStore.key;
import static io.toykv.core.GoldenStore.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.ShardRouter;
import io.toykv.core.engine.StoreManifest;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.AtomicPart;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build of store format 8 or older that restarted after a kill -9 in the middle of an atomic batch
 * (its parts in the keys logs, no commit record in {@code batches.log}) skipped the parts and went on
 * writing after them. This build's open must keep those writes (it skips such a part without cutting the
 * log there) and rewrite the keys logs before the manifest says 9, since from then on an open cuts a log
 * at a part without a commit record.
 *
 * <p>The fixture is the golden format-8 store ({@link GoldenStore}) with, at the end of each shard's keys
 * log, what that sequence leaves: an ATOMIC_PART record of batch {@link #UNCOMMITTED} (a DELETE of a live
 * key, a PUT of another key back to its first value) that {@code batches.log} (version 1, empty) does not
 * hold, then ordinary PUT records of two other keys. Those PUTs point each key at a value record the
 * segments still hold (its first value: a deleted key's back, a live key's older one), so they need no
 * value written, and reading them back tells whether they counted.
 */
class UpgradeKeepsWritesAfterAnUncommittedPartTest {
    /** The id of the batch whose parts have no commit record. */
    private static final long UNCOMMITTED = 1;

    @TempDir
    Path dir;

    /** The keys of a shard the fixture's records name, by index. */
    private record ShardKeys(int deletedByPart, int revertedByPart, int revivedAfter, int revertedAfter) {}

    /** One record of a keys file, as its header and body give it. */
    private record Rec(byte kind, byte[] body, int valueField, long address) {}

    @Test
    void theUpgradeKeepsThePutsAfterAPartWithoutACommitRecordAndRewritesTheLog() throws IOException {
        GoldenStore.unzip(8, dir);
        assertEquals(8, GoldenStore.manifestVersion(dir));
        Map<Integer, byte[]> model = GoldenStore.fixtureContents(8);
        List<ShardKeys> named = new ArrayList<>();
        for (int shard = 0; shard < OPTIONS.shards(); shard++) {
            ShardKeys k = appendUncommittedPartAndPutsAfterIt(shard);
            named.add(k);
            // The part does not count; the puts after it do.
            model.put(k.revivedAfter(), value(k.revivedAfter(), 0));
            model.put(k.revertedAfter(), value(k.revertedAfter(), 0));
        }

        byte[] later = "later".getBytes(StandardCharsets.US_ASCII);
        Store s = Store.open(dir, OPTIONS);
        try {
            assertEquals(StoreManifest.VERSION, GoldenStore.manifestVersion(dir), "upgraded on open");
            for (ShardKeys k : named) {
                assertArrayEquals(
                        value(k.deletedByPart(), 0), s.get(key(k.deletedByPart())), "the part's DELETE not applied");
                assertArrayEquals(
                        value(k.revertedByPart(), 1), s.get(key(k.revertedByPart())), "the part's PUT not applied");
                assertArrayEquals(
                        value(k.revivedAfter(), 0), s.get(key(k.revivedAfter())), "the PUT after the part kept");
                assertArrayEquals(
                        value(k.revertedAfter(), 0), s.get(key(k.revertedAfter())), "the PUT after the part kept");
            }
            assertContents(s, model);
            for (int shard = 0; shard < OPTIONS.shards(); shard++) {
                assertFalse(
                        partIds(FileNames.shardDir(dir, shard)).contains(UNCOMMITTED),
                        "shard " + shard + "'s keys log rewritten without the uncommitted part");
            }
            // New writes in every shard, an atomic batch among them, then a clean close.
            WriteBatch batch = new WriteBatch();
            for (int i = KEYS; i < KEYS + 20; i++) {
                batch.put(key(i), value(i, 5));
                model.put(i, value(i, 5));
            }
            s.apply(batch);
            s.put(key(KEYS + 30), later);
            model.put(KEYS + 30, later);
        } finally {
            s.close();
        }

        // Format 9 rules from here on: a part without a commit record would cut the log.
        s = Store.open(dir, OPTIONS);
        assertContents(s, model);
        // Puts, deletes, a collection, puts left in the buffers by a kill -9, and a reopen.
        GoldenStore.writeCollectCrashAndReopen(s, dir, model);
        try (Store again = Store.open(dir, OPTIONS)) {
            assertContents(again, model);
        }
    }

    /**
     * Appends to {@code shard}'s last keys file, with the log's own writer (checksums, the records' end),
     * a part of batch {@link #UNCOMMITTED} and two PUTs after it, then forces them (the format-8 build
     * synced the writes it took after the restart). Returns the keys they name.
     */
    private ShardKeys appendUncommittedPartAndPutsAfterIt(int shard) throws IOException {
        Path shardDir = FileNames.shardDir(dir, shard);
        Map<Integer, Rec> firstPut = firstPuts(shardDir);
        Map<Integer, byte[]> contents = GoldenStore.fixtureContents(8);
        // Keys 100 and up: the journal's writes (keys below 62) are replayed over the keys log.
        IntPredicate inShard = i -> ShardRouter.shardOf(key(i), OPTIONS.shards()) == shard;
        IntPredicate liveAtRound0 = i -> contents.containsKey(i) && i % 3 != 0 && i % 50 != 2;
        IntPredicate liveAtRound1 = i -> contents.containsKey(i) && i % 3 == 0 && i % 50 != 2;
        IntPredicate deletedAfterRound0 = i -> !contents.containsKey(i) && i % 3 != 0;
        int[] round1 = keysWhere(inShard.and(liveAtRound1), 2);
        ShardKeys k = new ShardKeys(
                keysWhere(inShard.and(liveAtRound0), 1)[0],
                round1[0],
                keysWhere(inShard.and(deletedAfterRound0), 1)[0],
                round1[1]);

        AtomicPart part = new AtomicPart(AtomicPart.MAX_BODY);
        part.add(KeyRecord.DELETE, key(k.deletedByPart()), 0, 0, 0);
        Rec reverted = firstPut.get(k.revertedByPart());
        part.add(KeyRecord.PUT, key(k.revertedByPart()), reverted.valueField(), reverted.address(), 0);

        Path last = TornBatchTest.lastKeysFile(shardDir);
        KeysFile file =
                KeysFile.open(last, FileNames.parseKeysFile(last.getFileName().toString()));
        try {
            file.recover((record, path, offset) -> null, true);
            int needed = KeyRecord.size(part.length()) + 2 * KeyRecord.size(key(0).length);
            assertTrue(file.writePosition() + needed <= Files.size(last), "room in " + last);
            file.appendAtomicPart(UNCOMMITTED, part);
            for (int i : new int[] {k.revivedAfter(), k.revertedAfter()}) {
                Rec first = firstPut.get(i);
                file.append(KeyRecord.PUT, key(i), first.valueField(), first.address());
            }
            file.force();
        } finally {
            file.unmap();
        }
        assertEquals(List.of(UNCOMMITTED), partIds(shardDir), "the fixture's part");
        return k;
    }

    /** The first {@code n} key indexes from 100 up that {@code p} accepts. */
    private static int[] keysWhere(IntPredicate p, int n) {
        int[] found = IntStream.range(100, KEYS).filter(p).limit(n).toArray();
        assertEquals(n, found.length);
        return found;
    }

    /** Each fixture key's first PUT record in {@code shardDir}'s keys log: its first value. */
    private static Map<Integer, Rec> firstPuts(Path shardDir) throws IOException {
        Map<String, Rec> byKey = new HashMap<>();
        for (Rec r : records(shardDir)) {
            if (r.kind() == KeyRecord.PUT) {
                byKey.putIfAbsent(new String(r.body(), StandardCharsets.US_ASCII), r);
            }
        }
        Map<Integer, Rec> out = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            Rec r = byKey.get(new String(key(i), StandardCharsets.US_ASCII));
            if (r != null) {
                out.put(i, r);
            }
        }
        return out;
    }

    /** The batch ids of the ATOMIC_PART records in {@code shardDir}'s keys log, in log order. */
    private static List<Long> partIds(Path shardDir) throws IOException {
        return records(shardDir).stream()
                .filter(r -> r.kind() == KeyRecord.ATOMIC_PART)
                .map(Rec::address)
                .toList();
    }

    /**
     * Every record of {@code shardDir}'s keys files, in file order, read from the bytes by their headers
     * (read only: the store may hold the files open).
     */
    private static List<Rec> records(Path shardDir) throws IOException {
        List<Rec> out = new ArrayList<>();
        for (Path f : keysFiles(shardDir)) {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
            for (int pos = KeysFile.HEADER_SIZE; pos + KeyRecord.HEADER_SIZE <= b.capacity(); ) {
                byte kind = b.get(pos + 4);
                if (kind == 0) {
                    break;
                }
                int length = b.getShort(pos + 5) & 0xFFFF;
                int body = pos + KeyRecord.headerSize(kind);
                out.add(new Rec(
                        kind,
                        Arrays.copyOfRange(b.array(), body, body + length),
                        b.getInt(pos + 7),
                        b.getLong(pos + 11)));
                pos += KeyRecord.size(kind, length);
            }
        }
        return out;
    }

    private static List<Path> keysFiles(Path shardDir) throws IOException {
        try (Stream<Path> files = Files.list(shardDir)) {
            return files.filter(f -> FileNames.parseKeysFile(f.getFileName().toString()) >= 0)
                    .sorted(Comparator.comparingLong(
                            f -> FileNames.parseKeysFile(f.getFileName().toString())))
                    .toList();
        }
    }
}
