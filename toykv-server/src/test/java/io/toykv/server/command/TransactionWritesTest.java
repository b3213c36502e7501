package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionWritesTest {
    @TempDir
    Path dir;

    private Store store;
    private Keyspace keyspace;
    private TransactionWrites tx;

    @BeforeEach
    void open() throws java.io.IOException {
        StoreOptions options = StoreOptions.defaults().shards(2).maxKeySize(16);
        store = Store.open(dir, options);
        keyspace = new StoreKeyspace(store, options);
        keyspace.put(b("a"), b("1"));
        keyspace.put(b("c"), b("3"));
        keyspace.put(b("e"), b("5"));
        tx = new TransactionWrites(keyspace);
    }

    @AfterEach
    void close() throws java.io.IOException {
        store.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> keys(ScanIterator it) {
        List<String> keys = new ArrayList<>();
        try (it) {
            while (it.hasNext()) {
                var e = it.next();
                keys.add(new String(e.key(), StandardCharsets.UTF_8) + "="
                        + new String(e.value(), StandardCharsets.UTF_8));
            }
        }
        return keys;
    }

    @Test
    void readsSeeTheTransactionsWritesAndTheStoreIsUntouchedUntilApplied() {
        tx.put(b("a"), b("one"));
        tx.put(b("b"), b("2"));
        assertTrue(tx.delete(b("c")));
        assertFalse(tx.delete(b("c")), "deleted already, as the transaction sees it");
        assertFalse(tx.delete(b("zz")));
        assertArrayEquals(b("one"), tx.get(b("a")));
        assertNull(tx.get(b("c")));
        assertEquals(List.of("a=one", "b=2", "e=5"), keys(tx.scan(null, null)));
        assertEquals(List.of("b=2"), keys(tx.scan(b("b"), b("e"))));
        assertEquals(3, tx.size());
        assertArrayEquals(b("1"), store.get(b("a")), "nothing applied yet");
        assertArrayEquals(b("3"), store.get(b("c")));

        tx.applyTo(0, keyspace, new WatchRegistry(), true);
        assertEquals(List.of("a=one", "b=2", "e=5"), keys(keyspace.scan(null, null)));
    }

    @Test
    void clearHidesTheStoreAndIsAppliedFirst() {
        tx.put(b("x"), b("before clear"));
        tx.clear();
        assertEquals(0, tx.size());
        assertNull(tx.get(b("a")));
        tx.put(b("c"), b("again"));
        assertEquals(List.of("c=again"), keys(tx.scan(null, null)));
        assertEquals(1, tx.size());
        tx.applyTo(0, keyspace, new WatchRegistry(), true);
        assertEquals(List.of("c=again"), keys(keyspace.scan(null, null)));
    }

    @Test
    void aWriteTheStoreWouldRefuseFailsAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> tx.put(b("k".repeat(17)), b("v")));
        assertEquals(3, tx.size());
    }

    @Test
    void watchersOfChangedKeysAreToldOnApply() {
        WatchRegistry watches = new WatchRegistry();
        WatchedKeys setThenDeleted = new WatchedKeys();
        WatchedKeys deletedWhileAbsent = new WatchedKeys();
        WatchedKeys untouched = new WatchedKeys();
        watches.watch(setThenDeleted, 0, b("n"));
        watches.watch(deletedWhileAbsent, 0, b("absent"));
        watches.watch(untouched, 0, b("e"));
        tx.put(b("n"), b("v"));
        tx.delete(b("n"));
        tx.delete(b("absent"));
        assertFalse(setThenDeleted.dirty(), "told only when applied");
        tx.applyTo(0, keyspace, watches, true);
        assertTrue(setThenDeleted.dirty());
        assertFalse(deletedWhileAbsent.dirty());
        assertFalse(untouched.dirty());
    }

    @Test
    void applyingToOneDatabaseLeavesWatchersOfTheSameNameInAnotherAlone() {
        WatchRegistry watches = new WatchRegistry();
        WatchedKeys sameDatabase = new WatchedKeys();
        WatchedKeys otherDatabase = new WatchedKeys();
        watches.watch(sameDatabase, 3, b("a"));
        watches.watch(otherDatabase, 4, b("a"));
        tx.put(b("a"), b("changed"));
        tx.applyTo(3, keyspace, watches, true);
        assertTrue(sameDatabase.dirty());
        assertFalse(otherDatabase.dirty());
    }

    @Test
    void aClearInATransactionMarksOnlyItsDatabasesWatchers() {
        WatchRegistry watches = new WatchRegistry();
        WatchedKeys sameDatabase = new WatchedKeys();
        WatchedKeys otherDatabase = new WatchedKeys();
        watches.watch(sameDatabase, 2, b("a"));
        watches.watch(otherDatabase, 5, b("a"));
        tx.clear();
        tx.applyTo(2, keyspace, watches, true);
        assertTrue(sameDatabase.dirty());
        assertFalse(otherDatabase.dirty());
    }
}
