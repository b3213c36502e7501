package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Segment ids only grow; a long-lived store passes 2^23 (the first address layout's limit), 10^8 (eight
 * digits in a file name) and 2^31 (an int). A store whose ids start past all three is written,
 * collected and reopened like any other.
 */
class LargeSegmentIdsTest {
    private static final long FIRST = 3_000_000_000L;
    private static final int KEYS = 2000;

    @TempDir
    Path dir;

    @Test
    void idsPast2To31WorkThroughWritesCollectionAndReopen() throws IOException {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        try (Store s = Store.open(dir, o)) {
            s.put(key(0), value(0, 0));
        }
        Path shard = dir.resolve("shard-000");
        // A segment left by a long history: the next ids are numbered after it.
        Files.write(shard.resolve(FIRST + ".v"), new byte[4096]);
        try (Store s = Store.open(dir, o)) {
            for (int round = 1; round <= 5; round++) {
                for (int k = 0; k < KEYS; k++) {
                    s.put(key(k), value(k, round));
                }
            }
            s.compact();
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 5), s.get(key(k)), "key " + k);
            }
            assertTrue(s.stats().gcSegmentsReclaimed() > 0, s.stats().toString());
        }
        List<String> segments = segmentNames(shard);
        assertTrue(
                segments.stream().anyMatch(n -> n.length() == 12 && n.compareTo("3000000000.v") > 0),
                segments.toString());
        assertTrue(!segments.contains(FIRST + ".v"), "the empty segment was collected: " + segments);
        try (Store s = Store.open(dir, o)) {
            assertEquals(KEYS, s.size());
            for (int k = 0; k < KEYS; k++) {
                assertArrayEquals(value(k, 5), s.get(key(k)), "after reopen, key " + k);
            }
            s.put(key(1), value(1, 6));
            assertArrayEquals(value(1, 6), s.get(key(1)));
        }
    }

    /**
     * Ten digits name numbers past 2^32-1, which no segment can have: such a file (not one the store
     * wrote) must fail the open naming it, not open a shard that numbers its next segments after it and
     * then refuses every roll and collection with "segment ids exhausted".
     */
    @Test
    void aSegmentFileNamedPastTheLargestIdFailsTheOpen() throws IOException {
        StoreOptions o = StoreModelTest.smallFiles().shards(1).autoCompaction(false);
        try (Store s = Store.open(dir, o)) {
            s.put(key(0), value(0, 0));
        }
        String name = (io.toykv.core.log.Address.MAX_SEGMENT + 1) + ".v";
        Files.write(dir.resolve("shard-000").resolve(name), new byte[4096]);
        CorruptionException e = assertThrows(CorruptionException.class, () -> {
            try (Store s = Store.open(dir, o)) {
                for (int round = 1; round <= 5; round++) {
                    for (int k = 0; k < KEYS; k++) {
                        s.put(key(k), value(k, round));
                    }
                }
            }
        });
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    private static List<String> segmentNames(Path shard) throws IOException {
        try (Stream<Path> files = Files.list(shard)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".v"))
                    .sorted()
                    .toList();
        }
    }

    private static byte[] key(int k) {
        return String.format("key-%06d", k).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] value(int k, int round) {
        byte[] v = new byte[300];
        java.util.Arrays.fill(v, (byte) (k * 31 + round));
        v[0] = (byte) round;
        return v;
    }
}
