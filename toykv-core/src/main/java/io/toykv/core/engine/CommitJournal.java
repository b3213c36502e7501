package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.io.ForceFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;

/**
 * {@code journal.log}: the store's commit journal, written in {@link io.toykv.core.SyncMode#ALWAYS} mode
 * only. Every acknowledged write of every shard appends a redo record here (under its shard's write lock,
 * after its own records), and one force of this one file makes a whole group of writers, of all shards,
 * durable at once ({@link #syncTo}): the shards' own logs are forced later, once a second
 * ({@link JournalCheckpointer}), after which the records before that point are <em>covered</em> and
 * their space is reused. At open the records after the covered point are replayed into the shards.
 *
 * <p>Little-endian. An 8192-byte header, then a ring of {@code capacity} bytes. Records have a 64-bit
 * <em>position</em> that only grows; position {@code p} lies at file offset {@code 8192 + p mod capacity}.
 *
 * <pre>
 * header: two slots, at offset 0 and 4096, each in a sector (and a page) of its own, so that a torn
 * write of one leaves the other (a new header goes to slot sequence &amp; 1):
 * 0   4  magic 0x4A564B54 ("TKVJ" little-endian)
 * 4   4  version, 2
 * 8   8  slot sequence number (the valid slot with the higher one is current)
 * 16  8  covered: records before this position are durable in the shards' own logs
 * 24  4  crc32c of bytes 0..24
 * record (20-byte header, then the key, then the value):
 * 0   4  crc32c of the record's position (8 bytes) and bytes 4..length
 * 4   4  length of the whole record (at least 20)
 * 8   1  kind: 1 PUT, 2 DELETE, 3 CLEAR, 4 BARRIER, 5 SKIP
 * 9   1  shard index
 * 10  2  key length k
 * 12  8  PUT: expiry (0 for none); else 0
 * 20  k  key
 * 20+k   PUT: the value (the rest of the record); SKIP: zeros
 * </pre>
 *
 * A record never crosses the ring's end: one that does not fit is preceded by a SKIP filling the rest of
 * the lap (or, when fewer than 20 bytes are left, by nothing: a reader jumps to the next lap). A BARRIER
 * says that every earlier record of its shard is durable in that shard's logs (an atomic batch forced
 * them): replay starts each shard after its last barrier. Replay reads from the covered position and
 * stops at the first record whose checksum, length or fields fail: a torn tail, never acknowledged
 * (records are forced in order). Because the checksum covers the position, bytes an earlier lap left are
 * never taken for a record; each open starts the positions at least a whole ring past the covered point,
 * so records a crash left past a torn one cannot be read later either.
 *
 * <p>Version 1 (store format 7) kept both slots in the first sector, at offset 0 and 64, and its ring after
 * a 4096-byte header: such a journal is read, replayed and written in its own layout, and the open
 * replaces it (in {@code ALWAYS} mode) by one of this layout once it is replayed. A file's layout is the
 * one its valid slots name: a version 1 slot at 0 or 64, else version 2 slots at 0 and 4096 (a journal is
 * only ever replaced whole, never rewritten in another layout in place).
 */
public final class CommitJournal implements AutoCloseable {
    public static final int MAGIC = 0x4A564B54;
    /** The layout written: {@link #HEADER_SIZE} and {@link #SLOT_SPACING}. */
    public static final int VERSION = 2;

    public static final int HEADER_SIZE = 8192;
    /** The distance of the second slot from the first: a sector and a page apart. */
    public static final int SLOT_SPACING = 4096;
    /** The header size and slot distance of version 1. */
    static final int V1_HEADER_SIZE = 4096;

    static final int V1_SLOT_SPACING = 64;
    static final int SLOT_SIZE = 28;
    public static final int RECORD_HEADER = 20;

    public static final byte PUT = 1;
    public static final byte DELETE = 2;
    public static final byte CLEAR = 3;
    public static final byte BARRIER = 4;
    public static final byte SKIP = 5;

    private static final System.Logger LOG = System.getLogger(CommitJournal.class.getName());

