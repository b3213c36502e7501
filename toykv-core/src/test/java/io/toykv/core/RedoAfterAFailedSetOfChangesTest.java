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
 * What the next open's redo of a set of changes of several databases does to what the databases
 * acknowledged after that set failed in the running process: every such write or swap either is
 * refused, or is still there after the redo.
 */
class RedoAfterAFailedSetOfChangesTest {
    @TempDir
    Path tmp;

    /** Fails, once each, the step a test arms. */
    static final class Faults extends ForwardingFileIo {
        /** The write of a DONE record (17 bytes) to transactions.log. */
        volatile boolean done;
        /** The rename of databases.map into place. */
        volatile boolean map;
        /** The force of transactions.log (the record's bytes are written, its force fails). */
        volatile boolean logForce;

        @Override
        public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
            if (done && isLog(path) && src.remaining() == 17) {
                done = false;
                throw new IOException("simulated EIO on the DONE mark");
            }
            return super.write(ch, path, src, position);
        }

        @Override
        public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
            if (logForce && isLog(path)) {
                logForce = false;
                throw new IOException("simulated EIO on the force of the TRANSACTION record");
            }
            super.force(ch, path, metaData);
        }

        @Override
        public void move(Path from, Path to) throws IOException {
            if (map && to.getFileName().toString().equals("databases.map")) {
                map = false;
                throw new IOException("simulated ENOSPC on the database map's replacement");
            }
            super.move(from, to);
        }

        private static boolean isLog(Path path) {
            return path.getFileName().toString().equals("transactions.log");
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreOptions options() {
        return StoreModelTest.smallFiles().shards(2).activeExpiry(false).autoCompaction(false);
    }

    /** Whether {@code r} returned (an acknowledgement) rather than threw. */
    private static boolean acknowledged(Runnable r) {
        try {
            r.run();
            return true;
        } catch (RuntimeException refused) {
            return false;
        }
    }

    private static void closeAfterFailure(Databases dbs) {
        try {
            dbs.close();
        } catch (RuntimeException expected) {
            // writes were stopped: the close says so
        }
    }

    /**
     * A set with a swap whose DONE failed; then a swap of two other databases returns: the redo at the
     * next open writes the set's map over the one that swap wrote, so the acknowledged swap is gone.
     */
    @Test
    void aSwapAcknowledgedAfterASetWithASwapFailedSurvivesTheRedo() throws IOException {
        Faults io = new Faults();
        Databases dbs = Databases.open(tmp, options().fileIo(io), 4);
        boolean swapped;
        try {
            for (int db = 0; db < 4; db++) {
                dbs.database(db).put(b("k"), b("v" + db));
            }
            io.done = true;
            assertThrows(
                    UncheckedIOException.class,
                    () -> dbs.apply(new DatabaseChanges()
                            .put(0, b("x"), b("1"), Store.NO_EXPIRY)
                            .swap(0, 1)));
            swapped = acknowledged(() -> dbs.swap(2, 3));
        } finally {
            closeAfterFailure(dbs);
        }
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("v1"), reopened.database(0).get(b("k")), "the failed set, redone whole");
            assertArrayEquals(
                    b(swapped ? "v3" : "v2"),
                    reopened.database(2).get(b("k")),
                    swapped ? "SWAPDB 2 3 returned after the failure" : "SWAPDB 2 3 was refused");
        }
    }

    /**
     * A set that swaps database 0 with database 3, never used, fails writing databases.map (after its
     * record and part are durable); database 3's store opens after the failure and takes a write: the
     * redo then swaps, and the acknowledged write shows in database 0, no longer in 3.
     */
    @Test
    void aWriteToADatabaseFirstOpenedAfterASwapFailedStaysInThatDatabase() throws IOException {
        Faults io = new Faults();
        Databases dbs = Databases.open(tmp, options().fileIo(io), 4);
        boolean written;
        try {
            dbs.database(0).put(b("k"), b("zero"));
            io.map = true;
            assertThrows(
                    UncheckedIOException.class,
                    () -> dbs.apply(new DatabaseChanges()
                            .put(0, b("x"), b("1"), Store.NO_EXPIRY)
                            .swap(0, 3)));
            written = acknowledged(() -> dbs.database(3).put(b("later"), b("acknowledged")));
        } finally {
            closeAfterFailure(dbs);
        }
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            assertArrayEquals(b("zero"), reopened.database(3).get(b("k")), "the failed set, redone whole");
            if (written) {
                assertArrayEquals(
                        b("acknowledged"),
                        reopened.database(3).get(b("later")),
                        "a write database 3 acknowledged after the failure");
            }
        }
    }

    /**
     * The force of a set's record fails (its bytes are in the file, so the next open redoes it), and
     * no database stops taking writes: a write acknowledged then to a key of the set is overwritten by
     * the redo.
     */
    @Test
    void aWriteAcknowledgedAfterTheRecordsForceFailedIsNotUndoneByTheRedo() throws IOException {
        Faults io = new Faults();
        Databases dbs = Databases.open(tmp, options().fileIo(io), 4);
        boolean written;
        try {
            dbs.database(0).put(b("k"), b("old"));
            dbs.move(b("k"), 0, 1); // the log exists before the fault
            dbs.move(b("k"), 1, 0);
            io.logForce = true;
            assertThrows(
                    UncheckedIOException.class,
                    () -> dbs.apply(new DatabaseChanges()
                            .put(0, b("k"), b("in the set"), Store.NO_EXPIRY)
                            .put(1, b("y"), b("1"), Store.NO_EXPIRY)));
            written = acknowledged(() -> dbs.database(0).put(b("k"), b("acknowledged after")));
        } finally {
            closeAfterFailure(dbs);
        }
        try (Databases reopened = Databases.open(tmp, options(), 4)) {
            if (written) {
                assertArrayEquals(
                        b("acknowledged after"),
                        reopened.database(0).get(b("k")),
                        "a write acknowledged after the failed set");
            }
        }
    }
}
