package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
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
        corrupt(64 + 4);
        assertThrows(CorruptionException.class, () -> CommitJournal.open(dir, MAX_RECORD, BUFFER, false));
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