    private final Path path;
    private final FileChannel channel;
    /** This file's layout: {@link #VERSION}, or 1 for a journal of store format 7. */
    private final int version;
    /** The file offset of the ring: the header's size in this file's layout. */
    private final long ringStart;

    private final long capacity;
    /** The largest record the options allow: room for one is kept for a SKIP at the ring's end. */
    private final long maxRecord;

    private final ReentrantLock lock = new ReentrantLock();
    /**
     * Signalled for writers waiting for room ({@link #reserve}): when a round ends, when the covered point
     * moves, when a reservation is given back, on failure and at the close.
     */
    private final Condition roomChanged = lock.newCondition();
    /** Writers waiting in {@link #reserve}; under {@link #lock}. */
    private int roomWaiters;

    /**
     * Writers waiting in {@link #syncTo}, each parked until a round covers it, a round can start while its
     * records wait, or a failure; under {@link #lock}. Waking happens after the lock is let go, and a
     * covered writer returns without taking it again: a round's end costs one wake per writer, not a
     * hand-off of the lock from each to the next.
     */
    private final List<Waiter> waiters = new ArrayList<>();
    /** Waiters to unpark once the thread that chose them lets the lock go; under {@link #lock}. */
    private final List<Waiter> toWake = new ArrayList<>();

    /** Appended records not yet handed to a force, starting at {@link #pendingStart}; under {@link #lock}. */
    private ByteBuffer pending = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    /** The buffer the next round swaps in; the committer's alone while it writes. */
    private ByteBuffer spare = ByteBuffer.allocateDirect(64 << 10).order(ByteOrder.LITTLE_ENDIAN);
    /**
     * The channel rounds write and force; the header and the reads use {@link #channel}. A force reports a
     * failed write-back once to each open file description: a header's force (the checkpointer's) running
     * beside a round's on one descriptor could take the report that belongs to the round.
     */
    private final FileChannel roundChannel;

    private long pendingStart;
    /** The end of the last record appended; under {@link #lock}. */
    private long appended;
    /** Bytes writers reserved ({@link #reserve}) and have not released; under {@link #lock}. */
    private long reserved;
    /** Records before this position are forced; written under {@link #lock}, read without it by waiters. */
    private volatile long durable;
    /** The covered point of the header on the device; under {@link #lock}. */
    private long covered;
    /** Whether a committer is writing and forcing a round; under {@link #lock}. */
    private boolean forcing;
    /**
     * A failed write or force (nothing appended after the last good round may be acknowledged), or the
     * close; written under {@link #lock}.
     */
    private volatile Throwable failure;

    private long headerSequence;
    /** Rounds of group commit since open (each one write and one force of this file). */
    private long rounds;

    private volatile Runnable checkpointWanted = () -> {};
    /** Whether the checkpointer was woken and has not started a round since; under {@link #lock}. */
    private boolean checkpointAsked;

    private CommitJournal(
            Path path,
            FileChannel channel,
            FileChannel roundChannel,
            int version,
            long capacity,
            long maxRecord,
            long headerSequence) {
        this.path = path;
        this.channel = channel;
        this.roundChannel = roundChannel;
        this.version = version;
        this.ringStart = headerSize(version);
        this.capacity = capacity;
        this.maxRecord = maxRecord;
        this.headerSequence = headerSequence;
    }

    /** A writer parked in {@link #syncTo} until its records are forced. */
    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        final long end;
        /** Set before the unpark: the writer looks again (covered, failed, or free to start a round). */
        volatile boolean woken;

