package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.engine.BatchOp;
import io.toykv.core.engine.DatabaseMap;
import io.toykv.core.engine.TransactionLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabasesTest {
    static final long T0 = ExpiryTest.T0;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(T0);

    private StoreOptions options() {
        return StoreModelTest.smallFiles()
                .shards(2)
                .clock(clock)
                .activeExpiry(false)
                .autoCompaction(false);
    }

    private Databases open(int count) throws IOException {
        return Databases.open(dir, options(), count);
    }

    private static byte[] b(String s) {
        return ExpiryTest.b(s);
    }

    private static List<String> keys(Store s) {
        List<String> out = new ArrayList<>();
        try (ScanIterator it = s.scan(null, null)) {
            while (it.hasNext()) {
                out.add(new String(it.next().key(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Test
    void sameKeyInTwoDatabasesIsTwoEntries() throws IOException {
        try (Databases d = open(16)) {
            d.database(0).put(b("k"), b("zero"));
            d.database(1).put(b("k"), b("one"));
            d.database(1).put(b("only1"), b("x"));
            assertArrayEquals(b("zero"), d.database(0).get(b("k")));
            assertArrayEquals(b("one"), d.database(1).get(b("k")));
            assertNull(d.database(0).get(b("only1")));
            assertEquals(1, d.database(0).size());
            assertEquals(2, d.database(1).size());
            assertEquals(List.of("k", "only1"), keys(d.database(1)));
            assertEquals(List.of("k"), keys(d.database(0)));
            assertTrue(d.database(1).delete(b("k")));
            assertArrayEquals(b("zero"), d.database(0).get(b("k")));
        }
    }

    @Test
    void clearEmptiesOneDatabaseAndClearAllEveryOne() throws IOException {
        try (Databases d = open(4)) {
            for (int n = 0; n < 3; n++) {
                d.database(n).put(b("k" + n), b("v"));
            }
            d.database(1).clear();
            assertEquals(0, d.database(1).size());
            assertEquals(1, d.database(0).size());
            assertEquals(1, d.database(2).size());
            d.clearAll();
            for (int n = 0; n < 4; n++) {
                assertTrue(d.isEmpty(n), "database " + n);
            }
        }
        try (Databases d = open(4)) {
            assertEquals(
                    0,
                    d.database(0).size() + d.database(1).size() + d.database(2).size());
        }
    }

    @Test
    void databasesSurviveReopenAndAnUnusedOneHasNoFiles() throws IOException {
        try (Databases d = open(16)) {
            d.database(0).put(b("a"), b("0"));
            d.database(5).put(b("a"), b("5"), T0 + 60_000);
            assertTrue(d.isEmpty(7));
        }
        assertFalse(Files.exists(DatabaseMap.directory(dir, 7)));
        try (Databases d = open(16)) {
            assertArrayEquals(b("0"), d.database(0).get(b("a")));
            assertArrayEquals(b("5"), d.database(5).get(b("a")));
            assertEquals(T0 + 60_000, d.database(5).expiry(b("a")));
            assertEquals(Store.NO_EXPIRY, d.database(0).expiry(b("a")));
        }
    }

    @Test
    void aStoreMadeWithoutDatabasesIsDatabaseZero() throws IOException {
        try (Store s = Store.open(dir, options())) {
            s.put(b("old"), b("v"));
        }
        try (Databases d = open(16)) {
            assertArrayEquals(b("v"), d.database(0).get(b("old")));
            assertTrue(d.isEmpty(1));
        }
    }

    @Test
    void swapExchangesTheKeysDurably() throws IOException {
        try (Databases d = open(16)) {
            d.database(0).put(b("k"), b("zero"));
            d.database(3).put(b("k"), b("three"));
            d.database(3).put(b("t"), b("x"));
            d.swap(0, 3);
            assertArrayEquals(b("three"), d.database(0).get(b("k")));
            assertArrayEquals(b("zero"), d.database(3).get(b("k")));
            assertEquals(2, d.database(0).size());
            d.database(0).put(b("after"), b("swap"));
        }
        try (Databases d = open(16)) {
            assertEquals(List.of("after", "k", "t"), keys(d.database(0)));
            assertEquals(List.of("k"), keys(d.database(3)));
            d.swap(3, 0); // and back
        }
        try (Databases d = open(16)) {
            assertArrayEquals(b("zero"), d.database(0).get(b("k")));
            assertArrayEquals(b("swap"), d.database(3).get(b("after")));
        }
    }

    @Test
    void changesWithSwapsChangeTheKeyspaceEachDatabaseShowsAtThatPoint() throws IOException {
        try (Databases d = open(4)) {
            d.database(0).put(b("a"), b("zero"));
            d.database(1).put(b("a"), b("one"));
            d.database(2).put(b("a"), b("two"));
            d.apply(new DatabaseChanges()
                    .put(0, b("before"), b("0"), Store.NO_EXPIRY) // into the keys that end in 1
                    .swap(0, 1)
                    .put(0, b("after"), b("0"), Store.NO_EXPIRY) // into the keys of 1, that end in 0
                    .delete(1, b("a")) // zero's a
                    .swap(1, 2)
                    .clear(1) // two's keys, which end in 1
                    .put(1, b("fresh"), b("1"), Store.NO_EXPIRY)
                    .put(2, b("late"), b("2"), T0 + 60_000)); // zero's keys, which end in 2
            assertEquals(List.of("a", "after"), keys(d.database(0)));
            assertArrayEquals(b("one"), d.database(0).get(b("a")));
            assertEquals(List.of("fresh"), keys(d.database(1)));
            assertEquals(List.of("before", "late"), keys(d.database(2)));
            assertEquals(T0 + 60_000, d.database(2).expiry(b("late")));
            assertTrue(d.isEmpty(3));
        }
        try (Databases d = open(4)) {
            assertEquals(List.of("a", "after"), keys(d.database(0)));
            assertEquals(List.of("fresh"), keys(d.database(1)));
            assertEquals(List.of("before", "late"), keys(d.database(2)));
        }
    }

    @Test
    void swapsThatUndoEachOtherAndSwapsAloneNeedNoRedoLog() throws IOException {
        try (Databases d = open(4)) {
            d.database(0).put(b("k"), b("zero"));
            d.apply(new DatabaseChanges().swap(0, 3).swap(3, 0));
            assertArrayEquals(b("zero"), d.database(0).get(b("k")));
            d.apply(new DatabaseChanges().swap(0, 3).swap(3, 2));
            assertArrayEquals(b("zero"), d.database(2).get(b("k")));
            assertTrue(d.isEmpty(0));
            assertTrue(d.isEmpty(3));
            assertThrows(IllegalArgumentException.class, () -> d.apply(new DatabaseChanges().swap(0, 4)));
            assertArrayEquals(b("zero"), d.database(2).get(b("k")));
        }
        assertFalse(Files.exists(TransactionLog.path(dir)));
        try (Databases d = open(4)) {
            assertArrayEquals(b("zero"), d.database(2).get(b("k")));
        }
    }

    /** A crash after the record of a transaction with a map: the open redoes its parts, then its map. */
    @Test
    void theOpenRedoesATransactionsMapEvenWithFewerDatabasesThanItNames() throws IOException {
        try (Databases d = open(4)) {
            d.database(0).put(b("k"), b("zero"));
            d.database(3).put(b("k"), b("three"));
        }
        try (TransactionLog log = TransactionLog.open(TransactionLog.path(dir))) {
            log.append(
                    List.of(new TransactionLog.Part(
                            0, false, List.of(new BatchOp(BatchOp.Kind.PUT, b("x"), b("in zero"), 0)))),
                    new int[] {3, 1, 2, 0});
        }
        try (Databases d = open(2)) {
            assertArrayEquals(b("three"), d.database(0).get(b("k")));
            assertNull(d.database(0).get(b("x")));
        }
        try (Databases d = open(4)) {
            assertArrayEquals(b("three"), d.database(0).get(b("k")));
            assertEquals(List.of("k", "x"), keys(d.database(3)));
            assertArrayEquals(b("zero"), d.database(3).get(b("k")));
        }
    }

    /** A transaction log of version 1 (no maps) left by a crash is redone. */
    @Test
    void aVersion1TransactionLogIsRedoneAtOpen() throws IOException {
        try (Databases d = open(4)) {
            d.database(2).put(b("k"), b("old"));
        }
        ByteBuffer payload = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        payload.putInt(1).putInt(2).put((byte) 0).putInt(1); // one part: directory 2, no clear, one change
        payload.put((byte) 1).putInt(1).put(b("k")).putLong(0).putInt(3).put(b("new")); // PUT k new
        payload.flip();
        ByteBuffer file = ByteBuffer.allocate(16 + 17 + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        file.putInt(0x5854444B).putInt(1).putInt(0).putInt(crc(file.array(), 0, 12));
        file.put((byte) 1).putLong(1).putInt(payload.remaining());
        CRC32C crc = new CRC32C();
        crc.update(file.array(), 16, 13);
        crc.update(payload.duplicate());
        file.putInt((int) crc.getValue()).put(payload);
        Files.write(TransactionLog.path(dir), file.array());
        try (Databases d = open(4)) {
            assertArrayEquals(b("new"), d.database(2).get(b("k")));
            d.apply(new DatabaseChanges()
                    .put(1, b("k"), b("v"), Store.NO_EXPIRY)
                    .swap(1, 2));
        }
        byte[] log = Files.readAllBytes(TransactionLog.path(dir));
        assertEquals(2, log[4]); // replaced by a version 2 log at the first append
        try (Databases d = open(4)) {
            assertArrayEquals(b("v"), d.database(2).get(b("k")));
            assertArrayEquals(b("new"), d.database(1).get(b("k")));
        }
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    @Test
    void swapWithAnUnusedDatabaseAndWithItself() throws IOException {
        try (Databases d = open(16)) {
            d.database(2).put(b("k"), b("v"));
            d.swap(2, 9);
            assertTrue(d.isEmpty(2));
            assertArrayEquals(b("v"), d.database(9).get(b("k")));
            d.swap(9, 9);
            assertArrayEquals(b("v"), d.database(9).get(b("k")));
        }
    }

    @Test
    void moveTakesTheKeyAndItsExpiryOnlyToADatabaseWithoutIt() throws IOException {
        try (Databases d = open(16)) {
            d.database(0).put(b("k"), b("v"), T0 + 5_000);
            assertTrue(d.move(b("k"), 0, 1));
            assertNull(d.database(0).get(b("k")));
            assertArrayEquals(b("v"), d.database(1).get(b("k")));
            assertEquals(T0 + 5_000, d.database(1).expiry(b("k")));
            assertFalse(d.move(b("k"), 0, 1), "absent from the source");
            d.database(0).put(b("k"), b("other"));
            assertFalse(d.move(b("k"), 0, 1), "present in the target");
            assertArrayEquals(b("other"), d.database(0).get(b("k")));
            assertArrayEquals(b("v"), d.database(1).get(b("k")));
            assertThrows(IllegalArgumentException.class, () -> d.move(b("k"), 1, 1));
            clock.advance(5_000);
            assertFalse(d.move(b("k"), 1, 2), "expired");
        }
    }

    @Test
    void copyTakesTheValueAndExpiryAndReplacesOnlyWhenAsked() throws IOException {
        try (Databases d = open(16)) {
            d.database(0).put(b("s"), b("v"), T0 + 9_000);
            assertTrue(d.copy(b("s"), 0, b("s"), 4, false));
            assertArrayEquals(b("v"), d.database(4).get(b("s")));
            assertEquals(T0 + 9_000, d.database(4).expiry(b("s")));
            assertArrayEquals(b("v"), d.database(0).get(b("s")), "the source stays");
            d.database(0).put(b("s"), b("w"));
            assertFalse(d.copy(b("s"), 0, b("s"), 4, false), "present destination");
            assertArrayEquals(b("v"), d.database(4).get(b("s")));
            assertTrue(d.copy(b("s"), 0, b("s"), 4, true));
            assertArrayEquals(b("w"), d.database(4).get(b("s")));
            assertEquals(Store.NO_EXPIRY, d.database(4).expiry(b("s")));
            assertTrue(d.copy(b("s"), 0, b("t"), 0, false), "within one database");
            assertArrayEquals(b("w"), d.database(0).get(b("t")));
            assertFalse(d.copy(b("nosuch"), 0, b("x"), 1, true));
            assertTrue(d.isEmpty(1));
        }
    }

    @Test
    void garbageCollectionAndKeysLogRewritesOfOneDatabaseKeepEveryDatabasesKeys() throws IOException {
        byte[] big = new byte[3000];
        try (Databases d = open(4)) {
            for (int round = 0; round < 20; round++) {
                for (int k = 0; k < 40; k++) {
                    for (int n = 0; n < 3; n++) {
                        big[0] = (byte) round;
                        d.database(n).put(b("k" + k), round == 19 ? b(n + ":" + k) : big);
                    }
                }
            }
            for (int k = 0; k < 40; k += 2) {
                d.database(1).delete(b("k" + k));
            }
            d.database(0).compact();
            d.database(1).compact();
            for (int n = 0; n < 2; n++) {
                StoreStats st = d.database(n).stats();
                assertTrue(st.gcSegmentsReclaimed() > 0 && st.keysLogCompactions() > 0, "database " + n + ": " + st);
            }
            assertEquals(0, d.database(2).stats().gcRuns(), "database 2 was not collected");
        }
        try (Databases d = open(4)) {
            for (int n = 0; n < 3; n++) {
                for (int k = 0; k < 40; k++) {
                    byte[] expected = n == 1 && k % 2 == 0 ? null : b(n + ":" + k);
                    assertArrayEquals(expected, d.database(n).get(b("k" + k)), "database " + n + " key " + k);
                }
            }
            assertEquals(20, d.database(1).size());
            assertTrue(d.isEmpty(3));
        }
    }

    @Test
    void databaseNumbersOutOfRangeAreRefused() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> open(0));
        try (Databases d = open(2)) {
            assertThrows(IllegalArgumentException.class, () -> d.database(2));
            assertThrows(IllegalArgumentException.class, () -> d.database(-1));
            assertThrows(IllegalArgumentException.class, () -> d.swap(0, 2));
        }
    }

    @Test
    void aClosedDatabasesRefusesAndClosesTwiceQuietly() throws IOException {
        Databases d = open(2);
        Store one = d.database(1);
        d.close();
        d.close();
        assertThrows(IllegalStateException.class, () -> d.database(0));
        assertThrows(IllegalStateException.class, () -> one.get(b("k")));
    }

    @Test
    void aDamagedMapFailsTheOpen() throws IOException {
        try (Databases d = open(4)) {
            d.swap(1, 2);
        }
        Path map = dir.resolve(DatabaseMap.FILE);
        byte[] good = Files.readAllBytes(map);
        assertEquals(16 + 4 * 4, good.length);
        byte[] flipped = good.clone();
        flipped[14] ^= 1;
        assertOpenFails(map, flipped, "checksum");
        assertOpenFails(map, java.util.Arrays.copyOf(good, 10), "10 bytes");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertOpenFails(map, magic, "magic");
        byte[] count = good.clone();
        count[8] = 9;
        assertOpenFails(map, count, "database count 9");
        byte[] version = good.clone();
        version[4] = 2;
        assertOpenFails(map, version, "version 2");
    }

    @Test
    void aMapThatIsNotAPermutationFailsTheOpen() throws IOException {
        int[] twice = {0, 1, 1};
        Files.createDirectories(dir);
        DatabaseMap.write(dir, twice);
        CorruptionException e = assertThrows(CorruptionException.class, () -> open(3));
        assertTrue(e.getMessage().contains("not a permutation"), e.getMessage());
        // The failed open released the store's lock.
        DatabaseMap.write(dir, new int[] {1, 0});
        try (Databases d = open(3)) {
            d.database(0).put(b("k"), b("v"));
        }
        try (Store s = Store.open(DatabaseMap.directory(dir, 1), options())) {
            assertArrayEquals(b("v"), s.get(b("k")));
        }
    }

    private void assertOpenFails(Path map, byte[] bytes, String problem) throws IOException {
        Files.write(map, bytes);
        CorruptionException e = assertThrows(CorruptionException.class, () -> open(4));
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
