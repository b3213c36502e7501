package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review finding: a set of changes whose DONE mark could not be written (an I/O error on
 * databases/transactions.log only) stays pending in the log while the server goes on acknowledging
 * single-database writes. The next open (even after a clean close) redoes the set over them.
 */
class RevDbFailedDoneTest {
    @TempDir
    Path tmp;

    /** Fails the next write of a DONE record (17 bytes) to transactions.log, once, when armed. */
    static final class FailDoneIo extends ForwardingFileIo {
        volatile boolean armed;

        @Override
        public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
            if (armed && path.getFileName().toString().equals("transactions.log") && src.remaining() == 17) {
                armed = false;
                throw new IOException("simulated EIO on the DONE mark");
            }
            return super.write(ch, path, src, position);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreOptions options() {
        return StoreModelTest.smallFiles().shards(2).activeExpiry(false).autoCompaction(false);
    }

    @Test
    void aMoveWhoseDoneFailedIsRedoneOverLaterAcknowledgedWrites() throws IOException {
        FailDoneIo io = new FailDoneIo();
        try (Databases dbs = Databases.open(tmp, options().fileIo(io), 4)) {
            dbs.database(0).put(b("k"), b("old"));
            dbs.database(1).put(b("other"), b("x"));
            io.armed = true;
            assertThrows(UncheckedIOException.class, () -> dbs.move(b("k"), 0, 1)); // the client gets an error
            // Later single-database writes are accepted and acknowledged (made durable).
            dbs.database(1).put(b("k"), b("acknowledged-later"));
            dbs.database(0).put(b("k"), b("also-acknowledged"));
            dbs.database(1).sync();
            dbs.database(0).sync();
        } // a clean close
        try (Databases dbs = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("acknowledged-later"), dbs.database(1).get(b("k")), "db1 k overwritten by the redo");
            assertArrayEquals(b("also-acknowledged"), dbs.database(0).get(b("k")), "db0 k deleted by the redo");
        }
    }

    @Test
    void aFlushallWhoseDoneFailedClearsLaterAcknowledgedKeysAtTheNextOpen() throws IOException {
        FailDoneIo io = new FailDoneIo();
        try (Databases dbs = Databases.open(tmp, options().fileIo(io), 4)) {
            dbs.database(0).put(b("a"), b("1"));
            dbs.database(2).put(b("b"), b("2"));
            io.armed = true;
            assertThrows(UncheckedIOException.class, dbs::clearAll);
            dbs.database(2).put(b("written-after"), b("acknowledged"));
            dbs.database(2).sync();
        }
        try (Databases dbs = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("acknowledged"), dbs.database(2).get(b("written-after")), "lost by the redo's clear");
        }
    }
}
