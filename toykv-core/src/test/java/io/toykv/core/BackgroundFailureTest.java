package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.io.FileAllocator;
import java.nio.file.Path;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StoreOptions#onBackgroundFailure}: an Error in a background thread is told at once, not only on the next call. */
class BackgroundFailureTest {
    @TempDir
    Path dir;

    record Report(String thread, Throwable failure) {}

    @Test
    void errorInTheFlusherReachesTheHandlerAtOnce() throws Exception {
        FaultInjectionTest.FailingWrites io = new FaultInjectionTest.FailingWrites(false);
        LinkedBlockingQueue<Report> reports = new LinkedBlockingQueue<>();
        StoreOptions options = StoreModelTest.smallFiles()
                .shards(1)
                .syncMode(SyncMode.EVERY_SECOND)
                .onBackgroundFailure(
                        t -> reports.add(new Report(Thread.currentThread().getName(), t)));
        OutOfMemoryError injected = new OutOfMemoryError("injected");
        Store s = Store.open(dir, options, FileAllocator.DEFAULT, io);
        try {
            io.error = injected;
            byte[] value = new byte[4000];
            // Fill a buffer half so that the flusher writes it; the puts themselves do not wait for it.
            for (int i = 0; i < 40 && reports.isEmpty(); i++) {
                try {
                    s.put(("k" + i).getBytes(), value);
                } catch (RuntimeException | Error e) {
                    break; // a later put that waits for the failed write sees it too
                }
            }
            Report first = reports.poll(5, TimeUnit.SECONDS);
            assertNotNull(first, "no background failure reported");
            assertSame(injected, first.failure());
            assertTrue(
                    first.thread().startsWith("toykv-flush-") || first.thread().equals("toykv-sync"), first.thread());
        } finally {
            io.error = null;
            try {
                s.close();
            } catch (RuntimeException | Error e) {
                // the store saw the injected failure: closing may report it again
            }
        }
    }
}