        Waiter(long end) {
            this.end = end;
        }
    }

    /** The size of a journal record of {@code key} and {@code value} (null for none). */
    public static int recordSize(byte[] key, byte[] value) {
        return RECORD_HEADER + key.length + (value == null ? 0 : value.length);
    }

    /**
     * Opens the store's journal: creates it if it is missing and {@code create}, returns null if it is
     * missing otherwise. A new ring holds four of the largest records ({@code maxRecord} bytes) and eight
     * of the shards' buffer halves ({@code bufferSize}), whichever is more: a checkpoint's shard syncs
     * are then due no more often than their buffers fill.
     */
    public static CommitJournal open(Path storeDir, long maxRecord, long bufferSize, boolean create)
            throws IOException {
        Path path = FileNames.journal(storeDir);
        if (!Files.exists(path)) {
            if (!create) {
                return null;
            }
            createFile(path, capacityFor(maxRecord, bufferSize));
        }
        FileIo io = FileIo.of(path);
        FileChannel channel = io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            long size = channel.size();
            ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            int version = 1;
            long[] slot = currentSlot(header, version);
            if (slot == null) {
                version = VERSION;
                slot = currentSlot(header, version);
            }
            if (slot == null) {
                throw new CorruptionException(path, 0, "commit journal has no valid header slot");
            }
            long ringStart = headerSize(version);
            if (size < ringStart + 4096 || (size - ringStart) % 4096 != 0) {
                throw new CorruptionException(path, 0, "commit journal of " + size + " bytes has no ring");
            }
            FileChannel roundChannel = io.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            CommitJournal journal =
                    new CommitJournal(path, channel, roundChannel, version, size - ringStart, maxRecord, slot[0]);
            journal.covered = slot[1];
            journal.appended = slot[1];
            journal.durable = slot[1];
            journal.pendingStart = slot[1];
            return journal;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Replaces the store's journal, every record of which is covered, by an empty one sized for records
     * of {@code maxRecord} bytes (temp file, force, rename, directory force).
     */
    public static CommitJournal replace(Path storeDir, long maxRecord, long bufferSize) throws IOException {
        createFile(FileNames.journal(storeDir), capacityFor(maxRecord, bufferSize));
        return open(storeDir, maxRecord, bufferSize, false);
    }

    static long capacityFor(long maxRecord, long bufferSize) {
        long c = Math.max(4 * maxRecord, 8 * bufferSize);
        return (c + 4095) / 4096 * 4096;
    }

    /**
     * Whether a record of {@code length} bytes may be appended: no longer than the largest record the ring
     * keeps room for (a longer one could run past the covered point at the ring's end).
     */
    public boolean holds(long length) {
        return length <= maxRecord;
    }

    /**
     * Whether this file has an older layout than {@link #VERSION} (both header slots in one sector): the
     * open replaces it once it is replayed.
     */
    public boolean olderLayout() {
        return version < VERSION;
    }

    /** Whether this ring is too small for records of {@code maxRecord} bytes (options changed since). */
    public boolean tooSmallFor(long maxRecord) {
        return capacity < 4 * maxRecord;
    }

    private static int headerSize(int version) {
        return version == 1 ? V1_HEADER_SIZE : HEADER_SIZE;
    }

    private static int slotSpacing(int version) {
        return version == 1 ? V1_SLOT_SPACING : SLOT_SPACING;
    }

    /** {sequence, covered} of the valid slot of layout {@code version} with the higher sequence, or null. */
    private static long[] currentSlot(ByteBuffer header, int version) {
        long[] best = null;
        for (int at = 0; at <= slotSpacing(version); at += slotSpacing(version)) {
            if (header.getInt(at) != MAGIC || header.getInt(at + 4) != version) {
                continue;
            }
            if (header.getInt(at + 24) != crc(header, at, 24)) {
                continue;
            }
            long sequence = header.getLong(at + 8);
            long covered = header.getLong(at + 16);
            if (covered < 0) {
                continue;
            }
            if (best == null || sequence > best[0]) {
                best = new long[] {sequence, covered};
            }
        }
        return best;
    }

    /** Creates the journal whole: zeros written (not only allocated), header, force, rename, directory force. */
    private static void createFile(Path path, long capacity) throws IOException {
        Path temp = FileNames.temp(path);
        FileIo io = FileIo.of(path);
        io.deleteIfExists(temp);
        io.createFile(temp);
        try (FileChannel ch = io.open(temp, StandardOpenOption.WRITE)) {
            // Written zeros rather than allocated extents: the first lap's forces then change no
            // metadata (an unwritten extent's first write is a journal commit of the file system).
            ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < HEADER_SIZE + capacity; ) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), HEADER_SIZE + capacity - at));
                at += io.write(ch, temp, zeros, at);
            }
            ByteBuffer slot = slot(VERSION, 1, 0);
            int slotAt = SLOT_SPACING;
            while (slot.hasRemaining()) {
                io.write(ch, temp, slot, slotAt + slot.position());
            }
            io.force(ch, temp, true);
        }
        io.move(temp, path);
        io.forceDirectory(path.getParent());
    }

    private static ByteBuffer slot(int version, long sequence, long covered) {
        ByteBuffer b = ByteBuffer.allocate(SLOT_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(version).putLong(sequence).putLong(covered);
        b.putInt(crc(b, 0, 24));
        return b.flip();
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                break;
            }
        }
    }

    /** A record read back by {@link #readRecords}. */
    public record Record(byte kind, int shard, byte[] key, byte[] value, long expiry, long position) {}

    /**
     * The records from the covered point to the first that fails its checks, with each shard's records
     * before its last BARRIER left out: what replay applies, in order.
     */
    public List<Record> readRecords(int shards) throws IOException {
        return replayable(scan(shards, JournalScan.WINDOW).entries(), shards);
    }

    /** As {@link #readRecords(int)}, reading the ring {@code window} bytes at a time. */
    List<Record> readRecords(int shards, int window) throws IOException {
        return replayable(scan(shards, window).entries(), shards);
    }

    /** Every record from the covered point on (SKIPs and BARRIERs too), and where and why the reading stopped. */
    public JournalScan.Result scan(int shards) throws IOException {
        return scan(shards, JournalScan.WINDOW);
    }

    /**
     * The first position past {@code end} (where a {@link #scan} stopped) within a ring's length of the
     * covered point where a record of a shard below {@code shards} checks out, or -1 for none.
     */
    public long recordPast(long end, int shards) throws IOException {
        return JournalScan.recordPast(channel, ringStart, capacity, covered, end, shards);
    }

    private JournalScan.Result scan(int shards, int window) throws IOException {
        return JournalScan.scan(channel, ringStart, capacity, covered, shards, window);
    }

    /** Of {@code entries} (in journal order), what replay applies: no SKIP, and no record of a shard before its last BARRIER. */
    public static List<Record> replayable(List<JournalScan.Entry> entries, int shards) {
        int[] lastBarrier = new int[shards];
        java.util.Arrays.fill(lastBarrier, -1);
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).kind() == BARRIER) {
                lastBarrier[entries.get(i).shard()] = i;
            }
        }
        List<Record> replay = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            JournalScan.Entry e = entries.get(i);
            if (e.kind() != BARRIER && e.kind() != SKIP && i > lastBarrier[e.shard()]) {
                replay.add(e.record());
            }
        }
        return replay;
    }

    /**
     * After the open replayed the records and forced the shards: every record is covered. Positions
     * start a whole ring past the covered point (so nothing a crash left in the ring can read as a
     * later record), and the header saying so is forced before anything is appended.
     */
    public void restart() throws IOException {
        lock.lock();
        try {
            long start = (covered / capacity + 2) * capacity;
            writeHeader(start);
            covered = start;
            appended = start;
            durable = start;
            pendingStart = start;
        } finally {
            lock.unlock();
        }
    }

    /** Sets what is run (without locks held) when the ring is half used or a writer waits for room. */
    void onCheckpointWanted(Runnable r) {
        checkpointWanted = r;
    }

    /**
     * Waits until {@code bytes} more can be appended, and holds them for the caller until
     * {@link #release}: taken before a shard's write lock, since room comes only from a checkpoint,
     * which needs that lock.
     */
    void reserve(long bytes) throws IOException {
        lock.lock();
        try {
            throwIfFailed();
            while (!fits(bytes)) {
                askCheckpoint();
                // Woken by whatever can make room (a round forced, the covered point moved, a
                // reservation given back) and by a failure or the close, which end the wait.
                roomWaiters++;
                try {
                    roomChanged.await();
                } finally {
                    roomWaiters--;
                }
                throwIfFailed();
            }
            reserved += bytes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for room in " + path, e);
        } finally {
            lock.unlock();
        }
    }

    /** Gives back bytes of a {@link #reserve}, used or not. */
    void release(long bytes) {
        lock.lock();
        try {
            reserved -= bytes;
            signalRoom(); // a writer waiting for room may fit now, or must ask for a checkpoint again
        } finally {
            lock.unlock();
        }
    }

    /** Wakes the writers waiting for room, if any; under {@link #lock}. */
    private void signalRoom() {
        if (roomWaiters > 0) {
            roomChanged.signalAll();
        }
    }

    /**
     * Whether {@code bytes} more fit with every reservation honoured: the ring from the point both
     * covered and forced, less room for one SKIP at its end.
     */
    private boolean fits(long bytes) {
        return appended + reserved + bytes <= Math.min(covered, durable) + capacity - maxRecord;
    }

    /**
     * Appends a record within a reservation; returns its end, for {@link #syncTo}. Under the write lock
     * of {@code shard}, after the shard's own records, so each shard's records are in its log's order.
     */
    long append(byte kind, int shard, byte[] key, byte[] value, long expiry) {
        lock.lock();
        try {
            return appendLocked(kind, shard, key, value, expiry);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Appends a BARRIER for {@code shard}, within a reservation: every earlier record of the shard is
     * durable in its logs (the caller forced them, under the shard's write lock it still holds).
     */
    long appendBarrier(int shard) {
        return append(BARRIER, shard, new byte[0], null, 0);
    }

    /**
     * Appends a record if it fits without a reservation; returns its end, or -1 when it does not fit.
     * For writes that are not waited for (removals of expired keys).
     */
    long tryAppend(byte kind, int shard, byte[] key, byte[] value, long expiry) {
        lock.lock();
        try {
            if (failure != null || !fits(recordSize(key, value))) {
                return -1;
            }
            return appendLocked(kind, shard, key, value, expiry);
        } finally {
            lock.unlock();
        }
    }

    private long appendLocked(byte kind, int shard, byte[] key, byte[] value, long expiry) {
        int length = recordSize(key, value);
        if (!holds(length)) {
            // The ring keeps room for one record of maxRecord at its end: a longer one could run over
            // records not yet covered. Callers keep such writes out of the journal (ShardWriter).
            throw new IllegalArgumentException("a journal record of " + length + " bytes is longer than the "
                    + maxRecord + " the ring of " + path + " is sized for");
        }
        long lapEnd = (appended / capacity + 1) * capacity;
        if (appended + length > lapEnd) {
            int gap = (int) (lapEnd - appended);
            ensurePending(gap);
            if (gap >= RECORD_HEADER) {
                put(SKIP, shard, new byte[0], null, 0, gap);
            } else {
                for (int i = 0; i < gap; i++) {
                    pending.put((byte) 0);
                }
                appended += gap;
            }
        }
        ensurePending(length);
        put(kind, shard, key, value, expiry, length);
        if (appended - covered > capacity / 2) {
            askCheckpoint();
        }
        return appended;
    }

    /**
     * Wakes the checkpointer, once until it starts its next round ({@link #startCheckpoint}): a request
     * made while a round runs wakes it again after that round. Under {@link #lock}; the wake does not block.
     */
    private void askCheckpoint() {
        if (!checkpointAsked) {
            checkpointAsked = true;
            checkpointWanted.run();
        }
    }

    /** Writes one record of {@code length} bytes at {@link #appended} into {@link #pending}. */
    private void put(byte kind, int shard, byte[] key, byte[] value, long expiry, int length) {
        int start = pending.position();
        pending.putInt(0).putInt(length).put(kind).put((byte) shard).putShort((short) key.length);
        pending.putLong(expiry).put(key);
        if (value != null) {
            pending.put(value);
        }
        for (int i = RECORD_HEADER + key.length + (value == null ? 0 : value.length); i < length; i++) {
            pending.put((byte) 0); // a SKIP's zeros
        }
        pending.putInt(start, crc(appended, pending, start + 4, length - 4));
        appended += length;
    }

    private void ensurePending(int bytes) {
        if (pending.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocateDirect(Math.max(pending.capacity() * 2, pending.position() + bytes))
                    .order(ByteOrder.LITTLE_ENDIAN);
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
    }

    /**
     * Returns once every record up to {@code end} is forced. Writers of all shards share one force: whoever
     * finds records waiting and no round under way writes and forces everything appended so far, then
     * wakes the writers its round covered; the others park until a round covers them, or until the round
     * under way ends while their records still wait (one of them then starts the next).
     *
     * @throws IOException a round's write or force failed (nothing after the last good round counts)
     */
    void syncTo(long end) throws IOException {
        while (durable < end) {
            Waiter me;
            lock.lock();
            try {
                if (durable >= end) {
                    return;
                }
                throwIfFailed();
                if (!forcing) {
                    commitRound();
                    continue;
                }
                me = new Waiter(end);
                waiters.add(me);
            } finally {
                unlockAndWake();
            }
            boolean interrupted = false;
            while (!me.woken) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted(); // park returns at once while the flag is set
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** One round: takes the pending records, writes and forces them without the lock, then publishes. */
    private void commitRound() throws IOException {
        forcing = true;
        ByteBuffer round = pending;
        long from = pendingStart;
        long to = appended;
        pending = spare.clear();
        pendingStart = to;
        lock.unlock();
        // An interrupt pending on the caller would close the channel at the round's first blocking call,
        // which would count as a failed force and stop every writer's writes: it is kept for after.
        boolean interrupted = Thread.interrupted();
        Throwable failed = null;
        try {
            round.flip();
            write(round, from);
            FileIo.of(path).force(roundChannel, path, false);
        } catch (IOException | RuntimeException | Error e) {
            failed = e;
        } finally {
            lock.lock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        spare = round;
        forcing = false;
        if (failed != null) {
            // The kernel may have dropped the pages it could not write: a second force could report
            // success for them, so no later round may run.
            failure = failed instanceof IOException io && !(failed instanceof ForceFailedException)
                    ? new ForceFailedException(path, io)
                    : failed;
            wakeEveryone();
            throwIfFailed();
        }
        durable = to;
        rounds++;
        wakeCovered();
        signalRoom();
    }

    /**
     * After a round ended: marks the writers it covered to be woken, and one whose records still wait (it
     * starts the next round). Under {@link #lock}.
     */
    private void wakeCovered() {
        boolean leaderNeeded = appended > pendingStart;
        int kept = 0;
        for (int i = 0; i < waiters.size(); i++) {
            Waiter w = waiters.get(i);
            if (w.end <= durable || leaderNeeded && w.end > pendingStart) {
                leaderNeeded &= w.end <= durable;
                toWake.add(w);
            } else {
                waiters.set(kept++, w);
            }
        }
        waiters.subList(kept, waiters.size()).clear();
    }

    /** Marks every waiting writer to be woken: a failure or the close. Under {@link #lock}. */
    private void wakeEveryone() {
        toWake.addAll(waiters);
        waiters.clear();
        if (roomWaiters > 0) {
            roomChanged.signalAll();
        }
    }

    /** Lets the lock go, then wakes the writers marked while it was held. */
    private void unlockAndWake() {
        if (toWake.isEmpty()) {
            lock.unlock();
            return;
        }
        Waiter[] wake = toWake.toArray(new Waiter[0]);
        toWake.clear();
        lock.unlock();
        for (Waiter w : wake) {
            w.woken = true;
            LockSupport.unpark(w.thread);
        }
    }

    /** Writes {@code round} at position {@code from}, in two writes when it runs past the ring's end. */
    private void write(ByteBuffer round, long from) throws IOException {
        FileIo io = FileIo.of(path);
        long pos = from;
        while (round.hasRemaining()) {
            long lapEnd = (pos / capacity + 1) * capacity;
            int n = (int) Math.min(round.remaining(), lapEnd - pos);
            ByteBuffer part = round.duplicate();
            part.limit(round.position() + n);
            long fileAt = ringStart + pos % capacity;
            while (part.hasRemaining()) {
                io.write(roundChannel, path, part, fileAt + (part.position() - round.position()));
            }
            round.position(round.position() + n);
            pos += n;
        }
    }

    private void throwIfFailed() throws IOException {
        if (failure instanceof IOException e) {
            throw e;
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }

    /** Stops every later round and wait: a force failed elsewhere, and the store refuses writes. */
    public void fail(Throwable t) {
        lock.lock();
        try {
            if (failure == null) {
                failure = t instanceof IOException ? t : new IOException("writes stopped", t);
            }
            wakeEveryone();
        } finally {
            unlockAndWake();
        }
    }

    /**
     * A checkpoint round starts: returns the end of the last record appended, which the round covers once
     * it has forced every shard, and takes the requests made so far, so that any made from now on wakes
     * the checkpointer for another round.
     */
    long startCheckpoint() {
        lock.lock();
        try {
            checkpointAsked = false;
            return appended;
        } finally {
            lock.unlock();
        }
    }

    /** The end of the last record appended: a checkpoint that forces every shard afterwards covers it. */
    long appended() {
        lock.lock();
        try {
            return appended;
        } finally {
            lock.unlock();
        }
    }

    /** Whether every record before {@code position} is covered. */
    boolean covers(long position) {
        lock.lock();
        try {
            return position <= covered;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that every record before {@code position} is durable in its shard's logs: forces a header
     * saying so, and only then lets the ring's space before it be reused.
     */
    void cover(long position) throws IOException {
        lock.lock();
        try {
            if (position <= covered) {
                return;
            }
        } finally {
            lock.unlock();
        }
        synchronized (this) {
            writeHeader(position);
        }
        lock.lock();
        try {
            covered = Math.max(covered, position);
            signalRoom();
        } finally {
            lock.unlock();
        }
    }

    private void writeHeader(long position) throws IOException {
        FileIo io = FileIo.of(path);
        long sequence = headerSequence + 1;
        ByteBuffer slot = slot(version, sequence, position);
        long at = (sequence & 1) * slotSpacing(version);
        while (slot.hasRemaining()) {
            io.write(channel, path, slot, at + slot.position());
        }
        try {
            io.force(channel, path, false);
        } catch (ForceFailedException e) {
            throw e;
        } catch (IOException e) {
            throw new ForceFailedException(path, e);
        } catch (UncheckedIOException e) {
            throw new ForceFailedException(path, e.getCause());
        }
        headerSequence = sequence;
    }

    /** Rounds of group commit since open: each is one write and one force of this file. */
    public long rounds() {
        lock.lock();
        try {
            return rounds;
        } finally {
            lock.unlock();
        }
    }

    Path path() {
        return path;
    }

    /**
     * Closes the file; with {@code covered} (every shard closed and forced), first records that every
     * record is covered, so the next open replays nothing.
     */
    public void close(boolean allCovered) throws IOException {
        try {
            if (allCovered) {
                cover(appended());
            }
        } finally {
            close();
        }
    }

    /**
     * Closes the file. Every writer waiting for room or for a round, and every later call, fails: no
     * checkpoint will make room any more, whether or not the close's last header write succeeded.
     */
    @Override
    public void close() throws IOException {
        lock.lock();
        try {
            if (failure == null) {
                failure = new IOException("commit journal " + path + " is closed");
            }
            wakeEveryone();
        } finally {
            unlockAndWake();
        }
        try (FileChannel header = channel;
                FileChannel rounds = roundChannel) {
            // closes both; a failure of the second is added to the first as suppressed
        }
    }

    /** A record's checksum: of its position (8 bytes), then [from, from + length) of {@code b}. */
    static int crc(long position, ByteBuffer b, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(
                ByteBuffer.allocate(8)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .putLong(0, position)
                        .array(),
                0,
                8);
        return update(crc, b, from, length);
    }

    /** A header slot's checksum: of [from, from + length) of {@code b}. */
    static int crc(ByteBuffer b, int from, int length) {
        return update(new CRC32C(), b, from, length);
    }

    private static int update(CRC32C crc, ByteBuffer b, int from, int length) {
        ByteBuffer view = b.duplicate();
        view.limit(from + length).position(from);
        crc.update(view);
        return (int) crc.getValue();
    }
}
