package io.toykv.core;

import io.toykv.core.engine.BatchCommits;
import io.toykv.core.engine.IncompleteBatches;
import io.toykv.core.engine.ShardManifest;
import io.toykv.core.engine.ShardRouter;
import io.toykv.core.engine.StoreManifest;
import io.toykv.core.io.DirectoryLock;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileIo;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.Address;
import io.toykv.core.log.DirectIo;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.ValuesLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Salvages a store that {@link Store#open} refuses (a missing or misplaced file) into a new store in
 * another directory, and reports what was lost. Never run by an open: the operator runs it
 * ({@code bin/toykv-repair}), checks the report, and puts the new directory in the old one's place.
 *
 * <p>It locks the damaged store (so it refuses a store that is open), takes the shard count from its
 * manifest or, without one, from the highest shard directory, and creates the new store with that
 * count. Each shard directory is copied to a scratch directory (the damaged store is only read) and
 * recovered there as an open would, but file by file and forgiving: a keys file that cannot be read
 * is reported and skipped, a damaged record ends its file's replay, a live key whose value is in a
 * missing segment or fails its checksum is counted as lost. An atomic batch counts as the open decides
 * it: one that lost a part, or its commit record, is left out whole, and each directory's log is cut at
 * its part ({@link IncompleteBatches}). Every key that survives is put into the
 * new store, which routes it to its shard: keys found in the wrong shard directory (swapped or copied
 * directories) are re-routed, not dropped. Each shard's keys come from the directory that holds its
 * files, when there is one: a key live only elsewhere (a stray copy) is reported and kept out, never
 * brought back after its shard deleted it. A shard directory of another store is reported and not
 * imported, unless asked for. Last, the commit journal's records are redone in the new store
 * ({@link JournalSalvage}): the writes acknowledged in {@code ALWAYS} mode that only the journal holds.
 * A store whose manifest says a clear was under way ({@link StoreManifest#CLEARING}) gives an empty
 * store, as its open would once it finished the clear.
 *
 * <p>Taking the lock writes this process's pid into the damaged store's {@code LOCK}, as an open does;
 * nothing else in the damaged store is written.
 */
public final class StoreRepair {
    private static final System.Logger LOG = System.getLogger(StoreRepair.class.getName());

    /** What a repair did and what it could not save. */
    public record Report(
            Path source,
            Path output,
            int shards,
            long keysCopied,
            long keysRerouted,
            long duplicatesDropped,
            long keysWithoutValue,
            int shardDirsMissing,
            int keysFilesMissing,
            int keysFilesDamaged,
            int segmentsMissing,
            List<String> notes,
            long keysNotRestored,
            int foreignDirsNotImported,
            long journalRecordsReplayed,
            int journalsUnreadable,
            long journalRecordsLost,
            int batchesDropped) {
        /** A report without the count of atomic batches dropped: none. */
        public Report(
                Path source,
                Path output,
                int shards,
                long keysCopied,
                long keysRerouted,
                long duplicatesDropped,
                long keysWithoutValue,
                int shardDirsMissing,
                int keysFilesMissing,
                int keysFilesDamaged,
                int segmentsMissing,
                List<String> notes,
                long keysNotRestored,
                int foreignDirsNotImported,
                long journalRecordsReplayed,
                int journalsUnreadable,
                long journalRecordsLost) {
            this(
                    source,
                    output,
                    shards,
                    keysCopied,
                    keysRerouted,
                    duplicatesDropped,
                    keysWithoutValue,
                    shardDirsMissing,
                    keysFilesMissing,
                    keysFilesDamaged,
                    segmentsMissing,
                    notes,
                    keysNotRestored,
                    foreignDirsNotImported,
                    journalRecordsReplayed,
                    journalsUnreadable,
                    journalRecordsLost,
                    0);
        }

        /** A report without the journal's counts: no journal, or nothing in it. */
        public Report(
                Path source,
                Path output,
                int shards,
                long keysCopied,
                long keysRerouted,
                long duplicatesDropped,
                long keysWithoutValue,
                int shardDirsMissing,
                int keysFilesMissing,
                int keysFilesDamaged,
                int segmentsMissing,
                List<String> notes,
                long keysNotRestored,
                int foreignDirsNotImported) {
            this(
                    source,
                    output,
                    shards,
                    keysCopied,
                    keysRerouted,
                    duplicatesDropped,
                    keysWithoutValue,
                    shardDirsMissing,
                    keysFilesMissing,
                    keysFilesDamaged,
                    segmentsMissing,
                    notes,
                    keysNotRestored,
                    foreignDirsNotImported,
                    0,
                    0,
                    0);
        }

        /** A report without the counts of keys kept out and of another store's directories: none. */
        public Report(
                Path source,
                Path output,
                int shards,
                long keysCopied,
                long keysRerouted,
                long duplicatesDropped,
                long keysWithoutValue,
                int shardDirsMissing,
                int keysFilesMissing,
                int keysFilesDamaged,
                int segmentsMissing,
                List<String> notes) {
            this(
                    source,
                    output,
                    shards,
                    keysCopied,
                    keysRerouted,
                    duplicatesDropped,
                    keysWithoutValue,
                    shardDirsMissing,
                    keysFilesMissing,
                    keysFilesDamaged,
                    segmentsMissing,
                    notes,
                    0,
                    0,
                    0,
                    0,
                    0);
        }

        /** Whether everything the damaged store's files name was saved. */
        public boolean lostNothing() {
            return keysWithoutValue == 0
                    && shardDirsMissing == 0
                    && keysFilesMissing == 0
                    && keysFilesDamaged == 0
                    && segmentsMissing == 0
                    && journalsUnreadable == 0
                    && journalRecordsLost == 0
                    && batchesDropped == 0;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append("repaired ")
                    .append(source)
                    .append(" into ")
                    .append(output)
                    .append(" (")
                    .append(shards)
                    .append(" shards)\n");
            b.append("copied ")
                    .append(keysCopied)
                    .append(" keys; re-routed ")
                    .append(keysRerouted)
                    .append(" found in the wrong shard directory; dropped ")
                    .append(duplicatesDropped)
                    .append(" duplicate copies; kept out ")
                    .append(keysNotRestored)
                    .append(" keys live only outside their shard's directory; did not import ")
                    .append(foreignDirsNotImported)
                    .append(" directories of another store; replayed ")
                    .append(journalRecordsReplayed)
                    .append(" commit journal records\n");
            b.append("lost: ")
                    .append(shardDirsMissing)
                    .append(" shard directories, ")
                    .append(keysFilesMissing)
                    .append(" keys files missing, ")
                    .append(keysFilesDamaged)
                    .append(" keys files damaged, ")
                    .append(segmentsMissing)
                    .append(" segments missing, ")
                    .append(keysWithoutValue)
                    .append(" keys whose values are gone, ")
                    .append(journalsUnreadable)
                    .append(" commit journals unreadable, ")
                    .append(journalRecordsLost)
                    .append(" commit journal records the new store refused, ")
                    .append(batchesDropped)
                    .append(" atomic batches missing a part (left out whole)\n");
            for (String n : notes) {
                b.append("  ").append(n).append('\n');
            }
            return b.toString();
        }
    }

    private final Path source;
    private final boolean importForeign;
    private final List<String> notes = new ArrayList<>();
    private long storeId;
    private int shards;
    /** Whether the manifest says a clear was under way ({@link StoreManifest#CLEARING}): the open would finish it. */
    private boolean clearing;
    /** Whether {@link #shards} is a guess (no readable manifest said it). */
    private boolean shardsGuessed;

    private long copied;
    private long rerouted;
    private long duplicates;
    private long withoutValue;
    private int shardDirsMissing;
    private int keysFilesMissing;
    private int keysFilesDamaged;
    private int segmentsMissing;
    private long notRestored;
    private int foreignNotImported;
    private JournalSalvage.Outcome journal = JournalSalvage.Outcome.NONE;
    /** A copy of the store's {@code batches.log}; null when it cannot be read (then no atomic batch counts). */
    private BatchCommits commits;
    /** Which atomic batches committed, by {@link #commits}. */
    private java.util.function.LongPredicate committed = id -> false;
    /** The committed atomic batches dropped: a part of each is missing, or one follows such a part. */
    private int batchesDropped;

    /**
     * What one shard directory holds: its live keys ({address, length}, in log order) and its values
     * (null when they cannot be read), and the shard whose files it holds: as its shard manifest says,
     * else the shard most of its keys belong to, else the one its name gives.
     */
    private record Salvaged(int index, String name, boolean foreign, int held, ValuesLog values, SalvageReplay replay) {
        /** The live keys: {address, length, expiry} by key, in log order. */
        Map<ByteBuffer, long[]> live() {
            return replay.live();
        }
    }

    private StoreRepair(Path source, boolean importForeign) {
        this.source = source;
        this.importForeign = importForeign;
    }

    /** Repairs {@code source} into {@code output} (which must not exist, or be empty), with default options. */
    public static Report repair(Path source, Path output) throws IOException {
        return repair(source, output, StoreOptions.defaults());
    }

    /**
     * Repairs {@code source} into a new store in {@code output}, which must not exist or be empty and
     * must not be inside {@code source}; {@code options} are those of the new store but its shard count,
     * which is the damaged store's.
     *
     * @throws IOException the store is open, {@code output} is not empty, or a file cannot be copied
     */
    public static Report repair(Path source, Path output, StoreOptions options) throws IOException {
        return repair(source, output, options, false);
    }

    /**
     * As {@link #repair(Path, Path, StoreOptions)}; with {@code importForeign}, the keys of shard
     * directories of another store are copied too, where no directory of this store has them (a key
     * this store deleted comes back if another store has it).
     */
    public static Report repair(Path source, Path output, StoreOptions options, boolean importForeign)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(output, "output");
        Path src = source.toAbsolutePath().normalize();
        Path out = output.toAbsolutePath().normalize();
        if (!Files.isDirectory(src)) {
            throw new IOException("no store directory " + src);
        }
        if (out.startsWith(src) || src.startsWith(out)) {
            throw new IllegalArgumentException("the output " + out + " must be outside the store " + src);
        }
        if (Files.exists(out) && !isEmptyDirectory(out)) {
            throw new IOException("the output " + out + " is not an empty directory: repair writes a new store");
        }
        Files.createDirectories(out);
        StoreRepair r = new StoreRepair(src, importForeign);
        try (DirectoryLock lock = DirectoryLock.acquire(src)) {
            TreeMap<Integer, Path> dirs = r.shardDirectories();
            r.readManifest(dirs);
            if (r.clearing) {
                // An open finishes the clear once it has replayed the shards and the journal: whatever
                // they hold, it shows no key. So does the new store.
                Store.open(out, options.copy().shards(r.shards)).close();
                r.note("a clear (Store.clear) was under way when the store stopped: an open finishes it, so the"
                        + " new store holds no key (the shard directories and the journal are not read)");
            } else {
                r.salvageInto(out, options, dirs);
            }
        }
        return new Report(
                src,
                out,
                r.shards,
                r.copied,
                r.rerouted,
                r.duplicates,
                r.withoutValue,
                r.shardDirsMissing,
                r.keysFilesMissing,
                r.keysFilesDamaged,
                r.segmentsMissing,
                List.copyOf(r.notes),
                r.notRestored,
                r.foreignNotImported,
                r.journal.replayed(),
                r.journal.unreadable() ? 1 : 0,
                r.journal.lost(),
                r.batchesDropped);
    }

    /** Copies what the shard directories {@code dirs} and the journal hold into a new store in {@code out}. */
    private void salvageInto(Path out, StoreOptions options, TreeMap<Integer, Path> dirs) throws IOException {
        Path scratch = Files.createTempDirectory(out.getParent(), ".toykv-repair-");
        readBatchCommits(scratch);
        List<Salvaged> found = new ArrayList<>();
        try (Store target = Store.open(out, options.copy().shards(shards))) {
            for (int i = 0; i < Math.max(shards, dirs.isEmpty() ? 0 : dirs.lastKey() + 1); i++) {
                Salvaged d = salvage(i, dirs.get(i), scratch.resolve("shard-" + i));
                if (d != null) {
                    found.add(d);
                }
            }
            dropIncompleteBatches(found);
            copyAll(found, target);
            // After the shards' keys: the journal's records are the latest acknowledged changes.
            journal = JournalSalvage.replay(source, scratch, target, shards, shardsGuessed, this::note);
            shardDirsMissing += journal.shardsBeyond();
        } finally {
            for (Salvaged d : found) {
                if (d.values() != null) {
                    d.values().close();
                }
            }
            if (commits != null) {
                commits.close();
            }
            deleteTree(scratch);
        }
    }

    private void note(String line) {
        notes.add(line);
        LOG.log(System.Logger.Level.DEBUG, line); // the report prints every note
    }

    /** The shard directories of the damaged store, by the index their name gives. */
    private TreeMap<Integer, Path> shardDirectories() throws IOException {
        TreeMap<Integer, Path> dirs = new TreeMap<>();
        try (Stream<Path> s = Files.list(source)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String name = p.getFileName().toString();
                for (int i = 0; name.startsWith("shard-") && i < StoreOptions.MAX_SHARDS; i++) {
                    if (FileNames.shardDir(source, i).getFileName().toString().equals(name) && Files.isDirectory(p)) {
                        dirs.put(i, p);
                    }
                }
            }
        }
        return dirs;
    }

    /**
     * Opens a copy of the store's {@code batches.log} (the damaged store is not written): without it no
     * atomic batch counts, and the keys only batches wrote are lost.
     */
    private void readBatchCommits(Path scratch) throws IOException {
        Path file = FileNames.batchCommits(source);
        if (!Files.exists(file)) {
            if (Files.exists(source.resolve(FileNames.MANIFEST))
                    && manifestVersion() >= StoreManifest.FIRST_WITH_BATCHES) {
                note(file.getFileName() + " is missing: the changes of atomic batches are lost");
            }
            return;
        }
        Path copy = scratch.resolve("commits");
        Files.createDirectories(copy);
        Files.copy(file, FileNames.batchCommits(copy));
        try {
            commits = BatchCommits.open(copy, false); // a copy: what its open writes stays in the scratch
            committed = commits::committed;
        } catch (IOException e) {
            note(file.getFileName() + " cannot be read (" + e.getMessage()
                    + "): the changes of atomic batches are lost");
        }
    }

    private int manifestVersion() {
        try {
            return StoreManifest.read(source).version();
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    private void readManifest(TreeMap<Integer, Path> dirs) {
        StoreManifest.Contents m = null;
        try {
            m = StoreManifest.read(source);
        } catch (IOException e) {
            note("store manifest: " + e.getMessage());
        }
        if (m != null) {
            shards = m.shards();
            storeId = m.storeId();
            clearing = m.clearing();
            return;
        }
        shardsGuessed = true;
        if (!dirs.isEmpty()) {
            shards = dirs.lastKey() + 1;
            note("store manifest missing or unreadable: " + shards + " shards, as the highest shard directory says");
        } else {
            shards = StoreOptions.defaults().shards();
            note("store manifest missing or unreadable and no shard directories: an empty store of " + shards
                    + " shards");
        }
    }

    /** Reads what shard directory {@code i} ({@code dir}, null when missing) holds; null when there is nothing to copy. */
    private Salvaged salvage(int i, Path dir, Path scratch) throws IOException {
        String name = FileNames.shardDir(source, i).getFileName().toString();
        if (dir == null) {
            if (i < shards) {
                shardDirsMissing++;
                note(name + ": missing; the keys it held are lost");
            }
            return null;
        }
        if (i >= shards) {
            note(name + ": past the store's " + shards + " shards; its keys are re-routed");
        }
        ShardManifest.Contents identity = null;
        try {
            identity = ShardManifest.read(dir);
        } catch (IOException e) {
            note(name + ": " + e.getMessage());
        }
        if (identity != null && identity.shard() != i) {
            note(name + ": holds the files of shard " + identity.shard() + "; its keys are re-routed");
        }
        boolean foreign = identity != null && storeId != 0 && identity.storeId() != storeId;
        if (foreign && !importForeign) {
            foreignNotImported++;
            if (i < shards) {
                shardDirsMissing++;
            }
            note(name + ": belongs to another store (id " + Long.toHexString(identity.storeId()) + "); not imported"
                    + (i < shards ? ", so the keys of this store's shard " + i + " are lost" : "")
                    + " (the repair tool's --import-foreign copies what no directory of this store has)");
            return null;
        }
        if (foreign) {
            note(name + ": belongs to another store (id " + Long.toHexString(identity.storeId())
                    + "); its keys are copied where no directory of this store has them");
        }
        copyFiles(dir, scratch);
        ValuesLog values = null;
        try {
            values = ValuesLog.open(
                    scratch,
                    64 * 1024,
                    StoreOptions.defaults().segmentSize(),
                    0,
                    new DirectIo(false),
                    FileAllocator.DEFAULT);
        } catch (IOException | RuntimeException e) {
            note(name + ": its values cannot be read (" + e.getMessage() + "); its keys are lost");
        }
        try {
            // Another store's batches are in its own batches.log: none of its parts count here.
            SalvageReplay replay = new SalvageReplay(values, foreign ? id -> false : committed);
            replayKeys(name, dir, scratch, replay, identity);
            if (values != null) {
                try {
                    values.finishRecovery();
                } catch (IOException | RuntimeException e) {
                    note(name + ": its buffer could not be recovered (" + e.getMessage() + "); reading what it can");
                }
            }
            int held = identity != null
                    ? identity.shard()
                    : mostKeysBelongTo(replay.live().keySet(), i);
            if (identity == null && held != i) {
                note(name + ": most of its keys belong to shard " + held + "; taken to hold that shard's files");
            }
            return new Salvaged(i, name, foreign, held, values, replay);
        } catch (IOException | RuntimeException e) {
            if (values != null) {
                values.close();
            }
            throw e;
        }
    }

    /** The shard most of {@code keys} belong to, or {@code otherwise} when there are none. */
    private int mostKeysBelongTo(Iterable<ByteBuffer> keys, int otherwise) {
        Map<Integer, Integer> count = new java.util.HashMap<>();
        int best = otherwise;
        int bestCount = 0;
        for (ByteBuffer k : keys) {
            int shard = ShardRouter.shardOf(k.array(), shards);
            int c = count.merge(shard, 1, Integer::sum);
            if (c > bestCount) {
                best = shard;
                bestCount = c;
            }
        }
        return best;
    }

    /**
     * The directory that holds each shard's files, by shard: the one so named first, else the first
     * found; never another store's, nor one whose values cannot be read.
     */
    private static Map<Integer, Salvaged> homes(List<Salvaged> found) {
        Map<Integer, Salvaged> home = new java.util.HashMap<>();
        for (Salvaged d : found) {
            if (!d.foreign() && d.values() != null && d.held() == d.index()) {
                home.putIfAbsent(d.held(), d);
            }
        }
        for (Salvaged d : found) {
            if (!d.foreign() && d.values() != null) {
                home.putIfAbsent(d.held(), d);
            }
        }
        return home;
    }

    /**
     * Leaves out the atomic batches an open would drop ({@link IncompleteBatches}), decided from the
     * directories that hold the shards' files: a committed batch one of whose parts is missing there (a
     * power loss kept its commit record, or a part's directory or keys file is gone), a part without a
     * commit record (but in a store older than {@link StoreManifest#FIRST_WITH_CUTS}, or of no readable
     * manifest, whose builds went on writing after one), and a batch with a part after a dropped one.
     * Each directory's log is cut at its first part of a dropped batch, as the open cuts it: the records
     * after it were never synced. A directory of another store is not cut (none of its parts counted).
     * Without a readable {@code batches.log} no batch counts, and nothing is cut.
     */
    private void dropIncompleteBatches(List<Salvaged> found) {
        if (commits == null) {
            return;
        }
        List<SalvageReplay> decide =
                homes(found).values().stream().map(Salvaged::replay).toList();
        boolean cutUncommitted = manifestVersion() >= StoreManifest.FIRST_WITH_CUTS;
        long[] dropped = IncompleteBatches.toDrop(
                commits,
                decide.stream().map(SalvageReplay::committedParts).toList(),
                decide.stream().map(SalvageReplay::partsInOrder).toList(),
                cutUncommitted);
        long[] lost =
                java.util.Arrays.stream(dropped).filter(commits::committed).toArray();
        batchesDropped = lost.length;
        if (lost.length > 0) {
            note("atomic batches " + java.util.Arrays.toString(lost) + " are left out whole: a part of each is"
                    + " missing (a power loss kept its commit record and not the part, or its shard's files are"
                    + " lost), or one follows such a part in a shard's log; an open drops them too");
        }
        java.util.function.LongPredicate cut =
                id -> java.util.Arrays.binarySearch(dropped, id) >= 0 || (cutUncommitted && !commits.committed(id));
        for (Salvaged d : found) {
            if (d.foreign()) {
                continue; // none of its parts counted: its batches are another store's
            }
            long at = d.replay().cutAt(cut);
            if (at != 0) {
                note(d.name() + ": its keys log is cut at the part of dropped atomic batch " + at + ", as an open"
                        + " cuts it: " + d.replay().changesCut()
                        + " changes to live keys from that part on are left out");
            }
        }
    }

    /**
     * Copies the live keys of {@code found} into {@code target}. Each shard's keys come from the
     * directory that holds its files (the one so named first, else the first found; never another
     * store's): a key that directory does not hold live (deleted, or never written there) stays out,
     * whatever other directories hold, so a stray copy cannot bring a deleted key back. A key whose
     * shard has no such directory is copied from the first directory of this store that holds it, and
     * then, with {@code importForeign}, from another store's.
     */
    private void copyAll(List<Salvaged> found, Store target) {
        Map<Integer, Salvaged> home = homes(found);
        for (Salvaged d : found) {
            if (!d.foreign()) {
                copyLive(d, home, target);
            }
        }
        for (Salvaged d : found) {
            if (d.foreign()) {
                copyLive(d, home, target);
            }
        }
    }

    /** Replays the keys files found, in number order, forgiving, into {@code replay}. */
    private void replayKeys(String name, Path dir, Path scratch, SalvageReplay replay, ShardManifest.Contents identity)
            throws IOException {
        TreeSet<Long> numbers = new TreeSet<>();
        try (Stream<Path> s = Files.list(scratch)) {
            s.forEach(p -> {
                long n = FileNames.parseKeysFile(p.getFileName().toString());
                if (n > 0) {
                    numbers.add(n);
                }
            });
        }
        if (identity != null) {
            for (long n = identity.firstKeysFile(); n <= identity.lastKeysFile(); n++) {
                if (!numbers.contains(n)) {
                    keysFilesMissing++;
                    note(name + ": keys file " + FileNames.keysFile(dir, n).getFileName()
                            + " is missing; the keys only it held are lost");
                }
            }
        } else if (numbers.isEmpty()) {
            keysFilesMissing++;
            note(name + ": no keys file; the keys it held are lost");
        }
        for (long n : numbers) {
            Path file = FileNames.keysFile(scratch, n);
            KeysFile f;
            try {
                f = KeysFile.open(file, n);
            } catch (IOException e) {
                keysFilesDamaged++;
                note(name + ": keys file " + file.getFileName() + " cannot be read (" + e.getMessage() + ")");
                continue;
            }
            try {
                f.recover(replay, n == numbers.last());
            } catch (IOException e) {
                keysFilesDamaged++;
                note(name + ": keys file " + file.getFileName() + " is damaged; its records after the damage are lost ("
                        + e.getMessage() + ")");
            } finally {
                f.unmap();
            }
        }
    }

    private void copyLive(Salvaged d, Map<Integer, Salvaged> home, Store target) {
        String name = d.name();
        ValuesLog values = d.values();
        TreeMap<Long, Integer> lostBySegment = new TreeMap<>();
        long lostHere = 0;
        long notRestoredHere = 0;
        for (Map.Entry<ByteBuffer, long[]> e : d.live().entrySet()) {
            byte[] key = e.getKey().array();
            int shard = ShardRouter.shardOf(key, shards);
            Salvaged decides = home.get(shard);
            if (decides != null && decides != d) {
                if (decides.live().containsKey(e.getKey())) {
                    duplicates++;
                } else {
                    notRestoredHere++;
                }
                continue;
            }
            long address = e.getValue()[0];
            int length = (int) e.getValue()[1];
            long expireAt = e.getValue().length > 2 ? e.getValue()[2] : 0;
            byte[] value = null;
            if (values != null && values.checkLive(address, length) == null) {
                try {
                    value = values.read(key, address, length);
                } catch (CorruptionException damaged) {
                    value = null;
                }
            } else if (values != null && values.segment(Address.segment(address)) == null) {
                lostBySegment.merge(Address.segment(address), 1, Integer::sum);
            }
            if (value == null) {
                lostHere++;
                continue;
            }
            boolean present = target.get(key) != null;
            if (present) {
                duplicates++;
                continue; // no directory holds the shard's files: the first copy found stays
            }
            try {
                // An expiry that passed meanwhile leaves the key out, as an open of the store would.
                target.put(key, value, expireAt == 0 ? Store.NO_EXPIRY : expireAt);
            } catch (IllegalArgumentException tooLarge) {
                lostHere++;
                note(name + ": a key or value exceeds the new store's limits: " + tooLarge.getMessage());
                continue;
            }
            copied++;
            rerouted += shard == d.index() ? 0 : 1;
        }
        if (notRestoredHere > 0) {
            notRestored += notRestoredHere;
            note(name + ": " + notRestoredHere + " live keys not copied: the directory of their shard does not hold"
                    + " them live (deleted there, or never written there), so they stay out");
        }
        segmentsMissing += lostBySegment.size();
        for (Map.Entry<Long, Integer> e : lostBySegment.entrySet()) {
            note(name + ": segment " + FileNames.segment(Path.of(""), e.getKey()) + " is missing; the values of "
                    + e.getValue() + " live keys were in it");
        }
        if (lostHere > 0) {
            withoutValue += lostHere;
            note(name + ": " + lostHere + " live keys whose values are gone (dropped)");
        }
    }

    private static void copyFiles(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(from)) {
            for (Path f : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(f) && !f.getFileName().toString().endsWith(FileNames.TEMP_SUFFIX)) {
                    Files.copy(f, to.resolve(f.getFileName()));
                }
            }
        }
    }

    private static boolean isEmptyDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                FileIo.of(f).delete(f);
            }
        }
    }
}
