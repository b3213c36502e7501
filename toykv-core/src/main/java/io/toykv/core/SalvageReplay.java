package io.toykv.core;

import io.toykv.core.log.AtomicPart;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.ValuesLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;

/**
 * The repair's replay of one shard directory's keys files ({@link StoreRepair}), forgiving: its live
 * keys ({address, length, expiry}, in log order), and its atomic parts, for the check that each batch
 * is whole, decided as an open decides it ({@link io.toykv.core.engine.IncompleteBatches}). The open
 * cuts a shard's log at the first part of a batch it drops, after its last CLEAR; so that {@link #cutAt}
 * can do the same once every directory is replayed, each change to the live keys from the first part
 * after the last CLEAR on is kept with the value it replaced.
 */
final class SalvageReplay implements KeysFile.RecordSink {
    /** A change to {@link #live}: the key, and its value before (null: it was absent). */
    private record Change(ByteBuffer key, long[] before) {}

    /** The directory's values, to check a buffered value against its key; null when they cannot be read. */
    private final ValuesLog values;
    /** Whether an atomic batch (by id) committed: only then are its parts replayed. */
    private final LongPredicate committed;

    private final Map<ByteBuffer, long[]> live = new LinkedHashMap<>();
    /** The ids of the committed parts accepted, in log order (as the open's: CLEAR records do not reset them). */
    private final List<Long> accepted = new ArrayList<>();
    /** Every part since the last CLEAR, committed or not, in log order. */
    private final List<Long> parts = new ArrayList<>();
    /** For each of {@link #parts}: how many {@link #changes} came before it. */
    private final List<Integer> partStarts = new ArrayList<>();
    /** The changes to {@link #live} since the first of {@link #parts}. */
    private final List<Change> changes = new ArrayList<>();
    /** The changes the last {@link #cutAt} undid. */
    private int changesCut;

    SalvageReplay(ValuesLog values, LongPredicate committed) {
        this.values = values;
        this.committed = committed;
    }

    @Override
    public String accept(KeyRecord record, Path file, long offset) {
        switch (record.kind()) {
            case KeyRecord.PUT:
            case KeyRecord.PUT_EXPIRING: {
                String problem = check(record);
                if (problem == null) {
                    set(record);
                }
                return problem;
            }
            case KeyRecord.DELETE:
                remove(record.key());
                return null;
            case KeyRecord.ATOMIC_PART:
                return acceptPart(record);
            default: // CLEAR
                live.clear();
                parts.clear();
                partStarts.clear();
                changes.clear();
                return null;
        }
    }

    /**
     * An atomic batch's part: its entries count if the batch committed and every value it names checks
     * out (then it is noted, for the check that its batch is whole); one that does not decode is a bad
     * record.
     */
    private String acceptPart(KeyRecord record) {
        List<KeyRecord> entries;
        try {
            entries = AtomicPart.decode(record.key(), record.valueLength());
        } catch (IllegalArgumentException e) {
            return "atomic part: " + e.getMessage();
        }
        long id = record.address();
        parts.add(id);
        partStarts.add(changes.size());
        if (!committed.test(id)) {
            return null;
        }
        for (KeyRecord e : entries) {
            String problem = e.kind() == KeyRecord.DELETE ? null : check(e);
            if (problem != null) {
                return "atomic part of committed batch " + id + ": " + problem;
            }
        }
        accepted.add(id);
        for (KeyRecord e : entries) {
            if (e.kind() == KeyRecord.DELETE) {
                remove(e.key());
            } else {
                set(e);
            }
        }
        return null;
    }

    private String check(KeyRecord put) {
        return values == null ? null : values.checkBuffered(put.key(), put.address(), put.valueLength());
    }

    private void set(KeyRecord put) {
        ByteBuffer key = ByteBuffer.wrap(put.key());
        long[] before = live.put(key, new long[] {put.address(), put.valueLength(), put.expireAt()});
        if (!parts.isEmpty()) {
            changes.add(new Change(key, before));
        }
    }

    private void remove(byte[] k) {
        ByteBuffer key = ByteBuffer.wrap(k);
        long[] before = live.remove(key);
        if (!parts.isEmpty() && before != null) {
            changes.add(new Change(key, before));
        }
    }

    /** The live keys: {address, length, expiry} by key, in log order. */
    Map<ByteBuffer, long[]> live() {
        return live;
    }

    /** The ids of the committed parts accepted, in log order. */
    long[] committedParts() {
        return accepted.stream().mapToLong(Long::longValue).toArray();
    }

    /** The batch ids of every part since the last CLEAR, committed or not, in log order. */
    long[] partsInOrder() {
        return parts.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Cuts the log at the first part since the last CLEAR whose batch {@code dropped} names, as an open
     * cuts it: that part and every record after it are undone. Returns the batch's id, or 0 when no part
     * is dropped (nothing is cut).
     */
    long cutAt(LongPredicate dropped) {
        for (int i = 0; i < parts.size(); i++) {
            long id = parts.get(i);
            if (dropped.test(id)) {
                int start = partStarts.get(i);
                changesCut = changes.size() - start;
                for (int c = changes.size() - 1; c >= start; c--) {
                    Change change = changes.get(c);
                    if (change.before() == null) {
                        live.remove(change.key());
                    } else {
                        live.put(change.key(), change.before());
                    }
                }
                changes.subList(start, changes.size()).clear();
                parts.subList(i, parts.size()).clear();
                partStarts.subList(i, partStarts.size()).clear();
                return id;
            }
        }
        return 0;
    }

    /** The changes to the live keys the last {@link #cutAt} undid. */
    int changesCut() {
        return changesCut;
    }
}
