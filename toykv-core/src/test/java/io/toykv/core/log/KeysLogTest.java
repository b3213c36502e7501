package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.io.FileAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeysLogTest {
    private static final int FILE_SIZE = 64 * 1024;

    @TempDir
    Path dir;

    private final SortedIndex index = new SortedIndex();
    private final int[] length = new int[1];

    private static byte[] key(String prefix, int i) {
        return (prefix + i).getBytes(StandardCharsets.US_ASCII);
    }

    private static KeysLog open(Path dir, TreeMap<byte[], Long> replayed) throws IOException {
        return KeysLog.recover(dir, FILE_SIZE, FileAllocator.DEFAULT, () -> { }, (rec, file, offset) -> {
            switch (rec.kind()) {
                case KeyRecord.PUT -> replayed.put(rec.key(), rec.address());
                case KeyRecord.DELETE -> replayed.remove(rec.key());
                default -> replayed.clear();
            }
            return null;
        });
    }

    private void put(KeysLog log, byte[] key, long address) throws IOException {
        log.ensureRoom(KeyRecord.size(key.length));
        log.append(KeyRecord.PUT, key, 10, address);
        index.put(key, address, 10, length);
    }

    private void delete(KeysLog log, byte[] key) throws IOException {
        log.ensureRoom(KeyRecord.size(key.length));
        log.append(KeyRecord.DELETE, key, 0, 0);
        index.remove(key, length);
    }

    private TreeMap<byte[], Long> indexContents() {
        TreeMap<byte[], Long> m = new TreeMap<>(Arrays::compareUnsigned);
        SortedIndex.Cursor c = index.cursor(null);
        while (c.next()) {
            m.put(c.key(), c.address());
        }
        return m;
    }

    private List<String> fileNames() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void rewriteKeepsWhatWasWrittenAfterItsWalkAndReplaysToTheIndex() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 2000; i++) {
                put(log, key("k", i), round * 10_000L + i);
            }
        }
        KeysLog.Rewrite r = log.beginRewrite();
        log.writeLive(r, index);
        // Written after the walk, before the end: overwrites, deletes, new keys, and enough of them
        // that the old log starts a new file meanwhile.
        for (int i = 0; i < 500; i++) {
            put(log, key("k", i), 50_000L + i);
        }
        for (int i = 500; i < 600; i++) {
            delete(log, key("k", i));
        }
        for (int i = 0; i < 3000; i++) {
            put(log, key("new", i), 60_000L + i);
        }
        long dropped = log.finishRewrite(r);
        assertTrue(dropped > 0, "dropped " + dropped);
        put(log, key("after", 1), 70_000L); // the rewritten log takes appends
        log.forceAndClose();

        assertTrue(fileNames().stream().noneMatch(n -> n.endsWith(".tmp")), fileNames().toString());
        TreeMap<byte[], Long> replayed = new TreeMap<>(Arrays::compareUnsigned);
        open(dir, replayed).close();
        assertEquals(indexContents(), replayed);
        assertEquals(2000 - 100 + 3000 + 1, replayed.size());
    }

    @Test
    void abortedRewriteLeavesTheOldLogAsItWas() throws IOException {
        KeysLog log = open(dir, new TreeMap<>(Arrays::compareUnsigned));
        for (int i = 0; i < 3000; i++) {
            put(log, key("k", i % 1000), i);
        }
        List<String> before = fileNames();
        KeysLog.Rewrite r = log.beginRewrite();
        log.writeLive(r, index);
        log.abortRewrite(r);
        assertEquals(before, fileNames());
        log.forceAndClose();
        TreeMap<byte[], Long> replayed = new TreeMap<>(Arrays::compareUnsigned);
        open(dir, replayed).close();
        assertEquals(indexContents(), replayed);
    }
}
