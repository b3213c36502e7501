package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Store.clear that fails in any way (a plain I/O error too) once its CLEARING mark is durable stops
 * writes on the store: the next open finishes the clear, so no write may be acknowledged in between.
 */
class FailedClearStopsWritesTest {
    @TempDir
    Path tmp;

    /** Fails the {@code n}th rename onto the store manifest, once. */
    static final class FailManifestMoveIo extends ForwardingFileIo {
        final AtomicInteger moves = new AtomicInteger();
        volatile int failAt = Integer.MAX_VALUE;

        @Override
        public void move(Path from, Path to) throws IOException {
            if (to.getFileName().toString().equals("toykv.meta") && moves.incrementAndGet() == failAt) {
                throw new IOException("simulated EIO renaming the manifest");
            }
            super.move(from, to);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void failedClearRefusesWritesAndFinishesAtReopen(int failingRename) throws IOException {
        FailManifestMoveIo io = new FailManifestMoveIo();
        StoreOptions options =
                StoreModelTest.smallFiles().shards(3).activeExpiry(false).autoCompaction(false);
        Store store = Store.open(tmp, options.copy().fileIo(io));
        try {
            store.put(b("before"), b("1"));
            io.moves.set(0);
            io.failAt = failingRename;
            assertThrows(UncheckedIOException.class, store::clear);
            UncheckedIOException refused =
                    assertThrows(UncheckedIOException.class, () -> store.put(b("after"), b("refused")));
            assertTrue(refused.getMessage().contains("after a failed change"), refused.getMessage());
            assertTrue(store.stats().writesStopped());
        } finally {
            assertThrows(UncheckedIOException.class, store::close); // says writes were stopped
        }
        try (Store reopened = Store.open(tmp, options)) {
            assertEquals(0, reopened.size(), "the clear finished at open");
            reopened.put(b("after"), b("acknowledged"));
        }
        try (Store reopened = Store.open(tmp, options)) {
            assertArrayEquals(b("acknowledged"), reopened.get(b("after")), "removed by a second finishing clear");
        }
    }

    @Test
    void aClearWhoseMarkCouldNotBeRemovedStopsWrites() throws IOException {
        failedClearRefusesWritesAndFinishesAtReopen(2); // the rename that removes the CLEARING mark
    }

    @Test
    void aClearThatFailsBeforeItsMarkIsInPlaceLeavesTheStoreWritable() throws IOException {
        FailManifestMoveIo io = new FailManifestMoveIo();
        StoreOptions options =
                StoreModelTest.smallFiles().shards(3).activeExpiry(false).autoCompaction(false);
        try (Store store = Store.open(tmp, options.copy().fileIo(io))) {
            store.put(b("before"), b("1"));
            io.moves.set(0);
            io.failAt = 1; // the rename that puts the CLEARING mark in place
            assertThrows(UncheckedIOException.class, store::clear);
            store.put(b("after"), b("acknowledged"));
            store.sync();
        }
        try (Store reopened = Store.open(tmp, options)) {
            assertArrayEquals(b("1"), reopened.get(b("before")), "no clear began");
            assertArrayEquals(b("acknowledged"), reopened.get(b("after")));
        }
    }
}
