package io.toykv.core.powerloss;

import io.toykv.core.Abandon;
import io.toykv.core.BackgroundSync;
import io.toykv.core.DeferredSync;
import io.toykv.core.ManualClock;
import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import io.toykv.core.WriteBatch;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Runs workloads on a {@link SimulatedDisk} and, at every force and at sampled points between, checks
 * the crash states a power loss there could leave ({@link CrashImage.Mode}: all unforced lost, all kept,
 * and sampled pages and directory changes), each with {@link CrashStateCheck}. States already checked
 * (same files, same bytes) are skipped. A failure names the workload seed, the crash point, the mode
 * and the state's seed; {@link #shrink} cuts its workload down to the ops it needs.
 */
final class Explorer {
    /** One failed crash state, with everything needed to replay it. */
    record Failure(Workload workload, CrashPoint point, CrashImage.Mode mode, long stateSeed, String problem) {
        @Override
        public String toString() {
            return "power-loss failure: workload seed " + workload.seed() + " ("
                    + workload.ops().size() + " ops, "
                    + workload.syncMode() + "), crash point " + point + ", " + mode + " state seed " + stateSeed
                    + ": " + problem;
        }
    }

    /** How much later than the crash, at most, a state that keeps working is reopened: past most workload expiries. */
    private static final long KEEP_WORKING_LATER_MILLIS = 5000;

    /** Nanoseconds spent writing states out, checking them, checking that they keep working, and capturing images. */
    private final long[] nanos = new long[4];

