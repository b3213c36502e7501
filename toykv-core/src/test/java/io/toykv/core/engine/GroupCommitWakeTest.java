package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.ForwardingFileIo;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.ForceFailedException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link CommitJournal#syncTo} wakes the writers a group commit covers, and the one that starts the
 * next round, when a round blocks in its force: a failure, the close and an interrupt of a parked writer.
 * The journal's force is held at a gate, so each interleaving is reached on purpose, not by luck.
 */
class GroupCommitWakeTest {
    private static final long MAX_RECORD = 1000;
    private static final long BUFFER = 64 * 1024;
    /** A bound on liveness only: a writer that never wakes fails the test instead of hanging the build. */
    private static final Duration HANG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void aWriterInterruptedBeforeItsSyncLeavesTheJournalWorking() {
        assertTimeoutPreemptively(HANG, () -> {
            try (CommitJournal j = fresh()) {
                long end = append(j, "interrupted");
                Thread.currentThread().interrupt();
                try {
                    j.syncTo(end); // leads the round: an interrupt is no failure of the device
                } catch (IOException e) {
                    // refusing the interrupted write is allowed; failing the journal for everyone is not
                } finally {
                    Thread.interrupted();
                }
                j.syncTo(append(j, "after"));
            }
        });
    }

    /**
     * A writer interrupted while it waits for a round is woken, once the round ends, to start the next
     * one (its record came after the round's): it runs it with its interrupt restored.
     */
    @Test
    void aWriterInterruptedWhileWaitingLeadsTheNextRoundAndTheJournalGoesOn() {
        assertTimeoutPreemptively(HANG, () -> {
            ForceGate gate = new ForceGate();
            try (FileIo.Installed installed = FileIo.install(dir, gate);
                    CommitJournal j = fresh()) {
                CompletableFuture<Boolean> leader = gate.leadBlockedRound(j, append(j, "first"));
                Sync waiter = Sync.start(j, append(j, "second"));
                awaitWaiting(waiter.thread);
                waiter.thread.interrupt();
                gate.open();
                leader.get();
                assertTrue(waiter.done.get(), "the waiter returns acknowledged, its interrupt kept");
                j.syncTo(append(j, "third"));
            }
        });
    }

    @Test
    void aFailureWakesEveryParkedWriterWhileTheRoundStillRuns() {
        assertTimeoutPreemptively(HANG, () -> {
            ForceGate gate = new ForceGate();
            try (FileIo.Installed installed = FileIo.install(dir, gate);
                    CommitJournal j = fresh()) {
                CompletableFuture<Boolean> leader = gate.leadBlockedRound(j, append(j, "first"));
                CompletableFuture<Boolean>[] waiters = parkedWriters(j, 3);
                long later = append(j, "later"); // appended, and nobody syncs it before the failure
                j.fail(new IOException("injected: a shard's force failed"));
                for (CompletableFuture<Boolean> w : waiters) {
                    ExecutionException e = assertThrows(ExecutionException.class, w::get);
                    assertTrue(e.getCause() instanceof IOException, e.toString());
                }
                assertFalse(leader.isDone(), "the waiters did not wait for the round");
                gate.open();
                leader.get(); // its own records were forced
                assertThrows(IOException.class, () -> j.syncTo(later));
                assertThrows(IOException.class, () -> append(j, "refused"), "no room is given after the failure");
            }
        });
    }

    @Test
    void aCloseWakesEveryParkedWriterWhileTheRoundStillRuns() {
        assertTimeoutPreemptively(HANG, () -> {
            ForceGate gate = new ForceGate();
            try (FileIo.Installed installed = FileIo.install(dir, gate)) {
                CommitJournal j = fresh();
                CompletableFuture<Boolean> leader = gate.leadBlockedRound(j, append(j, "first"));
                CompletableFuture<Boolean>[] waiters = parkedWriters(j, 3);
                j.close();
                for (CompletableFuture<Boolean> w : waiters) {
                    ExecutionException e = assertThrows(ExecutionException.class, w::get);
                    assertTrue(e.getCause() instanceof IOException, e.toString());
                }
                gate.open();
                // The round's force ran on a closed channel: its writer is not acknowledged either.
                ExecutionException e = assertThrows(ExecutionException.class, leader::get);
                assertTrue(e.getCause() instanceof IOException, e.toString());
            }
        });
    }

