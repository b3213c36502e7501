package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding: a Store.clear that fails with a plain I/O error (not a failed force) after its
 * CLEARING mark is durable leaves the mark and the store writable; the writes it acknowledges later
 * are removed by the open that "finishes" the clear, even after a clean close.
 */
class RevDbClearMarkLeftTest {
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

    @Test
    void aWriteAcknowledgedAfterAFailedClearSurvivesAReopen() throws IOException {
        FailManifestMoveIo io = new FailManifestMoveIo();
        StoreOptions options =
                StoreModelTest.smallFiles().shards(3).activeExpiry(false).autoCompaction(false);
        try (Store store = Store.open(tmp, options.copy().fileIo(io))) {
            store.put(b("before"), b("1"));
            io.moves.set(0);
            io.failAt = 2; // the rename that removes the CLEARING mark
            assertThrows(UncheckedIOException.class, store::clear);
            store.put(b("after"), b("acknowledged"));
            store.sync();
        }
        try (Store store = Store.open(tmp, options)) {
            assertArrayEquals(b("acknowledged"), store.get(b("after")), "removed by the finishing clear");
        }
    }
}
