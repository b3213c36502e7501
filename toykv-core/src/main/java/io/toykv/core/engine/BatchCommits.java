package io.toykv.core.engine;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * {@code batches.log}: the commit records of atomic batches, one file for the store. An atomic batch
 * counts (its ATOMIC_PART records in the shards' keys logs are replayed) only if its commit record is
 * here and, unless the record says every part was forced before it, every part it names is found.
 * Little-endian:
 *
 * <pre>
 * header (16 bytes):
 * 0   4  magic 0x43564B54 ("TKVC" little-endian)
 * 4   4  version, 2 (version 1 is read and rewritten as 2 at open)
 * 8   4  reserved, 0
 * 12  4  crc32c of bytes 0..12
 * then records, 16 bytes each, packed:
 * 0   8  batch id (at least 1); 0 for a settle mark
 * 8   4  parts: a commit of a batch whose parts were not forced before it: how many shards it wrote
 *        (at least 1); 0: a commit whose parts were all forced before it (nothing to check);
 *        -1: an aborted commit (a part was lost: the batch does not count);
 *        settle mark: how many records before it it covers (their parts are durable: nothing to check)
 * 12  4  crc32c of bytes 0..12
 * (version 1: 12-byte records, the batch id and its crc32c, every one forced after its parts)
 * </pre>
 *
 * In {@code ALWAYS} mode a batch forces its parts and then its commit record. In the other modes
 * nothing is forced when a batch commits: the record counts its parts, and the open applies the batch
 * only if every part is found ({@link #incomplete}), so pages that a power loss keeps or drops
 * independently never make a batch count in part. Records are in commit order, which is not id order
 * (batches on different shards commit concurrently). Unforced pages can survive out of order, so the
 * first short or bad record ends the records: it and everything after it are cut off at open (never
 * acknowledged as durable: a {@code sync()} forces the file). The file is created, converted and
 * rewritten whole (temp file, force, rename, directory force).
 */
public final class BatchCommits implements AutoCloseable {
    public static final int MAGIC = 0x43564B54;
    public static final int VERSION = 2;
    public static final int HEADER_SIZE = 16;
    public static final int RECORD_SIZE = 16;
    /** The record size of version 1 files. */
    static final int RECORD_SIZE_V1 = 12;
    /** A commit record's parts when every part was forced before it: nothing to check at open. */
    public static final int FORCED = 0;
    /** A commit record's parts when an open found a part missing: the batch does not count. */
    static final int ABORTED = -1;

    private static final System.Logger LOG = System.getLogger(BatchCommits.class.getName());

    private final Path path;
    /** Guarded by this; replaced when the file is rewritten whole. */
    private FileChannel channel;
    /** The committed ids, sorted, and each one's parts (as in the record; 0 once a settle mark covers it); guarded by this. */
    private long[] ids;

    private int[] parts;
    private int count;
    private long maxId;
    private long end;
    /** Where the file ended at its last force by {@link #force} or {@link #synced} (-1: not known); guarded by this. */
    private long forcedEnd = -1;
    /**
     * How many records, from the first, the next settle mark must cover: just past the last commit
     * record with parts to check (0 if there is none). Guarded by this.
     */
    private long toSettle;
    /**
     * How many records, from the first, a durable settle mark covers (or, after a rewrite, hold no
     * commit with parts to check): their batches are durable with all their parts. Written under this,
     * after the mark's force.
     */
    private volatile long settledThrough;

    private BatchCommits(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
        this.ids = new long[16];
        this.parts = new int[16];
    }

    /**
     * Opens the store's commit file, creating it (empty) if it is missing and {@code mayCreate}. A
     * version 1 file is rewritten as version 2; a torn tail is cut off.
     *
     * @throws CorruptionException the file is missing (and may not be created), or damaged
     */
    public static BatchCommits open(Path storeDir, boolean mayCreate) throws IOException {
        Path path = FileNames.batchCommits(storeDir);
        if (!Files.exists(path)) {
            if (!mayCreate) {
                throw new CorruptionException(path, 0, "the atomic batch commit file is missing");
            }
            StoreManifest.writeDurably(path, header());
        }
        FileChannel channel = FileIo.of(path).open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        BatchCommits commits = new BatchCommits(path, channel);
        try {
            commits.read();
            return commits;
        } catch (IOException | RuntimeException e) {
            commits.channel.close();
            throw e;
        }
    }

    private static ByteBuffer header() {
        ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(MAGIC).putInt(VERSION).putInt(0).putInt(crc(header.array(), 0, 12));
        header.flip();
        return header;
    }

    private void read() throws IOException {
        long size = channel.size();
        if (size < HEADER_SIZE) {
            throw new CorruptionException(path, 0, "atomic batch commit file of " + size + " bytes has no header");
        }
        if (size > Integer.MAX_VALUE) {
            throw new CorruptionException(path, 0, "atomic batch commit file of " + size + " bytes is too large");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining() && channel.read(b, b.position()) >= 0) {
            // read until full
        }
        byte[] bytes = b.array();
        if (b.getInt(0) != MAGIC) {
            throw new CorruptionException(path, 0, "bad magic in atomic batch commit file");
        }
        int version = b.getInt(4);
        if (version != 1 && version != VERSION) {
            throw new CorruptionException(path, 4, "unsupported atomic batch commit file version " + version);
        }
        if (b.getInt(12) != crc(bytes, 0, 12)) {
            throw new CorruptionException(path, 12, "atomic batch commit file header checksum mismatch");
        }
        if (version == 1) {
            readVersion1(b, (int) size);
            rewrite(); // as version 2: every batch of a version 1 file forced its parts
            return;
        }
        int n = (int) ((size - HEADER_SIZE) / RECORD_SIZE);
        int covered = 0;
        int lastToCheck = 0;
        for (int i = 0; i < n; i++) {
            int pos = HEADER_SIZE + i * RECORD_SIZE;
            long id = b.getLong(pos);
            int p = b.getInt(pos + 8);
            boolean valid =
                    b.getInt(pos + 12) == crc(bytes, pos, 12) && (id >= 1 ? p >= ABORTED : id == 0 && p >= 0 && p <= i);
            if (!valid) {
                n = i;
                break;
            }
            if (id == 0) {
                covered = Math.max(covered, p);
            } else {
                add(id, p);
                if (p > 0) {
                    lastToCheck = i + 1;
                }
            }
        }
        if (covered > 0) {
            settleFirst(b, covered);
        }
        settledThrough = covered;
        toSettle = lastToCheck; // unsettled if past the mark: a rewrite must settle them before it drops a part
        end = HEADER_SIZE + (long) n * RECORD_SIZE;
        if (end < size) {
            // Unforced pages survive a power loss out of order: past a bad record nothing is trusted,
            // and nothing appended later may sit before stale records that would read as commits.
            LOG.log(
                    System.Logger.Level.WARNING,
                    path + ": cut " + (size - end) + " bytes of torn atomic batch commit records at offset " + end);
            FileIo io = FileIo.of(path);
            channel.truncate(end);
            io.force(channel, path, false);
        }
    }

    /** Marks the commits among the first {@code covered} records as needing no check. */
    private void settleFirst(ByteBuffer b, int covered) {
        for (int i = 0; i < covered; i++) {
            int pos = HEADER_SIZE + i * RECORD_SIZE;
            long id = b.getLong(pos);
            int at = id >= 1 ? Arrays.binarySearch(ids, 0, count, id) : -1;
            if (at >= 0 && parts[at] > 0) {
                parts[at] = FORCED;
            }
        }
    }

    private void readVersion1(ByteBuffer b, int size) throws CorruptionException {
        int n = (size - HEADER_SIZE) / RECORD_SIZE_V1;
        byte[] bytes = b.array();
        for (int i = 0; i < n; i++) {
            int pos = HEADER_SIZE + i * RECORD_SIZE_V1;
            long id = b.getLong(pos);
            if (b.getInt(pos + 8) != crc(bytes, pos, 8) || id < 1) {
                if (i < n - 1) {
                    throw new CorruptionException(path, pos, "bad atomic batch commit record");
                }
                break; // a torn last record: its commit was forced, so it never returned
            }
            add(id, FORCED);
        }
    }

    /** Inserts a commit, keeping the ids sorted (they come nearly in order: insertion is cheap). */
    private void add(long id, int p) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
            parts = Arrays.copyOf(parts, count * 2);
        }
        int i = count;
        while (i > 0 && ids[i - 1] > id) {
            ids[i] = ids[i - 1];
            parts[i] = parts[i - 1];
            i--;
        }
        ids[i] = id;
        parts[i] = p;
        count++;
        maxId = Math.max(maxId, id);
    }

    /**
     * Replaces the file with one that holds the commits as they are in memory (in id order, settled ones
     * as forced, aborted ones as aborted): used to convert a version 1 file and to abort batches.
     */
    private void rewrite() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE + count * RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(header());
        for (int i = 0; i < count; i++) {
            putRecord(b, ids[i], parts[i]);
        }
        b.flip();
        channel.close();
        StoreManifest.writeDurably(path, b);
        channel = FileIo.of(path).open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        end = HEADER_SIZE + (long) count * RECORD_SIZE;
        // The records are renumbered: none is covered by a mark, and those with parts still to check
        // (committed and not settled, not aborted) must be settled before a rewrite drops a part of one.
        toSettle = 0;
        for (int i = 0; i < count; i++) {
            if (parts[i] > 0) {
                toSettle = i + 1;
            }
        }
        settledThrough = 0;
    }

    private static void putRecord(ByteBuffer b, long id, int p) {
        int at = b.position();
        b.putLong(id).putInt(p).putInt(crc(b.array(), at, 12));
    }

    /** Whether batch {@code id} committed (its commit record is here and not aborted). */
    public synchronized boolean committed(long id) {
        int at = Arrays.binarySearch(ids, 0, count, id);
        return at >= 0 && parts[at] != ABORTED;
    }

    /** The committed ids, sorted. */
    public synchronized long[] ids() {
        long[] out = new long[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (parts[i] != ABORTED) {
                out[n++] = ids[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** The highest id a commit record names (aborted or not), 0 for none. */
    public synchronized long maxId() {
        return maxId;
    }

    /**
     * The committed batches that must not count: those whose record names more parts than
     * {@code found} holds (the ids of the committed parts each shard's replay accepted, one array a
     * shard; a batch writes at most one part in a shard).
     */
    public synchronized long[] incomplete(java.util.List<long[]> found) {
        java.util.Map<Long, Integer> seen = new java.util.HashMap<>();
        for (long[] shard : found) {
            // A batch writes at most one part a shard; a shard may replay one twice (a keys-log rewrite
            // copies the records after its mark into its new files, and a crash before the old files
            // go leaves both to replay), so each shard counts once.
            java.util.Set<Long> inShard = new java.util.HashSet<>();
            for (long id : shard) {
                int at = Arrays.binarySearch(ids, 0, count, id);
                if (at >= 0 && parts[at] > 0 && inShard.add(id)) {
                    seen.merge(id, 1, Integer::sum);
                }
            }
        }
        long[] out = new long[count];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (parts[i] > 0 && seen.getOrDefault(ids[i], 0) != parts[i]) {
                out[n++] = ids[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * Makes {@code aborted} not count, durably (the file is rewritten whole): an open found a part of
     * each missing, and a later settle mark must not make the parts found count.
     */
    public synchronized void abort(long[] aborted) throws IOException {
        for (long id : aborted) {
            int at = Arrays.binarySearch(ids, 0, count, id);
            if (at >= 0) {
                parts[at] = ABORTED;
            }
        }
        rewrite();
    }

    /**
     * Appends the commit record of batch {@code id}, which wrote {@code partCount} parts ({@link #FORCED}
     * if each was forced first), and forces the file if {@code force}: from here the batch counts
     * (once durable, if every part is). Returns the record's number (0 for the first record), which
     * {@link #isSettled} takes.
     */
    public synchronized long commit(long id, int partCount, boolean force) throws IOException {
        long record = (end - HEADER_SIZE) / RECORD_SIZE;
        append(id, partCount);
        if (force) {
            FileIo.of(path).force(channel, path, false);
        }
        add(id, partCount);
        if (partCount > 0) {
            toSettle = record + 1;
        }
        return record;
    }

    /** Appends the commit record of batch {@code id}, whose parts were forced, and forces the file. */
    public void commit(long id) throws IOException {
        commit(id, FORCED, true);
    }

    private void append(long id, int p) throws IOException {
        ByteBuffer r = ByteBuffer.allocate(RECORD_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        putRecord(r, id, p);
        r.flip();
        long at = end;
        FileIo io = FileIo.of(path);
        while (r.hasRemaining()) {
            at += io.write(channel, path, r, at);
        }
        end = at;
    }

    /** Forces the commit records appended so far (a sync). */
    public synchronized void force() throws IOException {
        FileIo.of(path).force(channel, path, false);
        forcedEnd = end;
    }

    /**
     * Makes every commit appended before this call durable with all its parts, and says so in the file:
     * notes the records, runs {@code syncShards} (which must cover every append made before it starts),
     * then appends a settle mark for the noted records and forces the file. Returns only once that is
     * durable: a concurrent settle that covers the same records does not let this one return before its
     * own force. Does nothing if no commit with parts to check came before the last durable mark.
     *
     * <p>A keys-log rewrite settles before it drops the parts it folds into plain records, and garbage
     * collection before it deletes a segment: an open that drops an unsettled batch cuts each shard's
     * log at its part ({@link IncompleteBatches}), which would bring back records pointing into it.
     */
    public void settle(IoAction syncShards) throws IOException {
        long target = settleTarget();
        if (target <= settledThrough) {
            return;
        }
        syncShards.run(); // not under this monitor: a batch commits holding its shards' locks
        synced(target);
    }

    /**
     * The records a settle mark written now would have to cover (see {@link #synced}): note it before
     * the shards are synced.
     */
    public synchronized long settleTarget() {
        return toSettle;
    }

    /**
     * Forces the file once every shard was synced after {@link #settleTarget} returned {@code target}:
     * the commits up to it are durable with all their parts, so, if a mark does not cover them yet, a
     * settle mark for them is appended first. The sync's end ({@code Store.sync} and the once-a-second
     * round) settles this way, so that batches rarely stay unsettled for long.
     */
    public synchronized void synced(long target) throws IOException {
        boolean mark = target > settledThrough;
        if (!mark && end == forcedEnd) {
            return; // nothing appended since the last force: the once-a-second round of an idle store
        }
        if (mark) {
            append(0, (int) target);
        }
        FileIo.of(path).force(channel, path, false);
        forcedEnd = end;
        if (mark) {
            settledThrough = target; // after the force: a settle that finds it covered may return
        }
    }

    /** Whether the commit record numbered {@code record} ({@link #commit}'s answer) is covered by a durable settle mark. */
    public boolean isSettled(long record) {
        return record < settledThrough;
    }

    /** The records, from the first, a durable settle mark covers. */
    public long settledThrough() {
        return settledThrough;
    }

    /** A step that may fail with an {@link IOException}: forcing the shards, or settling. */
    @FunctionalInterface
    public interface IoAction {
        void run() throws IOException;
    }

    private static int crc(byte[] bytes, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, from, length);
        return (int) crc.getValue();
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }

    Path path() {
        return path;
    }
}
