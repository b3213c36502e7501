package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * In ALWAYS mode a large value is not copied into the commit journal: its put and its expiry changes are
 * made durable by forcing the shard and journaling a barrier, so the journal stays sized for the values
 * the buffer takes, and replay never redoes an older journaled write of the key over the large value.
 */
class LargeValueJournalTest {
    private static final int LARGE = 4096;

    @TempDir
    Path dir;

    private static StoreOptions always() {
        return StoreOptions.defaults()
                .shards(1)
                .syncMode(SyncMode.ALWAYS)
                .largeValueSize(LARGE)
                .autoCompaction(false);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void replayAfterACrashKeepsALargePutOverTheSmallPutJournaledBeforeIt() throws IOException {
        byte[] large = new byte[LARGE * 3];
        Arrays.fill(large, (byte) 'L');
        long expiry = System.currentTimeMillis() + 3_600_000;
        Store s = Store.open(dir, always());
        s.put(bytes("k"), bytes("small"));
        s.put(bytes("k"), large);
        s.put(bytes("e"), bytes("small"));
        s.put(bytes("e"), large);
        assertTrue(s.expireAt(bytes("e"), expiry));
        s.put(bytes("after"), bytes("a small put journaled after the large ones"));
        Abandon.abandon(s); // as a kill -9 leaves it: the journal not yet covered by a checkpoint
        try (Store reopened = Store.open(dir, always())) {
            assertArrayEquals(large, reopened.get(bytes("k")));
            assertArrayEquals(large, reopened.get(bytes("e")));
            assertEquals(expiry, reopened.expiry(bytes("e")));
            assertArrayEquals(bytes("a small put journaled after the large ones"), reopened.get(bytes("after")));
        }
    }

    @Test
    void theJournalIsSizedForBufferedValuesNotTheLargestValue() throws IOException {
        try (Store s = Store.open(dir, StoreOptions.defaults().shards(1).syncMode(SyncMode.ALWAYS))) {
            s.put(bytes("k"), bytes("v"));
        }
        // The default maxValueSize is 512 MiB; a ring of four such records would be 2 GiB.
        long journal = Files.size(dir.resolve("journal.log"));
        assertTrue(journal <= 64L << 20, "journal.log is " + journal + " bytes");
    }
}
