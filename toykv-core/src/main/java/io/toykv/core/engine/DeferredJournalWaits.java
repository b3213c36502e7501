package io.toykv.core.engine;

import java.io.IOException;
import java.util.Arrays;

/**
 * The journal waits one thread put off ({@link io.toykv.core.DeferredSync}): for each commit journal it
 * wrote to, the end of its last record, which {@link #end} waits for. One instance a thread, kept for
 * its life (a connection's thread opens a scope for every read), so a scope allocates nothing once the
 * thread has written to its stores.
 */
public final class DeferredJournalWaits {
    private static final ThreadLocal<DeferredJournalWaits> CURRENT = new ThreadLocal<>();

    /** Open scopes of this thread: only the outermost one's end waits. */
    private int depth;

    private CommitJournal[] journals = new CommitJournal[2];
    private long[] ends = new long[2];
    private int count;

    private DeferredJournalWaits() {}

    /** Opens a scope on the calling thread: its journal waits are put off until the matching {@link #end}. */
    public static DeferredJournalWaits begin() {
        DeferredJournalWaits waits = CURRENT.get();
        if (waits == null) {
            waits = new DeferredJournalWaits();
            CURRENT.set(waits);
        }
        waits.depth++;
        return waits;
    }

    /**
     * If the calling thread has a scope open, records that it must wait for {@code journal} up to
     * {@code end} when the scope ends, and returns true; otherwise returns false (the caller waits now).
     */
    static boolean defer(CommitJournal journal, long end) {
        DeferredJournalWaits waits = CURRENT.get();
        if (waits == null || waits.depth == 0) {
            return false;
        }
        waits.add(journal, end);
        return true;
    }

    private void add(CommitJournal journal, long end) {
        for (int i = 0; i < count; i++) {
            if (journals[i] == journal) {
                ends[i] = Math.max(ends[i], end);
                return;
            }
        }
        if (count == journals.length) {
            journals = Arrays.copyOf(journals, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        journals[count] = journal;
        ends[count] = end;
        count++;
    }

    /**
     * Closes a scope. The outermost returns once every record the thread appended in it is forced, and
     * throws the first failure of a journal's force (its writes are then not all durable), after waiting
     * for the other journals all the same. Must be called by the thread that began the scope.
     */
    public void end() throws IOException {
        if (depth == 0) {
            throw new IllegalStateException("no deferred sync is open on this thread");
        }
        if (--depth > 0) {
            return;
        }
        IOException first = null;
        try {
            for (int i = 0; i < count; i++) {
                try {
                    journals[i].syncTo(ends[i]);
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
        } finally {
            Arrays.fill(journals, 0, count, null); // a closed store's journal is not kept alive
            count = 0;
        }
        if (first != null) {
            throw first;
        }
    }
}
