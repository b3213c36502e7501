package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.CorruptionException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionLogTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<TransactionLog.Part> moveOf(String key, int from, int to) {
        return List.of(
                new TransactionLog.Part(to, false, List.of(new BatchOp(BatchOp.Kind.PUT, b(key), b("v-" + key), 0))),
                new TransactionLog.Part(from, false, List.of(new BatchOp(BatchOp.Kind.DELETE, b(key), null, 0))));
    }

    private Path file() {
        return TransactionLog.path(dir);
    }

    @Test
    void aMissingFileIsAnEmptyLogAndTheFirstAppendMakesIt() throws IOException {
        try (TransactionLog log = TransactionLog.open(file())) {
            assertTrue(log.pending().isEmpty());
            assertFalse(log.hasRecords());
            assertFalse(Files.exists(file()));
            log.append(moveOf("k", 0, 1));
        }
        assertTrue(Files.exists(file()));
    }

    @Test
    void transactionsWithoutDoneAreRedoneInOrderWithEveryChange() throws IOException {
        List<TransactionLog.Part> third = List.of(new TransactionLog.Part(
                7,
                true,
                List.of(
                        new BatchOp(BatchOp.Kind.PUT, b(""), b("empty key"), 1_700_000_000_000L),
                        new BatchOp(BatchOp.Kind.EXPIRE, b("x"), null, 0),
                        new BatchOp(BatchOp.Kind.EXPIRE, b("y"), null, 1_800_000_000_000L))));
        try (TransactionLog log = TransactionLog.open(file())) {
            long first = log.append(moveOf("a", 0, 1));
            log.append(moveOf("b", 2, 3));
            log.done(first);
            log.append(third);
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            List<TransactionLog.Transaction> pending = log.pending();
            assertEquals(2, pending.size());
            assertParts(moveOf("b", 2, 3), pending.get(0).parts());
            assertParts(third, pending.get(1).parts());
            assertTrue(pending.get(0).sequence() < pending.get(1).sequence());
            assertTrue(log.hasRecords());
            log.reset();
            assertTrue(log.pending().isEmpty());
        }
        assertEquals(TransactionLog.HEADER_SIZE, Files.size(file()));
        try (TransactionLog log = TransactionLog.open(file())) {
            assertTrue(log.pending().isEmpty());
            assertFalse(log.hasRecords());
        }
    }

    private static void assertParts(List<TransactionLog.Part> expected, List<TransactionLog.Part> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            TransactionLog.Part e = expected.get(i);
            TransactionLog.Part a = actual.get(i);
            assertEquals(e.directory(), a.directory());
            assertEquals(e.clear(), a.clear());
            assertEquals(e.ops().size(), a.ops().size());
            for (int j = 0; j < e.ops().size(); j++) {
                assertEquals(e.ops().get(j).kind(), a.ops().get(j).kind());
                assertArrayEquals(e.ops().get(j).key(), a.ops().get(j).key());
                assertArrayEquals(e.ops().get(j).value(), a.ops().get(j).value());
                assertEquals(e.ops().get(j).expireAt(), a.ops().get(j).expireAt());
            }
        }
    }

    /** The bytes of a log with one transaction (done) and one more (not done). */
    private byte[] twoTransactions() throws IOException {
        try (TransactionLog log = TransactionLog.open(file())) {
            log.done(log.append(moveOf("a", 0, 1)));
            log.append(moveOf("b", 1, 2));
        }
        return Files.readAllBytes(file());
    }

    @Test
    void aRecordCutShortAtAnyByteIsATornTailAndIgnored() throws IOException {
        byte[] whole = twoTransactions();
        int lastStart = whole.length - (TransactionLog.RECORD_HEADER + recordPayload(moveOf("b", 1, 2)));
        for (int cut = lastStart; cut < whole.length; cut++) {
            TransactionLog.Contents c = TransactionLog.parse(file(), Arrays.copyOf(whole, cut));
            assertTrue(c.pending().isEmpty(), "cut at " + cut);
            assertEquals(lastStart, c.end(), "cut at " + cut);
        }
        assertEquals(1, TransactionLog.parse(file(), whole).pending().size());
    }

    /** The payload of a version 2 record of {@code parts} without a map: part count, parts, map length 0. */
    private static int recordPayload(List<TransactionLog.Part> parts) {
        int size = 4 + 4;
        for (TransactionLog.Part p : parts) {
            size += 9;
            for (BatchOp op : p.ops()) {
                size += 5 + op.key().length + (op.kind() == BatchOp.Kind.PUT ? 12 + op.value().length : 0);
            }
        }
        return size;
    }

    @Test
    void aLastRecordWithABadChecksumIsATornTailAndIgnored() throws IOException {
        byte[] bytes = twoTransactions();
        bytes[bytes.length - 1] ^= 1;
        TransactionLog.Contents c = TransactionLog.parse(file(), bytes);
        assertTrue(c.pending().isEmpty());
    }

    @Test
    void aTornTailIsResetAwayAtOpenSoThatNewRecordsFollowTheGoodOnes() throws IOException {
        byte[] whole = twoTransactions();
        Files.write(file(), Arrays.copyOf(whole, whole.length - 3));
        try (TransactionLog log = TransactionLog.open(file())) {
            assertTrue(log.pending().isEmpty());
            assertTrue(log.hasRecords());
            log.reset();
            log.append(moveOf("c", 0, 3));
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            assertEquals(1, log.pending().size());
            assertParts(moveOf("c", 0, 3), log.pending().get(0).parts());
        }
    }

    @Test
    void aDamagedHeaderFailsTheOpen() throws IOException {
        byte[] whole = twoTransactions();
        assertCorrupt(Arrays.copyOf(whole, 10), "has no header");
        for (int i : new int[] {0, 4, 8, 12}) {
            byte[] bad = whole.clone();
            bad[i] ^= 1;
            assertThrows(CorruptionException.class, () -> TransactionLog.parse(file(), bad), "byte " + i);
        }
    }

    private void assertCorrupt(byte[] bytes, String message) {
        CorruptionException e = assertThrows(CorruptionException.class, () -> TransactionLog.parse(file(), bytes));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    /** A log of version 1 (no map section): its header and one record whose checksum holds. */
    private static byte[] withRecord(byte type, long sequence, byte[] payload) {
        return withRecord(1, type, sequence, payload);
    }

    /** A log of {@code version}: its header and one record whose checksum holds. */
    private static byte[] withRecord(int version, byte type, long sequence, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(TransactionLog.HEADER_SIZE + TransactionLog.RECORD_HEADER + payload.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x5854444B).putInt(version).putInt(0).putInt(crc(b.array(), 0, 12, null));
        int at = TransactionLog.HEADER_SIZE;
        b.put(type).putLong(sequence).putInt(payload.length);
        b.putInt(crc(b.array(), at, 13, payload)).put(payload);
        return b.array();
    }

    private static int crc(byte[] bytes, int from, int length, byte[] more) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        if (more != null) {
            crc.update(more);
        }
        return (int) crc.getValue();
    }

    private static byte[] payload(Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return Arrays.copyOf(b.array(), b.position());
    }

    /** One part of directory {@code d} with one DELETE of key "k". */
    private static byte[] deleteIn(int d, int flags) {
        return payload(b -> b.putInt(1)
                .putInt(d)
                .put((byte) flags)
                .putInt(1)
                .put((byte) 2)
                .putInt(1)
                .put((byte) 'k'));
    }

    @Test
    void aWholeRecordThatParsesIsRead() throws IOException {
        TransactionLog.Contents c =
                TransactionLog.parse(file(), withRecord(TransactionLog.TRANSACTION, 5, deleteIn(3, 1)));
        assertEquals(1, c.pending().size());
        assertEquals(3, c.pending().get(0).parts().get(0).directory());
        assertTrue(c.pending().get(0).parts().get(0).clear());
        assertEquals(5, c.lastSequence());
    }

    @Test
    void aBadDatabaseNumberFailsTheOpen() {
        assertCorrupt(withRecord(TransactionLog.TRANSACTION, 1, deleteIn(-1, 0)), "database directory number -1");
        assertCorrupt(
                withRecord(TransactionLog.TRANSACTION, 1, deleteIn(DatabaseMap.MAX_DATABASES, 0)),
                "database directory number");
        byte[] twice = payload(b -> {
            b.putInt(2);
            for (int i = 0; i < 2; i++) {
                b.putInt(4).put((byte) 0).putInt(0);
            }
        });
        assertCorrupt(withRecord(TransactionLog.TRANSACTION, 1, twice), "twice");
    }

    /**
     * A log whose one TRANSACTION (its checksum right) has one part, of directory 0, with one change of
     * {@code kind}: {@code rest} writes what follows the kind byte.
     */
    private static byte[] oneChange(int kind, Consumer<ByteBuffer> rest) {
        return withRecord(TransactionLog.TRANSACTION, 1, payload(b -> {
            b.putInt(1).putInt(0).put((byte) 0).putInt(1).put((byte) kind);
            rest.accept(b);
        }));
    }

    @Test
    void badLengthsInsideAWholeRecordFailTheOpen() {
        assertCorrupt(oneChange(2, b -> b.putInt(99)), "key of 99 bytes");
        assertCorrupt(oneChange(2, b -> b.putInt(-4)), "negative key length");
        assertCorrupt(oneChange(1, b -> b.putInt(0).putLong(0).putInt(1 << 30)), "value of 1073741824 bytes");
        assertCorrupt(withRecord(TransactionLog.TRANSACTION, 1, payload(b -> b.putInt(3))), "ends inside a field");
        assertCorrupt(withRecord(TransactionLog.TRANSACTION, 1, payload(b -> b.putInt(-1))), "negative part count");
        assertCorrupt(
                withRecord(
                        TransactionLog.TRANSACTION, 1, payload(b -> b.putInt(0).putInt(0))),
                "4 bytes after the end of a transaction");
        assertCorrupt(withRecord(TransactionLog.DONE, 1, new byte[3]), "done record with a payload");
    }

    @Test
    void unknownTypesKindsFlagsAndExpiriesFailTheOpen() {
        assertCorrupt(withRecord((byte) 9, 1, deleteIn(0, 0)), "unknown transaction log record type 9");
        assertCorrupt(withRecord(TransactionLog.TRANSACTION, 1, deleteIn(0, 2)), "unknown part flags 2");
        assertCorrupt(oneChange(7, b -> b.putInt(0)), "unknown change kind 7");
        assertCorrupt(oneChange(3, b -> b.putInt(0).putLong(-5)), "expiry change to -5");
        assertCorrupt(oneChange(1, b -> b.putInt(0).putLong(-7).putInt(0)), "put with expiry -7");
    }

    @Test
    void sequencesOutOfOrderAndStrayDonesFailTheOpen() throws IOException {
        assertCorrupt(withRecord(TransactionLog.DONE, 4, new byte[0]), "transaction 4, which is not open");
        assertCorrupt(withRecord(TransactionLog.TRANSACTION, 0, deleteIn(0, 0)), "follows transaction 0");
        byte[] one = withRecord(TransactionLog.TRANSACTION, 2, deleteIn(0, 0));
        byte[] two = withRecord(TransactionLog.TRANSACTION, 2, deleteIn(1, 0));
        byte[] both = Arrays.copyOf(one, one.length + two.length - TransactionLog.HEADER_SIZE);
        System.arraycopy(two, TransactionLog.HEADER_SIZE, both, one.length, two.length - TransactionLog.HEADER_SIZE);
        assertCorrupt(both, "transaction 2 follows transaction 2");
    }

    @Test
    void afterAFailedApplyNothingMoreIsAppended() throws IOException {
        try (TransactionLog log = TransactionLog.open(file())) {
            log.append(moveOf("a", 0, 1));
            log.fail(new IOException("disk full"));
            IOException e = assertThrows(IOException.class, () -> log.append(moveOf("b", 0, 1)));
            assertTrue(e.getMessage().contains("disk full"), e.getMessage());
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            assertEquals(1, log.pending().size());
        }
    }

    @Test
    void aDoneThatLeavesNothingOpenResetsALargeFile() throws IOException {
        byte[] big = new byte[(int) TransactionLog.RESET_SIZE];
        try (TransactionLog log = TransactionLog.open(file())) {
            long s = log.append(
                    List.of(new TransactionLog.Part(1, false, List.of(new BatchOp(BatchOp.Kind.PUT, b("k"), big, 0)))));
            assertTrue(Files.size(file()) > TransactionLog.RESET_SIZE);
            log.done(s);
            assertEquals(TransactionLog.HEADER_SIZE, Files.size(file()));
            log.done(log.append(moveOf("a", 0, 1)));
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            assertTrue(log.pending().isEmpty());
        }
    }

    /** A version 2 TRANSACTION: one part (directory 1, a DELETE of "k"), then {@code map} as written by {@code mapSection}. */
    private static byte[] withMap(Consumer<ByteBuffer> mapSection) {
        return withRecord(2, TransactionLog.TRANSACTION, 1, payload(b -> {
            b.putInt(1)
                    .putInt(1)
                    .put((byte) 0)
                    .putInt(1)
                    .put((byte) 2)
                    .putInt(1)
                    .put((byte) 'k');
            mapSection.accept(b);
        }));
    }

    @Test
    void aTransactionWithAMapReadsBackItsPartsAndMap() throws IOException {
        int[] map = {2, 0, 1, 3};
        try (TransactionLog log = TransactionLog.open(file())) {
            log.append(moveOf("a", 0, 1), map);
            log.append(moveOf("b", 2, 3));
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            List<TransactionLog.Transaction> pending = log.pending();
            assertEquals(2, pending.size());
            assertParts(moveOf("a", 0, 1), pending.get(0).parts());
            assertArrayEquals(map, pending.get(0).map());
            assertParts(moveOf("b", 2, 3), pending.get(1).parts());
            assertEquals(null, pending.get(1).map());
        }
        assertEquals(
                2,
                ByteBuffer.wrap(Files.readAllBytes(file()))
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(4));
    }

    @Test
    void aMapThatIsNotAPermutationIsRefusedBeforeAnythingIsWritten() throws IOException {
        try (TransactionLog log = TransactionLog.open(file())) {
            assertThrows(IllegalArgumentException.class, () -> log.append(moveOf("a", 0, 1), new int[] {0, 0}));
            assertThrows(IllegalArgumentException.class, () -> log.append(moveOf("a", 0, 1), new int[] {1, 2}));
            assertThrows(IllegalArgumentException.class, () -> log.append(moveOf("a", 0, 1), new int[0]));
            log.append(moveOf("b", 0, 1), new int[] {1, 0});
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            assertEquals(1, log.pending().size());
        }
    }

    @Test
    void aVersion1LogIsReadWithoutMapsAndReplacedByVersion2AtItsFirstAppend() throws IOException {
        Files.createDirectories(file().getParent());
        Files.write(file(), withRecord(TransactionLog.TRANSACTION, 3, deleteIn(2, 1)));
        try (TransactionLog log = TransactionLog.open(file())) {
            assertEquals(1, log.pending().size());
            assertEquals(2, log.pending().get(0).parts().get(0).directory());
            assertEquals(null, log.pending().get(0).map());
            // The open redoes it, then resets: the file is of version 2 from then on.
            log.reset();
            log.append(moveOf("a", 0, 1), new int[] {1, 0});
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            assertEquals(1, log.pending().size());
            assertArrayEquals(new int[] {1, 0}, log.pending().get(0).map());
            assertTrue(log.pending().get(0).sequence() > 3);
        }
        // A version 1 file with its header alone (nothing to redo, so no reset at open).
        byte[] headerOnly = Arrays.copyOf(withRecord(TransactionLog.DONE, 1, new byte[0]), TransactionLog.HEADER_SIZE);
        Files.write(file(), headerOnly);
        try (TransactionLog log = TransactionLog.open(file())) {
            assertFalse(log.hasRecords());
            log.append(moveOf("c", 0, 1), new int[] {1, 0});
        }
        try (TransactionLog log = TransactionLog.open(file())) {
            assertArrayEquals(new int[] {1, 0}, log.pending().get(0).map());
        }
    }

    @Test
    void aVersion1RecordWithAMapSectionFailsTheOpen() {
        // Version 1 has no map: the map length is bytes after the last part.
        assertCorrupt(
                withRecord(
                        1,
                        TransactionLog.TRANSACTION,
                        1,
                        payload(b -> b.putInt(0).putInt(0))),
                "4 bytes after the end of a transaction");
    }

    @Test
    void badMapsInsideAWholeRecordFailTheOpen() throws CorruptionException {
        assertArrayEquals(
                new int[] {1, 0},
                TransactionLog.parse(file(), withMap(b -> b.putInt(2).putInt(1).putInt(0)))
                        .pending()
                        .get(0)
                        .map());
        assertEquals(
                null,
                TransactionLog.parse(file(), withMap(b -> b.putInt(0)))
                        .pending()
                        .get(0)
                        .map());
        assertCorrupt(withMap(b -> {}), "ends inside a field");
        assertCorrupt(withMap(b -> b.putInt(-2)), "negative map length -2");
        assertCorrupt(withMap(b -> b.putInt(3).putInt(1).putInt(0)), "map of 3 databases where the transaction has 8");
        assertCorrupt(withMap(b -> b.putInt(DatabaseMap.MAX_DATABASES + 1)), "map of 65537 databases");
        assertCorrupt(withMap(b -> b.putInt(2).putInt(1).putInt(1)), "not a permutation of 0..1");
        assertCorrupt(withMap(b -> b.putInt(2).putInt(0).putInt(2)), "to directory 2");
        assertCorrupt(withMap(b -> b.putInt(2).putInt(-1).putInt(0)), "to directory -1");
        assertCorrupt(withMap(b -> b.putInt(1).putInt(0).put((byte) 9)), "1 bytes after the end of a transaction");
        assertCorrupt(
                withRecord(7, TransactionLog.TRANSACTION, 1, deleteIn(0, 0)), "unsupported transaction log version 7");
    }

    @Test
    void aRecordWithAMapCutShortOrWithABadChecksumIsATornTail() throws IOException {
        try (TransactionLog log = TransactionLog.open(file())) {
            log.done(log.append(moveOf("a", 0, 1)));
            log.append(moveOf("b", 1, 2), new int[] {0, 2, 1});
        }
        byte[] whole = Files.readAllBytes(file());
        int lastStart = whole.length - (TransactionLog.RECORD_HEADER + recordPayload(moveOf("b", 1, 2)) + 12);
        for (int cut = lastStart; cut < whole.length; cut++) {
            TransactionLog.Contents c = TransactionLog.parse(file(), Arrays.copyOf(whole, cut));
            assertTrue(c.pending().isEmpty(), "cut at " + cut);
            assertEquals(lastStart, c.end(), "cut at " + cut);
        }
        for (int flip = whole.length - 12; flip < whole.length; flip++) {
            byte[] bad = whole.clone();
            bad[flip] ^= 0x10; // inside the map: the checksum covers it
            assertTrue(TransactionLog.parse(file(), bad).pending().isEmpty(), "byte " + flip);
        }
        assertArrayEquals(
                new int[] {0, 2, 1},
                TransactionLog.parse(file(), whole).pending().get(0).map());
    }
}
