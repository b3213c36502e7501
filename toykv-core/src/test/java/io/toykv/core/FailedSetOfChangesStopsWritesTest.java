package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once a set of changes of several databases is durable in databases/transactions.log, a failure before
 * its DONE mark stops writes on every open database: the next open (even after a clean close) redoes
 * the set, so no write may be acknowledged in between.
 */
class FailedSetOfChangesStopsWritesTest {
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

    /**
     * Opens the databases, writes with {@code fill}, then runs {@code set}, whose DONE mark fails: checks
     * that it fails, that each of {@code open} (databases open at that moment) refuses later writes, and
     * that the close says writes were stopped.
     */
    private void failSet(Consumer<Databases> fill, Consumer<Databases> set, int... open) throws IOException {
        FailDoneIo io = new FailDoneIo();
        Databases dbs = Databases.open(tmp, options().fileIo(io), 4);
        try {
            fill.accept(dbs);
            io.armed = true;
            assertThrows(UncheckedIOException.class, () -> set.accept(dbs));
            for (int db : open) {
                assertThrows(UncheckedIOException.class, () -> dbs.database(db).put(b("later"), b("refused")));
                assertTrue(dbs.database(db).stats().writesStopped(), "database " + db);
            }
        } finally {
            assertThrows(UncheckedIOException.class, dbs::close);
        }
    }

    @Test
    void aMoveWhoseDoneFailedRefusesLaterWritesAndIsWholeAfterReopen() throws IOException {
        failSet(
                dbs -> {
                    dbs.database(0).put(b("k"), b("old"));
                    dbs.database(1).put(b("other"), b("x"));
                    dbs.database(2).put(b("untouched"), b("y"));
                },
                dbs -> dbs.move(b("k"), 0, 1),
                0,
                1,
                2);
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("old"), reopened.database(1).get(b("k")), "the move redone at open");
            assertNull(reopened.database(0).get(b("k")), "the move's delete redone at open");
            assertArrayEquals(b("x"), reopened.database(1).get(b("other")));
            assertArrayEquals(b("y"), reopened.database(2).get(b("untouched")), "forced before writes stopped");
            reopened.database(1).put(b("k"), b("after-reopen"));
        }
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("after-reopen"), reopened.database(1).get(b("k")), "redone a second time");
        }
    }

    @Test
    void aFlushallWhoseDoneFailedRefusesLaterWritesAndClearsEveryDatabaseAtReopen() throws IOException {
        failSet(
                dbs -> {
                    dbs.database(0).put(b("a"), b("1"));
                    dbs.database(2).put(b("b"), b("2"));
                },
                Databases::clearAll,
                0,
                2);
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            assertTrue(reopened.isEmpty(0));
            assertTrue(reopened.isEmpty(2));
            reopened.database(2).put(b("written-after"), b("acknowledged"));
        }
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("acknowledged"), reopened.database(2).get(b("written-after")));
        }
    }
}
