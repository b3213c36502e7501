package io.toykv.core.engine;

import java.io.IOException;
import java.util.List;

/**
 * Replays the {@link CommitJournal} into the shards at open: each record's write again, in journal order,
 * through the shards' write paths, then a sync of every shard, and only then the journal's restart, which
 * marks every record covered.
 *
 * <p>Why replaying over the shards' recovered state is right: each shard's journal records are in the order
 * of its own log, and every write a caller waits for in {@code ALWAYS} mode is journaled, so the last
 * journal record of a key (after its shard's last BARRIER) is the last acknowledged change of it, or a
 * later one. Records the shard's logs already hold are written again with the same effect; the writes the
 * journal leaves out change no key's value (garbage collection's moves, keys-log rewrites), or replay
 * finds them again (a removal by expiry: the key's record carries its passed expiry), or they forced the
 * shard and left a BARRIER (atomic batches). A crash during the replay leaves the journal as it was, and
 * the next open replays it again to the same result.
 */
public final class JournalReplay {
    private JournalReplay() {}

    /** Replays {@code journal} into {@code shards}, then restarts it; returns the records replayed. */
    public static int replay(CommitJournal journal, Shard[] shards) throws IOException {
        return replay(journal, shards, true);
    }

    /**
     * Replays {@code journal} into {@code shards}; returns the records replayed. Without {@code restart}
     * the journal's header is left as it is: for a file the caller replaces next, whose replacement covers
     * every record (a header write in a layout being replaced is one more write a crash may tear).
     */
    public static int replay(CommitJournal journal, Shard[] shards, boolean restart) throws IOException {
        List<CommitJournal.Record> records = journal.readRecords(shards.length);
        for (Shard shard : shards) {
            shard.state().replaying = true;
        }
        try {
            for (CommitJournal.Record r : records) {
                Shard shard = shards[r.shard()];
                switch (r.kind()) {
                    case CommitJournal.PUT -> shard.put(r.key(), r.value(), r.expiry());
                    case CommitJournal.DELETE -> shard.delete(r.key());
                    case CommitJournal.CLEAR -> shard.clear();
                    default -> throw new IllegalStateException("record kind " + r.kind() + " is not replayed");
                }
            }
        } finally {
            for (Shard shard : shards) {
                shard.state().replaying = false;
            }
        }
        if (!records.isEmpty()) {
            for (Shard shard : shards) {
                shard.sync();
            }
        }
        if (restart) {
            journal.restart();
        }
        return records.size();
    }
}
