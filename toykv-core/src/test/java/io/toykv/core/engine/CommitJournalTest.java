package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.CorruptionException;
import io.toykv.core.ForwardingFileIo;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitJournalTest {
    private static final long MAX_RECORD = 1000;
    private static final long BUFFER = 64 * 1024;

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private CommitJournal fresh() throws IOException {
        CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, true);
        j.restart();
        return j;
    }

    /** Appends and forces one record of each kind; returns their ends. */
    private long[] appendAll(CommitJournal j) throws IOException {
        long[] ends = new long[4];
        for (long r = 0; r < 4; r++) {
            j.reserve(100);
        }
        ends[0] = j.append(CommitJournal.PUT, 0, b("a"), b("value a"), 0);
        ends[1] = j.append(CommitJournal.PUT, 1, b("b"), b("value b"), 1234);
        ends[2] = j.append(CommitJournal.DELETE, 0, b("a"), null, 0);
        ends[3] = j.append(CommitJournal.PUT, 1, b("b"), b("value b"), 99);
        j.release(400);
        j.syncTo(ends[3]);
        return ends;
    }

    @Test
    void aRecordLongerThanTheRingIsSizedForIsRefused() throws IOException {
        try (CommitJournal j = fresh()) {
            byte[] value = new byte[(int) MAX_RECORD]; // with the header and the key, past MAX_RECORD
            j.reserve(2 * MAX_RECORD);
            try {
                assertThrows(IllegalArgumentException.class, () -> j.append(CommitJournal.PUT, 0, b("k"), value, 0));
            } finally {
                j.release(2 * MAX_RECORD);
            }
            long end = j.append(CommitJournal.PUT, 0, b("k"), new byte[10], 0); // the journal goes on
            j.syncTo(end);
        }
    }

    @Test
    void forcedRecordsReadBackInOrder() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
            assertEquals(1, j.rounds());
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            List<CommitJournal.Record> r = j.readRecords(2);
            assertEquals(4, r.size());
            assertEquals(CommitJournal.PUT, r.get(0).kind());
            assertArrayEquals(b("value a"), r.get(0).value());
            assertEquals(1, r.get(1).shard());
            assertEquals(1234, r.get(1).expiry());
            assertEquals(CommitJournal.DELETE, r.get(2).kind());
            assertNull(r.get(2).value());
            assertEquals(99, r.get(3).expiry());
            assertArrayEquals(b("value b"), r.get(3).value());
        }
    }

    @Test
    void aMissingJournalIsCreatedOnlyWhenAsked() throws IOException {
        assertNull(CommitJournal.open(dir, MAX_RECORD, BUFFER, false));
    }

    @Test
    void aDamagedRecordEndsTheReplayThere() throws IOException {
        long[] ends;
        try (CommitJournal j = fresh()) {
            ends = appendAll(j);
        }
        // Flip a byte of the third record's key: it and the fourth are a torn tail.
        long third = ends[1];
        corrupt(offsetOf(third) + CommitJournal.RECORD_HEADER);
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            assertEquals(2, j.readRecords(2).size());
        }
    }

    @Test
    void aRecordNamingAShardPastTheStoresIsNotRead() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            assertEquals(1, j.readRecords(1).size()); // the second record names shard 1
        }
    }

    @Test
    void coveredRecordsAndRecordsOfAnEarlierOpenAreNotReplayed() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
            j.close(true);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            assertEquals(List.of(), j.readRecords(2));
        }
        try (CommitJournal j = fresh()) {
            // The restart moved past the ring: the old records lie where new ones go, and do not count.
            assertEquals(List.of(), j.readRecords(2));
            j.reserve(100);
            long end = j.append(CommitJournal.CLEAR, 0, new byte[0], null, 0);
            j.release(100);
            j.syncTo(end);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            List<CommitJournal.Record> r = j.readRecords(2);
            assertEquals(1, r.size());
            assertEquals(CommitJournal.CLEAR, r.get(0).kind());
        }
    }

    @Test
    void aBarrierDropsTheEarlierRecordsOfItsShardOnly() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
            j.reserve(100);
            long end = j.append(CommitJournal.BARRIER, 0, new byte[0], null, 0);
            end = j.append(CommitJournal.PUT, 0, b("c"), b("after"), 0);
            j.release(100);
            j.syncTo(end);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            List<CommitJournal.Record> r = j.readRecords(2);
            assertEquals(3, r.size());
            assertEquals(1, r.get(0).shard());
            assertEquals(1, r.get(1).shard());
            assertArrayEquals(b("c"), r.get(2).key());
        }
    }

    @Test
    void recordsWrapAroundTheRing() throws IOException {
        long capacity;
        int n = 0;
        try (CommitJournal j = fresh()) {
            capacity = CommitJournal.capacityFor(MAX_RECORD, BUFFER);
            byte[] value = new byte[900];
            long end = 0;
            long earlier = 0;
            // More than a ring's worth, checkpointing as a store does: each round covered once forced.
            for (long written = 0; written < capacity + capacity / 3; written += value.length) {
                j.reserve(1000);
                end = j.append(CommitJournal.PUT, 0, b("k" + n++), value, 0);
                j.release(1000);
                if (n % 100 == 95) {
                    earlier = end;
                }
                if (n % 100 == 0) {
                    j.syncTo(end);
                    j.cover(earlier); // as if the shards held everything but the last five records
                }
            }
            j.syncTo(end);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            List<CommitJournal.Record> r = j.readRecords(1);
            assertArrayEquals(b("k" + (n - 1)), r.get(r.size() - 1).key());
            for (int i = 1; i < r.size(); i++) {
                String prev = new String(r.get(i - 1).key(), StandardCharsets.UTF_8);
                String next = new String(r.get(i).key(), StandardCharsets.UTF_8);
                assertEquals(Integer.parseInt(prev.substring(1)) + 1, Integer.parseInt(next.substring(1)));
            }
            // Read through windows smaller than a record, and of a size no record boundary lines up with.
            for (int window : new int[] {256, 4096, 5000}) {
                List<CommitJournal.Record> again = j.readRecords(1, window);
                assertEquals(r.size(), again.size(), "window " + window);
                for (int i = 0; i < r.size(); i++) {
                    assertArrayEquals(r.get(i).key(), again.get(i).key());
                    assertArrayEquals(r.get(i).value(), again.get(i).value());
                    assertEquals(r.get(i).position(), again.get(i).position());
                }
            }
        }
    }

    /**
     * A ring past 2 GiB (a sparse file: the records lie past file offset 2 GiB, across the ring's end)
     * is read in bounded windows: one heap buffer of the whole ring cannot even be sized for it.
     */
    @Test
    void aRingLargerThanTwoGibibytesIsRead() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
            j.close(true);
        }
        long capacity = 3L << 30;
        try (RandomAccessFile f = new RandomAccessFile(FileNames.journal(dir).toFile(), "rw")) {
            f.setLength(CommitJournal.HEADER_SIZE + capacity);
        }
        long nearTheEnd;
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            j.restart();
            nearTheEnd = j.appended() + capacity - 60; // two records fit before the ring's end, and no SKIP
            j.cover(nearTheEnd);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            assertEquals(nearTheEnd, j.appended());
            appendAll(j);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            List<CommitJournal.Record> r = j.readRecords(2);
            assertEquals(4, r.size());
            assertEquals(nearTheEnd, r.get(0).position());
            assertEquals(0, r.get(2).position() % capacity, "the third record starts the next lap");
            assertArrayEquals(b("value b"), r.get(3).value());
        }
    }

    /**
     * A writer waiting for room in a full ring fails when the journal is closed, though the close's
     * header write failed with a plain IOException (no checkpoint will make room any more).
     */
    @Test
    void aWriterWaitingForRoomFailsWhenTheCloseFails() throws Exception {
        CommitJournal j = fresh();
        long room = CommitJournal.capacityFor(MAX_RECORD, BUFFER) - MAX_RECORD;
        j.reserve(room); // every byte the ring has, held by another writer, which writes a record
        j.syncTo(j.append(CommitJournal.PUT, 0, b("k"), b("v"), 0));
        CountDownLatch asked = new CountDownLatch(1);
        j.onCheckpointWanted(asked::countDown);
        CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
            try {
                j.reserve(100);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertTrue(asked.await(30, TimeUnit.SECONDS), "the waiter asked for a checkpoint");
        FileIo failing = new ForwardingFileIo() {
            @Override
            public int write(FileChannel ch, Path path, ByteBuffer src, long position) throws IOException {
                throw new IOException("injected: the header write fails");
            }
        };
        try (FileIo.Installed installed = FileIo.install(dir, failing)) {
            assertThrows(IOException.class, () -> j.close(true));
        }
        // A liveness bound, not a speed check: without the close's wake-up the waiter never returns.
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiter.get(30, TimeUnit.SECONDS));
        assertTrue(e.getCause().getCause() instanceof IOException, e.toString());
        assertThrows(IOException.class, () -> j.reserve(1), "a reservation after the close fails at once");
    }

    /**
     * A request for a checkpoint made after a round started (which found nothing to cover, so never
     * reached {@code cover}) wakes the checkpointer again, and a reservation given back wakes the writer
     * waiting for room, which asks again: no wait for the next timed round.
     */
    @Test
    void aCheckpointRequestAfterARoundStartedWakesTheCheckpointerAgain() throws Exception {
        try (CommitJournal j = fresh()) {
            long room = CommitJournal.capacityFor(MAX_RECORD, BUFFER) - MAX_RECORD;
            Semaphore asks = new Semaphore(0);
            j.onCheckpointWanted(asks::release);
            j.reserve(room - 50); // another writer's, appended below
            CompletableFuture<Void> waiter = CompletableFuture.runAsync(() -> {
                try {
                    j.reserve(100);
                    j.release(100);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(asks.tryAcquire(30, TimeUnit.SECONDS), "the waiter asked for a checkpoint");
            // The checkpointer's round: nothing appended since the covered point, so nothing to cover.
            long end = j.startCheckpoint();
            assertTrue(j.covers(end));
            // The other writer fills its reservation and gives it back: still no room for the waiter.
            long start = end;
            long last = end;
            while (start + room - 50 - last > 1000) {
                last = j.append(CommitJournal.PUT, 0, b("k"), new byte[900], 0);
            }
            int rest = (int) (start + room - 50 - last) - CommitJournal.RECORD_HEADER - 1;
            last = j.append(CommitJournal.PUT, 0, b("k"), new byte[rest], 0);
            j.release(room - 50);
            // The waiter, woken by the release, asks again; the checkpointer's wake is not swallowed.
            assertTrue(asks.tryAcquire(30, TimeUnit.SECONDS), "the waiter asked again once woken");
            assertFalse(waiter.isDone());
            j.syncTo(last);
            j.cover(j.startCheckpoint());
            waiter.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTornHeaderSlotLeavesTheOtherOne() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
        }
        // The restart wrote the slot of sequence 2 (offset 0); damage it, and the creation's slot remains.
        corrupt(16);
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            assertEquals(List.of(), j.readRecords(2)); // the old slot's covered point is a ring before
        }
        corrupt(CommitJournal.SLOT_SPACING + 4);
        assertThrows(CorruptionException.class, () -> CommitJournal.open(dir, MAX_RECORD, BUFFER, false));
    }

    /**
     * A power loss tears the header write of a checkpoint: the whole sector holding the newer slot is
     * lost, and the other slot, in a sector of its own, still names an earlier covered point. Replay
     * starts there: the ring's space past it was not reused, since that waits for the header's force,
     * so every record from there on is read (the covered ones again, to the same effect).
     */
    @Test
    void aTornSectorOfTheNewerSlotLeavesTheOlderOne() throws IOException {
        try (CommitJournal j = fresh()) {
            long[] ends = appendAll(j);
            j.cover(ends[1]); // slot 1 (sequence 3): the first two records are covered
            j.reserve(100);
            long end = j.append(CommitJournal.CLEAR, 1, new byte[0], null, 0);
            j.release(100);
            j.syncTo(end);
        }
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            assertEquals(3, j.readRecords(2).size());
        }
        zero(CommitJournal.SLOT_SPACING / 512 * 512, 512); // the 512-byte sector that holds slot 1
        try (CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, false)) {
            List<CommitJournal.Record> r = j.readRecords(2);
            assertEquals(5, r.size(), "replayed from slot 0's covered point");
            assertArrayEquals(b("value a"), r.get(0).value());
            assertEquals(CommitJournal.CLEAR, r.get(4).kind());
        }
    }

    private void zero(long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(FileNames.journal(dir), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(length), offset);
        }
    }

    @Test
    void aJournalOfTheWrongSizeIsCorruption() throws IOException {
        try (CommitJournal j = fresh()) {
            appendAll(j);
        }
        try (FileChannel ch = FileChannel.open(FileNames.journal(dir), StandardOpenOption.WRITE)) {
            ch.truncate(4096 + 100);
        }
        assertThrows(CorruptionException.class, () -> CommitJournal.open(dir, MAX_RECORD, BUFFER, false));
    }

    private long offsetOf(long position) {
        return CommitJournal.HEADER_SIZE + position % CommitJournal.capacityFor(MAX_RECORD, BUFFER);
    }

    private void corrupt(long offset) throws IOException {
        try (FileChannel ch =
                FileChannel.open(FileNames.journal(dir), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, offset);
            one.put(0, (byte) (one.get(0) ^ 0x5A)).rewind();
            ch.write(one, offset);
        }
    }
}
