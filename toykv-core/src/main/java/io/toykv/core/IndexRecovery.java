package io.toykv.core;

import io.toykv.core.index.SortedIndex;
import io.toykv.core.log.Address;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.ValuesLog;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rebuilds a shard's index from its keys log at open. Records are replayed in order into a hash map
 * (last write wins, deletes remove, CLEAR empties it); the survivors are then sorted once and loaded
 * into the index in bulk, which is much cheaper than inserting a million keys one by one.
 *
 * <p>Each PUT is checked against the values log first: a record whose value did not survive (it was
 * past the buffer's valid records after a power loss) is rejected, and the keys log treats it like a
 * record with a bad checksum.
 */
final class IndexRecovery implements KeysFile.RecordSink {
    private final ValuesLog values;
    private final Map<ByteBuffer, long[]> entries = new HashMap<>();

    IndexRecovery(ValuesLog values) {
        this.values = values;
    }

    @Override
    public String accept(KeyRecord record, Path file, long offset) {
        switch (record.kind()) {
            case KeyRecord.PUT: {
                String problem = values.checkRecovered(record.address(), record.valueLength());
                if (problem != null) {
                    return problem;
                }
                entries.put(ByteBuffer.wrap(record.key()), new long[] {record.address(), record.valueLength()});
                return null;
            }
            case KeyRecord.DELETE:
                entries.remove(ByteBuffer.wrap(record.key()));
                return null;
            default:
                entries.clear();
                return null;
        }
    }

    /** Loads the survivors into {@code index}; returns the live value bytes per segment. */
    Map<Long, long[]> loadInto(SortedIndex index) {
        int n = entries.size();
        List<byte[]> keys = new ArrayList<>(n);
        for (ByteBuffer k : entries.keySet()) {
            keys.add(k.array());
        }
        keys.sort(Arrays::compareUnsigned);
        byte[][] sorted = keys.toArray(new byte[0][]);
        long[] addresses = new long[n];
        int[] lengths = new int[n];
        Map<Long, long[]> live = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long[] e = entries.get(ByteBuffer.wrap(sorted[i]));
            addresses[i] = e[0];
            lengths[i] = (int) e[1];
            live.computeIfAbsent(Address.segment(e[0]), s -> new long[1])[0] += e[1];
        }
        entries.clear();
        index.load(sorted, addresses, lengths, n);
        return live;
    }
}
