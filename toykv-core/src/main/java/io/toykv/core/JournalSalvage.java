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
    /** What the journal gave: the records replayed, and whether it could not be read at all. */
    record Outcome(long replayed, boolean unreadable) {}

    private JournalSalvage() {}

    /**
     * Reads a copy (in {@code scratch}) of {@code source}'s journal, if it has one, and redoes its
     * records in {@code target}, a store of {@code shards} shards; each finding goes to {@code note}.
     */
    static Outcome replay(Path source, Path scratch, Store target, int shards, Consumer<String> note)
            throws IOException {
        Path file = FileNames.journal(source);
        if (!Files.exists(file)) {
            return new Outcome(0, false); // never opened in ALWAYS mode: nothing was journaled
        }
        String name = file.getFileName().toString();
        Path copyDir = scratch.resolve("journal");
        Files.createDirectories(copyDir);
        List<CommitJournal.Record> records;
        JournalScan.Result scan;
        StoreOptions o = target.options();
        long maxRecord = CommitJournal.RECORD_HEADER + (long) o.maxKeySize() + o.largestBufferedValue();
        try {
            Files.copy(file, FileNames.journal(copyDir)); // a read error of the damaged file is its damage too
            try (CommitJournal journal = CommitJournal.open(copyDir, maxRecord, o.bufferSize(), false)) {
                scan = journal.scan(shards);
                records = CommitJournal.replayable(scan.entries(), shards);
            }
        } catch (IOException | RuntimeException e) {
            note.accept(name + " cannot be read (" + e.getMessage()
                    + "): the acknowledged writes only it held (ALWAYS mode, since the last checkpoint) are lost");
            return new Outcome(0, true);
        }
        if (!scan.endIsZeros()) {
            note.accept(name + ": reading stopped at position " + scan.end() + " (" + scan.stop() + "): a write"
                    + " torn by the crash (never acknowledged), what an earlier lap of the ring left, or damage,"
                    + " after which any record is lost");
        }
        long replayed = 0;
        for (CommitJournal.Record r : records) {
            try {
                redo(r, target, shards);
                replayed++;
            } catch (IllegalArgumentException tooLarge) {
                note.accept(name + ": a record at position " + r.position() + " exceeds the new store's limits: "
                        + tooLarge.getMessage());
            }
        }
        note.accept(name + ": replayed " + replayed + " records the shards' logs may lack");
        return new Outcome(replayed, false);
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
