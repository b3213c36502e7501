package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The empty key (length 0) is a key like any other: written, read, scanned, recovered, moved and repaired. */
class EmptyKeyTest {
    private static final byte[] EMPTY = new byte[0];

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(ScanIterator it) {
        List<String> out = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                out.add(new String(it.next().key(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void theEmptyKeyIsPutReadAndDeleted() throws IOException {
        try (Store s = Store.open(dir)) {
            assertNull(s.get(EMPTY));
            assertFalse(s.delete(EMPTY));
            s.put(EMPTY, b("nothing"));
            assertArrayEquals(b("nothing"), s.get(EMPTY));
            assertEquals(1, s.size());
            s.put(EMPTY, EMPTY);
            assertArrayEquals(EMPTY, s.get(EMPTY), "an empty value under the empty key");
            assertTrue(s.delete(EMPTY));
            assertNull(s.get(EMPTY));
            assertEquals(0, s.size());
        }
    }

    @Test
    void theEmptyKeySortsFirstAndIsABound() throws IOException {
        try (Store s = Store.open(dir)) {
            s.put(b("a"), b("1"));
            s.put(EMPTY, b("0"));
            s.put(new byte[] {0}, b("z"));
            assertEquals(List.of("", "\0", "a"), keys(s.scan(null, null)));
            assertEquals(List.of("", "\0", "a"), keys(s.scan(EMPTY, null)), "an empty lower bound includes it");
            assertEquals(List.of(), keys(s.scan(null, EMPTY)), "nothing sorts below the empty key");
            assertEquals(List.of(""), keys(s.scan(EMPTY, new byte[] {0})));
            assertEquals(List.of("\0", "a"), keys(s.scan(new byte[] {0}, null)));
        }
    }

    @Test
    void theEmptyKeySurvivesAKillAndAReopen() throws IOException {
        Store s = Store.open(dir, StoreModelTest.smallFiles());
        s.put(EMPTY, b("first"));
        s.sync();
        s.put(EMPTY, b("second")); // in the buffer only
        s.abandon();
        try (Store again = Store.open(dir, StoreModelTest.smallFiles())) {
            assertArrayEquals(b("second"), again.get(EMPTY));
            assertTrue(again.delete(EMPTY));
        }
        try (Store again = Store.open(dir, StoreModelTest.smallFiles())) {
            assertNull(again.get(EMPTY), "its delete replays too");
            assertEquals(0, again.size());
        }
    }

    @Test
    void theEmptyKeyIsMovedByCollectionAndKeptByAKeysLogRewrite() throws IOException {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        try (Store s = Store.open(dir, o)) {
            s.put(EMPTY, b("kept"));
            byte[] filler = new byte[4000];
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 200; i++) {
                    s.put(b("k" + i), filler); // segments full of garbage around the empty key's value
                }
            }
            s.compact();
            assertTrue(s.stats().gcBytesWritten() > 0, "the collection moved values");
            assertTrue(s.stats().keysLogCompactions() > 0, "the keys log was rewritten");
            assertArrayEquals(b("kept"), s.get(EMPTY));
        }
        try (Store s = Store.open(dir, o)) {
            assertArrayEquals(b("kept"), s.get(EMPTY), "the rewritten log (a BATCH entry of the empty key) replays");
            assertEquals(201, s.size());
        }
    }

    @Test
    void theRepairCopiesTheEmptyKey() throws IOException {
        Path store = dir.resolve("store");
        try (Store s = Store.open(store, StoreModelTest.smallFiles())) {
            s.put(EMPTY, b("repaired"));
            s.put(b("x"), b("y"));
        }
        StoreRepair.Report r = StoreRepair.repair(store, dir.resolve("out"));
        assertTrue(r.lostNothing(), r.toString());
        try (Store s = Store.open(dir.resolve("out"), StoreModelTest.smallFiles())) {
            assertArrayEquals(b("repaired"), s.get(EMPTY));
            assertEquals(2, s.size());
        }
    }
}
