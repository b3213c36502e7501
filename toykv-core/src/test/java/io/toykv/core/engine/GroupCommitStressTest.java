package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.ForwardingFileIo;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.ForceFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many writers share the journal's group commits while records nobody waits for are appended beside
 * them ({@link CommitJournal#tryAppend}, as expiry does) and a checkpointer syncs to the end it noted.
 * Each acknowledgement is checked, in its writer's thread, against the bytes the device holds: every
 * byte of the record was written before a force of the journal that returned. Forces take a little
 * time, as a device's do, so that writers queue behind a round.
 */
class GroupCommitStressTest {
    private static final long MAX_RECORD = 1000;
    private static final long BUFFER = 64 * 1024;
    private static final int WRITERS = 16;
    private static final int RECORDS_PER_WRITER = 150;
    /** A bound on liveness only: a writer that never wakes fails the test instead of hanging the build. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedRecordIsForcedAndReadsBackWithFewerRoundsThanWrites() {
        DeviceImage device = new DeviceImage(Long.MAX_VALUE);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> problems = new CopyOnWriteArrayList<>();
        long rounds = assertTimeoutPreemptively(HANG, () -> {
            try (FileIo.Installed installed = FileIo.install(dir, device);
                    CommitJournal j = fresh()) {
                runWriters(j, device, acknowledged, problems);
                return j.rounds();
            }
        });
        assertEquals(List.of(), problems);
        assertEquals(WRITERS * RECORDS_PER_WRITER, acknowledged.size());
        assertTrue(rounds < WRITERS * RECORDS_PER_WRITER, rounds + " rounds: writers did not share them");
        Set<String> read = new HashSet<>();
        assertTimeoutPreemptively(HANG, () -> {
            try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
                for (CommitJournal.Record r : j.readRecords(2)) {
                    read.add(new String(r.key(), StandardCharsets.UTF_8));
                }
            }
        });
        assertTrue(read.containsAll(acknowledged), "every acknowledged record is in the journal");
    }

    /**
     * A force fails in the middle of the load: every writer then fails (none hangs), no record past the
     * last good round is acknowledged, and forces that work again start no later round.
     */
    @Test
    void aForceFailingUnderLoadFailsEveryWriterAndAcknowledgesOnlyForcedRecords() {
        DeviceImage device = new DeviceImage(20);
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<String> problems = new CopyOnWriteArrayList<>();
        assertTimeoutPreemptively(HANG, () -> {
            try (FileIo.Installed installed = FileIo.install(dir, device);
                    CommitJournal j = fresh()) {
                List<Throwable> failures = runWriters(j, device, acknowledged, problems);
                assertEquals(WRITERS, failures.size(), "each writer needs more rounds than ran before the failure");
                for (Throwable t : failures) {
                    assertTrue(ForceFailedException.isIn(t), t.toString());
                }
                assertEquals(20, device.forces.get(), "no force after the failed one");
            }
        });
        assertEquals(List.of(), problems);
    }

    /**
     * Runs the writers, one appender of records nobody waits for and one checkpointer's syncs until every
     * writer is done; returns what each writer failed with (its first failure ends it).
     */
    private List<Throwable> runWriters(
            CommitJournal j, DeviceImage device, Set<String> acknowledged, List<String> problems)
            throws InterruptedException {
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean done = new AtomicBoolean();
        List<Thread> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(new Thread(() -> {
                try {
                    for (int i = 0; i < RECORDS_PER_WRITER; i++) {
                        String key = "w" + writer + "-" + i;
                        byte[] k = key.getBytes(StandardCharsets.UTF_8);
                        int size = CommitJournal.recordSize(k, k);
                        j.reserve(size);
                        long end;
                        try {
                            end = j.append(CommitJournal.PUT, writer % 2, k, k, 0);
                        } finally {
                            j.release(size);
                        }
                        j.syncTo(end);
                        if (!device.forced(fileOffset(end - size), fileOffset(end))) {
                            problems.add(key + " acknowledged before its bytes were forced");
                        }
                        acknowledged.add(key);
                    }
                } catch (IOException | RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        Thread expiry = new Thread(() -> {
            for (int i = 0; !done.get() && i < 2000; i++) {
                j.tryAppend(CommitJournal.DELETE, 0, ("x" + i).getBytes(StandardCharsets.UTF_8), null, 0);
                LockSupport.parkNanos(100_000);
            }
        });
        Thread checkpointer = new Thread(() -> {
            try {
                while (!done.get()) {
                    j.syncTo(j.startCheckpoint());
                    LockSupport.parkNanos(1_000_000);
                }
            } catch (IOException e) {
                // the failing run's: the writers report theirs
            }
        });
        writers.forEach(Thread::start);
        expiry.start();
        checkpointer.start();
        for (Thread t : writers) {
            t.join();
        }
        done.set(true);
        expiry.join();
        checkpointer.join();
        return failures;
    }

    /**
     * Where {@code position} lies in the file: the positions of a fresh journal start at a lap's start,
     * and the records of a test never fill a lap.
     */
    private static long fileOffset(long position) {
        return CommitJournal.HEADER_SIZE + position % CommitJournal.capacityFor(MAX_RECORD, BUFFER);
    }

    private CommitJournal fresh() throws IOException {
        CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, true);
        j.restart();
        return j;
    }

    /**
     * The real file system, keeping which bytes of the journal a force made durable: those written
     * before a force of the file (through any of its channels) that returned. Each force waits a little;
     * the {@code failAt}th fails, without forcing.
     */
    private static final class DeviceImage extends ForwardingFileIo {
        private final long failAt;
        private final AtomicLong forces = new AtomicLong();
        private final BitSet written = new BitSet();
        private final BitSet durable = new BitSet();

        DeviceImage(long failAt) {
            this.failAt = failAt;
        }

        private static boolean journal(Path path) {
            return path.getFileName().toString().equals("journal.log");
        }

        @Override
        public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
            int n = super.write(ch, path, src, position);
            if (journal(path)) {
                synchronized (this) {
                    written.set(Math.toIntExact(position), Math.toIntExact(position + n));
                }
            }
            return n;
        }

        @Override
        public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
            if (!journal(path)) {
                super.force(ch, path, metaData);
                return;
            }
            BitSet before;
            synchronized (this) {
                before = (BitSet) written.clone();
            }
            LockSupport.parkNanos(200_000);
            if (forces.incrementAndGet() == failAt) {
                throw new IOException("Input/output error (injected)");
            }
            super.force(ch, path, metaData);
            synchronized (this) {
                durable.or(before);
            }
        }

        /** Whether every byte of [from, to) of the journal file is durable. */
        synchronized boolean forced(long from, long to) {
            return durable.nextClearBit(Math.toIntExact(from)) >= to;
        }
    }
}
