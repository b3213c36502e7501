package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.powerloss.CrashImage;
import io.toykv.core.powerloss.CrashPoint;
import io.toykv.core.powerloss.SimulatedDisk;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SyncMode#ALWAYS} writers of a store share the commit journal's group commits: many at once all
 * return, and what returned survives a power loss; a writer's interrupt is no failure of the device.
 */
class AlwaysModeGroupCommitTest {
    private static final int WRITERS = 16;
    private static final int PUTS_PER_WRITER = 60;
    /** A bound on liveness only: a writer that never wakes fails the test instead of hanging the build. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private static StoreOptions options() {
        return StoreModelTest.smallFiles().shards(4).syncMode(SyncMode.ALWAYS).autoCompaction(false);
    }

    private static byte[] key(int writer, int i) {
        return ("k" + writer + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] value(int writer, int i) {
        return ("value of " + writer + "/" + i).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Sixteen writers put at once on a simulated device whose journal forces take a little time; each
     * put that returned is in the store a power loss leaves, when every byte not forced is lost, and the
     * writers shared the journal's forces.
     */
    @Test
    void concurrentWritersAllReturnAndEveryReturnedPutSurvivesAPowerLoss() throws Exception {
        Path root = tmp.resolve("disk");
        Path store = root.resolve("store");
        Files.createDirectories(store);
        Store.open(store, options()).close(); // made before the device: all of it durable
        SimulatedDisk disk = new SimulatedDisk(root);
        AtomicLong journalForces = new AtomicLong();
        disk.crashPoints(p -> {
            if (p.kind() == CrashPoint.Kind.FORCE && p.file().endsWith("journal.log")) {
                journalForces.incrementAndGet();
                LockSupport.parkNanos(200_000); // a device's flush takes time: writers queue behind it
            }
        });
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CrashImage image = assertTimeoutPreemptively(HANG, () -> {
            Store s = Store.open(store, options().fileIo(disk));
            try {
                List<Thread> writers = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    writers.add(new Thread(() -> {
                        try {
                            for (int i = 0; i < PUTS_PER_WRITER; i++) {
                                s.put(key(writer, i), value(writer, i));
                            }
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }));
                }
                journalForces.set(0);
                writers.forEach(Thread::start);
                for (Thread t : writers) {
                    t.join();
                }
                return disk.capture(); // every put returned: a power loss now
            } finally {
                s.abandon();
            }
        });
        assertEquals(List.of(), failures);
        long forces = journalForces.get();
        int puts = WRITERS * PUTS_PER_WRITER;
        assertTrue(forces < puts, forces + " journal forces for " + puts + " puts: writers did not share them");
        Path after = tmp.resolve("after");
        Files.createDirectories(after);
        image.state(CrashImage.Mode.ALL_LOST, new Random(1)).writeTo(after);
        try (Store s = Store.open(after.resolve("store"), options())) {
            for (int w = 0; w < WRITERS; w++) {
                for (int i = 0; i < PUTS_PER_WRITER; i++) {
                    assertArrayEquals(value(w, i), s.get(key(w, i)), "k" + w + "-" + i);
                }
            }
        }
    }

    /**
     * A writer whose thread is interrupted (a cancelled task, say) may have its put refused, but the
     * store goes on taking the puts of other threads: an interrupt closes a channel it does I/O on, and
     * that is no failure of the device.
     */
    @Test
    void anInterruptedWriterLeavesTheStoreWritable() {
        assertTimeoutPreemptively(HANG, () -> {
            try (Store s = Store.open(tmp, options())) {
                s.put(key(0, 0), value(0, 0));
                Thread.currentThread().interrupt();
                try {
                    s.put(key(0, 1), value(0, 1));
                } catch (RuntimeException e) {
                    // refusing the interrupted put is allowed
                } finally {
                    Thread.interrupted();
                }
                s.put(key(0, 2), value(0, 2));
            }
            try (Store s = Store.open(tmp, options())) {
                assertArrayEquals(value(0, 2), s.get(key(0, 2)));
            }
        });
    }
}
