package io.toykv.core;

import io.toykv.core.engine.CommitJournal;
import io.toykv.core.engine.JournalScan;
import io.toykv.core.engine.ShardRouter;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The repair's part of the commit journal ({@code journal.log}): the acknowledged writes of a store last
 * opened in {@link SyncMode#ALWAYS} mode that only the journal holds (its shards' logs were not forced
 * since) are redone into the repaired store, after its shards' keys were copied, as an open would redo
 * them: the records after the covered point, each shard's after its last BARRIER, in journal order.
 * A journal that cannot be read is reported and leaves the rest of the repair as it is.
 */
final class JournalSalvage {
    /**
     * What the journal gave: the records replayed, the records the new store refused (lost), the shards
     * the journal has records of beyond the repair's shard count (their directories are missing, the
     * count was guessed without them), and whether it could not be read at all.
     */
    record Outcome(long replayed, long lost, int shardsBeyond, boolean unreadable) {
        static final Outcome NONE = new Outcome(0, 0, 0, false);
    }

    private JournalSalvage() {}

    /**
     * Reads a copy (in {@code scratch}) of {@code source}'s journal, if it has one, and redoes its
     * records in {@code target}, a store of {@code shards} shards; each finding goes to {@code note}.
     * With {@code shardsGuessed} (no manifest said the count), the records of any shard are read, and
     * the count is taken as at least the journal's highest shard + 1.
     */
    static Outcome replay(
            Path source, Path scratch, Store target, int shards, boolean shardsGuessed, Consumer<String> note)
            throws IOException {
        Path file = FileNames.journal(source);
        if (!Files.exists(file)) {
            return Outcome.NONE; // never opened in ALWAYS mode: nothing was journaled
        }
        String name = file.getFileName().toString();
        Path copyDir = scratch.resolve("journal");
        Files.createDirectories(copyDir);
        List<CommitJournal.Record> records;
        JournalScan.Result scan;
        int journalShards = shards;
        long damageAt = -1;
        StoreOptions o = target.options();
        long maxRecord = CommitJournal.RECORD_HEADER + (long) o.maxKeySize() + o.largestBufferedValue();
        try {
            Files.copy(file, FileNames.journal(copyDir)); // a read error of the damaged file is its damage too
            try (CommitJournal journal = CommitJournal.open(copyDir, maxRecord, o.bufferSize(), false)) {
                // A guessed count may miss the highest shards: a record of one must not end the reading.
                scan = journal.scan(shardsGuessed ? StoreOptions.MAX_SHARDS : shards);
                for (JournalScan.Entry e : scan.entries()) {
                    journalShards = Math.max(journalShards, e.shard() + 1);
                }
                records = CommitJournal.replayable(scan.entries(), journalShards);
                // Where the reading stops is the end of what was written (a write torn by the crash,
                // never acknowledged, or what an earlier lap left) unless a record checks out past it.
                if (!scan.endIsZeros()) {
                    damageAt = journal.recordPast(scan.end(), shardsGuessed ? StoreOptions.MAX_SHARDS : shards);
                }
            }
        } catch (IOException | RuntimeException e) {
            note.accept(name + " cannot be read (" + e.getMessage()
                    + "): the acknowledged writes only it held (ALWAYS mode, since the last checkpoint) are lost");
            return new Outcome(0, 0, 0, true);
        }
        if (damageAt >= 0) {
            note.accept(name + ": reading stopped at position " + scan.end() + " (" + scan.stop() + "), yet a record"
                    + " checks out at position " + damageAt + " past it: damage, after which the records are lost");
        }
        if (journalShards > shards) {
            note.accept(name + ": has records of shard " + (journalShards - 1) + ", so the store had at least "
                    + journalShards + " shards; the keys of shards " + shards + " to " + (journalShards - 1)
                    + " that only their missing directories held are lost");
        }
        long replayed = 0;
        long lost = 0;
        for (CommitJournal.Record r : records) {
            try {
                redo(r, target, journalShards);
                replayed++;
            } catch (IllegalArgumentException tooLarge) {
                lost++;
                note.accept(name + ": a record at position " + r.position() + " exceeds the new store's limits"
                        + " (its write is lost): " + tooLarge.getMessage());
            }
        }
        note.accept(name + ": replayed " + replayed + " records the shards' logs may lack");
        return new Outcome(replayed, lost, journalShards - shards, false);
    }

    /** Redoes one record as the open's replay would (a passed expiry deletes, as it does at the end of an open). */
    private static void redo(CommitJournal.Record r, Store target, int shards) {
        switch (r.kind()) {
            case CommitJournal.PUT -> target.put(r.key(), r.value(), r.expiry() == 0 ? Store.NO_EXPIRY : r.expiry());
            case CommitJournal.DELETE -> target.delete(r.key());
            case CommitJournal.CLEAR -> clearShard(target, r.shard(), shards);
            default -> throw new IllegalStateException("record kind " + r.kind() + " is not replayed");
        }
    }

    /** Deletes every key of {@code target} that shard {@code shard} holds. */
    private static void clearShard(Store target, int shard, int shards) {
        List<byte[]> doomed = new ArrayList<>();
        try (ScanIterator it = target.scan(null, null)) {
            while (it.hasNext()) {
                byte[] key = it.next().key();
                if (ShardRouter.shardOf(key, shards) == shard) {
                    doomed.add(key);
                }
            }
        }
        for (byte[] key : doomed) {
            target.delete(key);
        }
    }
}