    private final Path work;
    private final PrintStream out;
    /** Opens and checks crash states ({@link Run#checkState}); a daemon, so an explorer needs no close. */
    private final ExecutorService checker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "powerloss-check");
        t.setDaemon(true);
        return t;
    });
    /** Sampled states per crash point, besides all-lost and all-kept. */
    private final int sampledPerPoint;
    /** One in this many points that are not forces is explored. */
    private final int betweenRate;
    /** One in this many states (a seeded choice) also gets the keep-working check; 1: every state. */
    private final int keepWorkingRate;

    private long explored;
    private long stateLimit = Long.MAX_VALUE;
    private boolean concurrentSyncs;
    private boolean syncThread;
    private int runs;

    Explorer(Path work, PrintStream out, int sampledPerPoint, int betweenRate, int keepWorkingRate) {
        this.work = work;
        this.out = out;
        this.sampledPerPoint = sampledPerPoint;
        this.betweenRate = betweenRate;
        this.keepWorkingRate = keepWorkingRate;
    }

    /** Where the time went, for the summary line. */
    String timings() {
        return String.format(
                "writing states %.1f s, checking %.1f s, keep-working checks %.1f s, capturing %.1f s",
                nanos[0] / 1e9, nanos[1] / 1e9, nanos[2] / 1e9, nanos[3] / 1e9);
    }

    long explored() {
        return explored;
    }

    /** Also explores, at each buffer header change, a sync of another thread landing there ({@link CrashPoint.Kind#CONCURRENT_SYNC}). */
    void concurrentSyncs(boolean on) {
        this.concurrentSyncs = on;
    }

    /**
     * Runs EVERY_SECOND's own {@code toykv-sync} thread instead of its rounds at the workload's seeded
     * points ({@link Workload.Kind#BACKGROUND_SYNC}): the thread's timing, not the seed, then decides
     * where its forces land, so its crash points do not replay.
     */
    void syncThread(boolean on) {
        this.syncThread = on;
    }

    /** Stops exploring (the workloads still run to their end) once this many states were checked in all. */
    void stateLimit(long limit) {
        this.stateLimit = limit;
    }

    /** The state of one workload's run: its disk, its history, its randomness, its first failure. */
    private final class Run {
        final Workload workload;
        final SplittableRandom random;
        final Set<Long> seen = new HashSet<>();
        /** The stores' clock (StoreOptions.clock): it moves only by the workload's ops, so expiry is deterministic. */
        final ManualClock clock = new ManualClock(Workload.CLOCK_START);

        final List<SimulatedDisk> disks = new ArrayList<>();
        /** The disk under the store the workload is writing; crash points of others are ignored. */
        volatile SimulatedDisk disk;

        History history;
        /** Changes of the ops that returned: the op under way started none of them. */
        volatile int returned;
        /**
         * {@link #returned} when the last concurrent sync started ({@link SimulatedDisk.CrashPoints#syncStarting}):
         * what that sync promises. Not {@link #returned} at its crash point: the sync may run on the flusher's
         * or the sync thread while this run's thread goes on putting, through mappings, with no call to the
         * disk, and a put returning after the sync read the files is not in what it forced.
         */
        volatile int returnedAtSyncStart;

        Failure failure;
        boolean exploring = true;
        int stateDirs;

        Run(Workload workload) {
            this.workload = workload;
            this.random = new SplittableRandom(workload.seed() ^ 0x5DEECE66DL);
        }

        /** Called by the disk after each effect, in the thread that made it, under the disk's lock. */
        void at(CrashPoint point) {
            if (!exploring || failure != null || explored >= stateLimit) {
                return;
            }
            if (!point.kind().isForce() && random.nextInt(betweenRate) != 0) {
                return;
            }
            long t = System.nanoTime();
            CrashImage img = disk.capture();
            nanos[3] += System.nanoTime() - t;
            History.Snapshot snapshot = history.snapshot(clock.millis());
            if (point.kind() == CrashPoint.Kind.CONCURRENT_SYNC) {
                snapshot = snapshot.durableBefore(returnedAtSyncStart);
            }
            exploring = false; // the checks below make effects of their own (on other disks): no recursion
            try {
                explore(point, img, snapshot);
            } finally {
                exploring = true;
            }
        }

        void explore(CrashPoint point, CrashImage image, History.Snapshot snapshot) {
            List<CrashImage.Mode> modes = new ArrayList<>(List.of(CrashImage.Mode.ALL_LOST, CrashImage.Mode.ALL_KEPT));
            if (!image.allDurable()) {
                for (int i = 0; i < sampledPerPoint; i++) {
                    modes.add(CrashImage.Mode.SAMPLED);
                }
            }
            for (CrashImage.Mode mode : modes) {
                long stateSeed = random.nextLong();
                CrashImage.CrashState state = image.state(mode, new Random(stateSeed));
                if (!seen.add(state.checksum()) || failure != null) {
                    continue;
                }
                explored++;
                long laterBy = random.nextInt(keepWorkingRate) == 0 ? random.nextLong(KEEP_WORKING_LATER_MILLIS) : -1;
                String problem = checkState(state, snapshot, laterBy);
                if (problem != null) {
                    failure = new Failure(workload, point, mode, stateSeed, problem);
                }
            }
        }

        /**
         * Null if the state passes, else what went wrong. Runs on the checker thread: a crash point comes
         * in the middle of one of the store's own calls, on its thread, whose thread-local state (the
         * collector's aligned write buffer, say) a store opened on that same thread would overwrite.
         */
        String checkState(CrashImage.CrashState state, History.Snapshot snapshot, long laterBy) {
            try {
                return checker.submit(() -> checkStateHere(state, snapshot, laterBy))
                        .get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while checking";
            } catch (ExecutionException e) {
                return e.getCause().toString();
            }
        }

        /** Checks {@code state}; with {@code laterBy} not negative, also that it keeps working, reopened that much later. */
        private String checkStateHere(CrashImage.CrashState state, History.Snapshot snapshot, long laterBy) {
            boolean keepWorking = laterBy >= 0;
            Path dir = work.resolve("state");
            try {
                long t0 = System.nanoTime();
                deleteTree(dir);
                Files.createDirectories(dir);
                state.writeTo(dir);
                long t1 = System.nanoTime();
                if (keepWorking) {
                    CrashStateCheck.checkKeepsWorking(dir, workload, snapshot, laterBy);
                } else {
                    CrashStateCheck.check(dir, workload, snapshot);
                }
                long t2 = System.nanoTime();
                nanos[0] += t1 - t0;
                nanos[keepWorking ? 2 : 1] += t2 - t1;
                return null;
            } catch (CrashStateCheck.Failed e) {
                return keep(state, e.getMessage());
            } catch (Throwable e) { // the open failed, or the recovered store did: either is a finding
                return keep(state, e.toString() + (e.getCause() != null ? " caused by " + e.getCause() : ""));
            }
        }

        /** With {@code -Dtoykv.powerloss.keep=DIR}, writes the failing state (as the crash left it) to a new directory under DIR. */
        private String keep(CrashImage.CrashState state, String problem) {
            String keepDir = System.getProperty("toykv.powerloss.keep");
            if (keepDir == null) {
                return problem;
            }
            try {
                Path to = Files.createTempDirectory(Files.createDirectories(Path.of(keepDir)), "state-");
                state.writeTo(to);
                return problem + " (state kept in " + to + ")";
            } catch (IOException e) {
                return problem + " (keeping the state failed: " + e + ")";
            }
        }

        private StoreOptions options() {
            StoreOptions o = workload.options().fileIo(disk).clock(clock);
            return syncThread ? o : BackgroundSync.off(o);
        }

        /** Writes made so far by the run: each put's value carries its number. */
        private long writes;

        /**
         * Starts each change of a BATCH or DEFERRED op in the history, then hands it to {@code put} or
         * {@code delete}; returns the history's indexes of the changes.
         */
        private List<Integer> startChanges(Workload.Op op, BiConsumer<byte[], byte[]> put, Consumer<byte[]> delete) {
            List<Integer> started = new ArrayList<>();
            for (Workload.BatchChange c : op.changes(workload.keys())) {
                if (c.size() < 0) {
                    started.add(history.start(c.key(), -1, 0));
                    delete.accept(Workload.key(c.key()));
                } else {
                    long write = ++writes;
                    started.add(history.start(c.key(), write, c.size()));
                    put.accept(Workload.key(c.key()), Workload.value(write, c.size()));
                }
            }
            return started;
        }

        Failure execute() throws IOException {
            history = new History(workload.keys());
            Path dir = newStoreDir();
            disk = newDisk(dir);
            Store store = Store.open(dir, options());
            writes = 0;
            try {
                for (Workload.Op op : workload.ops()) {
                    if (failure != null) {
                        break;
                    }
                    returned = history.size();
                    boolean always = workload.syncMode() == SyncMode.ALWAYS;
                    switch (op.kind()) {
                        case PUT -> {
                            long write = ++writes;
                            int i = history.start(op.key(), write, op.size());
                            store.put(Workload.key(op.key()), Workload.value(write, op.size()));
                            if (always) {
                                history.durable(i);
                            }
                        }
                        case PUT_EXPIRING -> {
                            long write = ++writes;
                            long at = clock.millis() + op.millis();
                            int i = history.start(op.key(), write, op.size(), at);
                            store.put(Workload.key(op.key()), Workload.value(write, op.size()), at);
                            if (always) {
                                history.durable(i);
                            }
                        }
                        case EXPIRE_AT, PERSIST -> {
                            byte[] k = Workload.key(op.key());
                            byte[] v = store.get(k);
                            boolean persist = op.kind() == Workload.Kind.PERSIST;
                            if (v == null || (persist && store.expiry(k) == Store.NO_EXPIRY)) {
                                break; // absent, or nothing to persist: the call writes nothing
                            }
                            long at = persist ? 0 : clock.millis() + op.millis();
                            int i = history.start(op.key(), Workload.writeOf(v), v.length, at);
                            boolean changed = persist ? store.persist(k) : store.expireAt(k, at);
                            if (!changed) {
                                throw new IllegalStateException(op + " of a present key changed nothing");
                            }
                            if (always) {
                                history.durable(i);
                            }
                        }
                        case ADVANCE_CLOCK -> clock.advance(op.millis());
                        case DELETE -> {
                            int i = history.start(op.key(), -1, 0);
                            store.delete(Workload.key(op.key()));
                            if (always) {
                                history.durable(i);
                            }
                        }
                        case BATCH -> {
                            WriteBatch batch = new WriteBatch();
                            List<Integer> started = startChanges(op, batch::put, batch::delete);
                            history.batch(started);
                            store.apply(batch);
                            if (always) {
                                started.forEach(history::durable);
                            }
                        }
                        case DEFERRED -> {
                            List<Integer> started;
                            try (DeferredSync scope = DeferredSync.begin()) {
                                started = startChanges(op, store::put, store::delete);
                            }
                            if (always) { // promised by the scope's close, not by each write's return
                                started.forEach(history::durable);
                            }
                        }
                        case SYNC -> {
                            store.sync();
                            history.allDurable();
                        }
                        case BACKGROUND_SYNC -> {
                            if (!syncThread) { // the round the toykv-sync thread would run about now
                                store.sync();
                                history.allDurable(); // it returned: a crash may lose only what comes after
                            }
                        }
                        case COMPACT -> store.compact();
                        case CLEAR -> {
                            history.startClear();
                            store.clear();
                        }
                        case REOPEN -> {
                            store.close();
                            history.allDurable();
                            store = Store.open(dir, options());
                        }
                        case CRASH_AND_REOPEN -> {
                            store = crashAndReopen(store);
                            dir = disk.root();
                        }
                    }
                }
                if (failure == null) {
                    store.close();
                    history.allDurable();
                    at(new CrashPoint(disk.effects(), CrashPoint.Kind.FORCE, "(after close)"));
                }
            } catch (RuntimeException | IOException e) {
                if (failure == null) {
                    failure = new Failure(
                            workload,
                            new CrashPoint(disk.effects(), CrashPoint.Kind.WRITE, "(none)"),
                            CrashImage.Mode.ALL_KEPT,
                            0,
                            "the workload itself failed on the simulated disk: " + e);
                }
            } finally {
                Abandon.abandon(store); // a store left open by a failure: drop it, as a crash would
                for (SimulatedDisk d : disks) {
                    d.crashPoints(p -> {});
                }
            }
            return failure;
        }

        /**
         * A disk for {@code dir} whose crash points are explored while it is the run's current disk. A
         * dropped store's threads can still finish an effect on its old disk: a capture there would not
         * stop the current store's writers, and a check would race this run's checks.
         */
        private SimulatedDisk newDisk(Path dir) throws IOException {
            SimulatedDisk d = new SimulatedDisk(dir);
            d.concurrentSyncs(concurrentSyncs);
            d.crashPoints(new SimulatedDisk.CrashPoints() {
                @Override
                public void at(CrashPoint p) {
                    if (d == disk) {
                        Run.this.at(p);
                    }
                }

                @Override
                public void syncStarting() {
                    if (d == disk) {
                        returnedAtSyncStart = returned;
                    }
                }
            });
            disks.add(d);
            return d;
        }

        /** A power loss now: the store is dropped, a sampled crash state is checked and becomes the store. */
        private Store crashAndReopen(Store store) throws IOException {
            exploring = false;
            CrashImage image = disk.capture();
            History.Snapshot snapshot = history.snapshot(clock.millis());
            Abandon.abandon(store);
            long stateSeed = random.nextLong();
            CrashImage.CrashState state = image.state(CrashImage.Mode.SAMPLED, new Random(stateSeed));
            Path dir = newStoreDir();
            state.writeTo(dir);
            Map<Integer, Long> found;
            try {
                found = checker.submit(() -> CrashStateCheck.check(dir, workload, snapshot))
                        .get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while checking", e);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof CrashStateCheck.Failed failed)) {
                    throw new IOException("the crash state did not open", e.getCause());
                }
                failure = new Failure(
                        workload,
                        new CrashPoint(disk.effects(), CrashPoint.Kind.WRITE, "(crash_and_reopen)"),
                        CrashImage.Mode.SAMPLED,
                        stateSeed,
                        failed.getMessage());
                throw new IOException(failed);
            }
            explored++;
            disk = newDisk(dir);
            Store reopened = Store.open(dir, options());
            history = new History(workload.keys());
            returned = 0; // what the open recovered is durable (below); the next op counts from there
            for (Map.Entry<Integer, Long> e : found.entrySet()) {
                int size = e.getValue() < 0 ? 0 : snapshot.sizeOfWrite(e.getValue());
                long expiry = e.getValue() < 0 ? 0 : reopened.expiry(Workload.key(e.getKey()));
                // the open forced what it recovered
                history.durable(history.start(e.getKey(), e.getValue(), size, expiry == Store.NO_EXPIRY ? 0 : expiry));
            }
            exploring = true;
            return reopened;
        }

        private Path newStoreDir() throws IOException {
            return Files.createDirectories(work.resolve("run-" + runs + "-" + (stateDirs++)));
        }
    }

    /** Runs {@code w}, exploring its crash states; returns its first failure, or null. */
    Failure run(Workload w) throws IOException {
        runs++;
        try {
            return new Run(w).execute();
        } finally {
            try (Stream<Path> runDirs = Files.list(work)) {
                for (Path p : (Iterable<Path>) runDirs::iterator) {
                    deleteTree(p);
                }
            }
        }
    }

    /**
     * Cuts {@code failing}'s workload down: drops runs of ops (halves, then quarters, down to single ops)
     * while the workload still fails, trying at most {@code attempts} workloads. Returns the shortest
     * failure found.
     */
    Failure shrink(Failure failing, int attempts) throws IOException {
        Failure best = failing;
        for (int chunk = Math.max(1, best.workload().ops().size() / 2); chunk >= 1 && attempts > 0; chunk /= 2) {
            for (int start = 0; start < best.workload().ops().size() && attempts > 0; ) {
                List<Workload.Op> ops = new ArrayList<>(best.workload().ops());
                ops.subList(start, Math.min(ops.size(), start + chunk)).clear();
                attempts--;
                Failure f = ops.isEmpty() ? null : run(best.workload().keeping(ops));
                if (f != null) {
                    best = f;
                    out.println("  shrunk to " + ops.size() + " ops");
                } else {
                    start += chunk;
                }
            }
        }
        return best;
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> all = Files.walk(p)) {
            all.sorted(Comparator.reverseOrder()).forEach(x -> {
                try {
                    Files.delete(x);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