    /**
     * A round's force fails while writers wait for it: each fails (none is acknowledged), none is left
     * parked, and no later round runs, though forces work again.
     */
    @Test
    void aFailedForceFailsEveryWaiterAndEveryLaterSync() {
        assertTimeoutPreemptively(HANG, () -> {
            ForceGate gate = new ForceGate();
            try (FileIo.Installed installed = FileIo.install(dir, gate);
                    CommitJournal j = fresh()) {
                gate.failHeldForce = true;
                CompletableFuture<Boolean> leader = gate.leadBlockedRound(j, append(j, "first"));
                CompletableFuture<Boolean>[] waiters = parkedWriters(j, 3);
                long later = append(j, "later"); // appended, and nobody syncs it before the failure
                gate.open();
                for (CompletableFuture<Boolean> w : waiters) {
                    ExecutionException e = assertThrows(ExecutionException.class, w::get);
                    assertTrue(ForceFailedException.isIn(e.getCause()), e.toString());
                }
                ExecutionException e = assertThrows(ExecutionException.class, leader::get);
                assertTrue(ForceFailedException.isIn(e.getCause()), e.toString());
                assertThrows(ForceFailedException.class, () -> j.syncTo(later), "forces work again, yet no round runs");
                assertEquals(0, j.rounds(), "no round succeeded");
            }
        });
    }

    private CommitJournal fresh() throws IOException {
        CommitJournal j = CommitJournal.open(dir, MAX_RECORD, BUFFER, true);
        j.restart();
        return j;
    }

    private static long append(CommitJournal j, String key) throws IOException {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        int size = CommitJournal.recordSize(k, k);
        j.reserve(size);
        try {
            return j.append(CommitJournal.PUT, 0, k, k, 0);
        } finally {
            j.release(size);
        }
    }

    /** {@code n} writers, each with a record past the round under way, parked until a round covers it. */
    @SuppressWarnings("unchecked")
    private static CompletableFuture<Boolean>[] parkedWriters(CommitJournal j, int n) throws IOException {
        CompletableFuture<Boolean>[] done = new CompletableFuture[n];
        for (int i = 0; i < n; i++) {
            Sync s = Sync.start(j, append(j, "waiter" + i));
            awaitWaiting(s.thread);
            done[i] = s.done;
        }
        return done;
    }

    /**
     * A thread of its own syncing a journal to a position: {@code done} completes with whether the thread's
     * interrupt was set when syncTo returned, or fails with what syncTo threw.
     */
    private record Sync(Thread thread, CompletableFuture<Boolean> done) {
        static Sync start(CommitJournal j, long end) {
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    j.syncTo(end);
                    done.complete(Thread.currentThread().isInterrupted());
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            t.start();
            return new Sync(t, done);
        }
    }

    /**
     * Waits until {@code t} waits (for the round under way: nothing else blocks it for long while the
     * round's force is held); the enclosing timeout bounds the wait.
     */
    private static void awaitWaiting(Thread t) {
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(t.isAlive(), "the writer returned without waiting");
            LockSupport.parkNanos(1_000_000);
        }
    }

    /** The real file system; the first journal force after {@link #leadBlockedRound} waits for {@link #open}. */
    private static final class ForceGate extends ForwardingFileIo {
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch opened = new CountDownLatch(1);
        private volatile boolean armed;
        /** Whether the held force fails once let go. */
        volatile boolean failHeldForce;

        /** A writer that leads a round for {@code end}; returns once its force is held at the gate. */
        CompletableFuture<Boolean> leadBlockedRound(CommitJournal j, long end) throws InterruptedException {
            armed = true;
            CompletableFuture<Boolean> done = Sync.start(j, end).done;
            held.await();
            return done;
        }

        void open() {
            opened.countDown();
        }

        @Override
        public void force(FileChannel ch, Path path, boolean metaData) throws IOException {
            if (armed && path.getFileName().toString().equals("journal.log")) {
                armed = false;
                held.countDown();
                try {
                    opened.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (failHeldForce) {
                    throw new IOException("Input/output error (injected)");
                }
            }
            super.force(ch, path, metaData);
        }
    }
}
