package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.core.DatabaseChanges;
import io.toykv.core.Databases;
import io.toykv.core.StoreOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SWAPDB in EXEC at the level of {@link CommandKeyspace}: nothing reaches the databases before the
 * commit, and the commit is one {@link KeyspaceSet#apply} of the writes and swaps together (never a
 * {@link KeyspaceSet#swap} of its own), so a failed apply leaves neither the writes nor the swaps.
 */
class CommandKeyspaceSwapTest {
    @TempDir
    Path dir;

    private Databases databases;
    private Recording set;
    private CommandKeyspace keyspace;

    /** Counts the calls that change the databases; fails {@link #apply} while {@link #failApply}. */
    private static final class Recording implements KeyspaceSet {
        private final KeyspaceSet inner;
        int applies;
        int swaps;
        boolean failApply;

        Recording(KeyspaceSet inner) {
            this.inner = inner;
        }

        @Override
        public int count() {
            return inner.count();
        }

        @Override
        public Keyspace keyspace(int db) {
            return inner.keyspace(db);
        }

        @Override
        public long size(int db) {
            return inner.size(db);
        }

        @Override
        public void swap(int a, int b) {
            swaps++;
            inner.swap(a, b);
        }

        @Override
        public boolean move(byte[] key, int from, int to) {
            return inner.move(key, from, to);
        }

        @Override
        public boolean copy(byte[] source, int from, byte[] destination, int to, boolean replace) {
            return inner.copy(source, from, destination, to, replace);
        }

        @Override
        public void clearAll() {
            inner.clearAll();
        }

        @Override
        public void apply(DatabaseChanges changes) {
            applies++;
            if (failApply) {
                throw new UncheckedIOException(new IOException("simulated failure before the log's record"));
            }
            inner.apply(changes);
        }
    }

    @BeforeEach
    void open() throws IOException {
        StoreOptions options = StoreOptions.defaults().shards(2);
        databases = Databases.open(dir, options, 4);
        set = new Recording(new StoreKeyspaceSet(databases, options));
        keyspace = new CommandKeyspace(new SelectedKeyspace(set), set, new WatchRegistry());
        databases.database(0).put(b("a"), b("zero"));
        databases.database(1).put(b("a"), b("one"));
    }

    @AfterEach
    void close() {
        databases.close();
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The transaction of the tests, on database 0 (no session bound): SET, SWAPDB 0 1, SET, and a DEL in 1. */
    private void collectWritesAroundASwap() {
        keyspace.begin();
        keyspace.put(b("x"), b("before"));
        keyspace.swapCollected(0, 1);
        assertArrayEquals(b("one"), keyspace.get(b("a")), "database 0 shows what was 1");
        keyspace.put(b("y"), b("after"));
        keyspace.collected(1).delete(b("a")); // zero's a, in database 1 now
    }

    @Test
    void nothingReachesTheDatabasesBeforeTheCommitAndTheCommitIsOneApply() {
        collectWritesAroundASwap();
        assertNull(databases.database(0).get(b("x")));
        assertArrayEquals(b("zero"), databases.database(0).get(b("a")));
        assertEquals(0, set.applies + set.swaps);
        keyspace.commit();
        assertEquals(1, set.applies);
        assertEquals(0, set.swaps);
        assertArrayEquals(b("one"), databases.database(0).get(b("a")));
        assertArrayEquals(b("after"), databases.database(0).get(b("y")));
        assertNull(databases.database(1).get(b("a")));
        assertArrayEquals(b("before"), databases.database(1).get(b("x")));
    }

    @Test
    void aFailedApplyLeavesNeitherTheWritesNorTheSwap() {
        collectWritesAroundASwap();
        set.failApply = true;
        assertThrows(UncheckedIOException.class, keyspace::commit);
        assertEquals(0, set.swaps);
        assertArrayEquals(b("zero"), databases.database(0).get(b("a")));
        assertArrayEquals(b("one"), databases.database(1).get(b("a")));
        assertNull(databases.database(0).get(b("x")));
        assertNull(databases.database(1).get(b("x")));
        assertNull(databases.database(0).get(b("y")));
        assertNull(databases.database(1).get(b("y")));
        assertEquals(false, keyspace.collecting(), "the transaction is over");
    }

    @Test
    void swapsAloneAreOneApplyToo() {
        keyspace.begin();
        keyspace.swapCollected(0, 2);
        keyspace.swapCollected(2, 3);
        keyspace.commit();
        assertEquals(1, set.applies);
        assertEquals(0, set.swaps);
        assertArrayEquals(b("zero"), databases.database(3).get(b("a")));
        assertEquals(0, databases.database(0).size());
    }
}
