package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.powerloss.CrashImage;
import io.toykv.core.powerloss.SimulatedDisk;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeferredSync}: in {@link SyncMode#ALWAYS} the writes of a scope return without a force of their
 * own, and its close returns once all of them are on the device (a simulated power loss then keeps them).
 */
class DeferredSyncTest {
    private static final int PUTS = 20;

    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreOptions always() {
        return BackgroundSync.off(
                StoreOptions.defaults().syncMode(SyncMode.ALWAYS).autoCompaction(false));
    }

    /** The journal forces made on the test's thread; fails them once {@link #failing}. */
    private static final class JournalForces extends ForwardingFileIo {
        final Thread caller = Thread.currentThread();
        final AtomicInteger forces = new AtomicInteger();
        volatile boolean failing;

        @Override
        public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
            if (path.getFileName().toString().equals("journal.log") && Thread.currentThread() == caller) {
                if (failing) {
                    throw new IOException("simulated device error");
                }
                forces.incrementAndGet();
            }
            super.force(ch, path, metaData);
        }
    }

    @Test
    void writesInAScopeWaitForNoForceAndItsCloseForcesThemTogether() throws IOException {
        JournalForces io = new JournalForces();
        try (Store store = Store.open(dir, always().fileIo(io))) {
            store.put(b("before"), b("x"));
            int forcesBefore = io.forces.get();
            assertTrue(forcesBefore >= 1, "a put outside a scope forces the journal itself");
            DeferredSync scope = DeferredSync.begin();
            for (int i = 0; i < PUTS; i++) {
                store.put(b("k" + i), b("v" + i));
            }
            store.delete(b("before"));
            store.expireAt(b("k0"), Long.MAX_VALUE - 1);
            assertEquals(forcesBefore, io.forces.get(), "no write in the scope forced the journal");
            assertArrayEquals(b("v1"), store.get(b("k1")), "the writes are seen before the close");
            scope.close();
            int rounds = io.forces.get() - forcesBefore;
            assertTrue(rounds >= 1 && rounds < PUTS, rounds + " forces for the scope's " + PUTS + " puts");
            scope.close(); // a second close does nothing
            assertEquals(forcesBefore + rounds, io.forces.get());
        }
    }

    @Test
    void aClosedScopeSurvivesAPowerLossAndAnOpenOneIsNotPromised() throws IOException {
        Path storeDir = dir.resolve("store");
        Files.createDirectories(storeDir);
        SimulatedDisk disk = new SimulatedDisk(storeDir);
        try (Store store = Store.open(storeDir, always().fileIo(disk))) {
            store.put(b("old"), b("kept"));
            try (DeferredSync scope = DeferredSync.begin()) {
                for (int i = 0; i < PUTS; i++) {
                    store.put(b("k" + i), b("v" + i));
                }
                store.delete(b("old"));
                try (Store lost = reopened(disk, "open-scope")) {
                    assertNull(lost.get(b("k" + (PUTS - 1))), "an open scope's writes were put off");
                    assertArrayEquals(b("kept"), lost.get(b("old")));
                }
            }
            try (Store after = reopened(disk, "closed-scope")) {
                for (int i = 0; i < PUTS; i++) {
                    assertArrayEquals(b("v" + i), after.get(b("k" + i)), "k" + i);
                }
                assertNull(after.get(b("old")));
            }
        }
    }

    /** The store as a power loss now would leave it, every unforced byte lost, opened from a copy. */
    private Store reopened(SimulatedDisk disk, String name) throws IOException {
        Path copy = dir.resolve(name);
        Files.createDirectories(copy);
        disk.capture().state(CrashImage.Mode.ALL_LOST, new Random(1)).writeTo(copy);
        return Store.open(copy, StoreOptions.defaults().syncMode(SyncMode.ALWAYS));
    }

    @Test
    void scopesOnTwoStoresAndNestedScopesWaitAtTheOutermostClose() throws IOException {
        JournalForces io = new JournalForces();
        try (Store a = Store.open(dir.resolve("a"), always().fileIo(io));
                Store b = Store.open(dir.resolve("b"), always().fileIo(io))) {
            int forcesBefore = io.forces.get();
            try (DeferredSync outer = DeferredSync.begin()) {
                try (DeferredSync inner = DeferredSync.begin()) {
                    a.put(b("k"), b("a"));
                    b.put(b("k"), b("b"));
                }
                assertEquals(forcesBefore, io.forces.get(), "an inner close leaves the wait to the outer one");
            }
            assertTrue(io.forces.get() >= forcesBefore + 2, "each store's journal was forced at the close");
        }
    }

    @Test
    void aFailedForceFailsTheCloseAndStopsTheStoreWrites() throws IOException {
        JournalForces io = new JournalForces();
        Store store = Store.open(dir, always().fileIo(io));
        DeferredSync scope = DeferredSync.begin();
        store.put(b("k"), b("v")); // returns: its force is the scope's
        io.failing = true;
        assertThrows(UncheckedIOException.class, scope::close);
        io.failing = false;
        assertThrows(UncheckedIOException.class, () -> store.put(b("k2"), b("v")), "no write after a failed force");
        assertThrows(UncheckedIOException.class, store::close, "the store's close says writes may be lost");
    }

    @Test
    void inOtherModesAScopeChangesNothing() throws IOException {
        JournalForces io = new JournalForces();
        try (Store store = Store.open(
                dir, StoreOptions.defaults().syncMode(SyncMode.EVERY_SECOND).fileIo(io))) {
            try (DeferredSync scope = DeferredSync.begin()) {
                store.put(b("k"), b("v"));
            }
            assertEquals(0, io.forces.get());
            assertArrayEquals(b("v"), store.get(b("k")));
        }
    }
}
