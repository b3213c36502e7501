package io.toykv.core;

import io.toykv.core.io.DirectoryLock;
import io.toykv.core.io.FileAllocator;
import io.toykv.core.io.FileNames;
import io.toykv.core.log.Address;
import io.toykv.core.log.DirectIo;
import io.toykv.core.log.KeyRecord;
import io.toykv.core.log.KeysFile;
import io.toykv.core.log.ValuesLog;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
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
 * missing segment or fails its checksum is counted as lost. Every key that survives is put into the
 * new store, which routes it to its shard: keys found in the wrong shard directory (swapped or copied
 * directories) are re-routed, not dropped; when a key is live in two directories, the copy from the
 * directory it belongs in wins.
 */
public final class StoreRepair {
    private static final System.Logger LOG = System.getLogger(StoreRepair.class.getName());

    /** What a repair did and what it could not save. */
    public record Report(Path source, Path output, int shards, long keysCopied, long keysRerouted,
            long duplicatesDropped, long keysWithoutValue, int shardDirsMissing, int keysFilesMissing,
            int keysFilesDamaged, int segmentsMissing, List<String> notes) {
        /** Whether everything the damaged store's files name was saved. */
        public boolean lostNothing() {
            return keysWithoutValue == 0 && shardDirsMissing == 0 && keysFilesMissing == 0 && keysFilesDamaged == 0
                    && segmentsMissing == 0;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append("repaired ").append(source).append(" into ").append(output).append(" (").append(shards)
                    .append(" shards)\n");
            b.append("copied ").append(keysCopied).append(" keys; re-routed ").append(keysRerouted)
                    .append(" found in the wrong shard directory; dropped ").append(duplicatesDropped)
                    .append(" duplicate copies\n");
            b.append("lost: ").append(shardDirsMissing).append(" shard directories, ").append(keysFilesMissing)
                    .append(" keys files missing, ").append(keysFilesDamaged).append(" keys files damaged, ")
                    .append(segmentsMissing).append(" segments missing, ").append(keysWithoutValue)
                    .append(" keys whose values are gone\n");
            for (String n : notes) {
                b.append("  ").append(n).append('\n');
            }
            return b.toString();
        }
    }

    private final Path source;
    private final List<String> notes = new ArrayList<>();
    private long storeId;
    private int shards;
    private long copied;
    private long rerouted;
    private long duplicates;
    private long withoutValue;
    private int shardDirsMissing;
    private int keysFilesMissing;
    private int keysFilesDamaged;
    private int segmentsMissing;

    private StoreRepair(Path source) {
        this.source = source;
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
        StoreRepair r = new StoreRepair(src);
        try (DirectoryLock lock = DirectoryLock.acquire(src)) {
            TreeMap<Integer, Path> dirs = r.shardDirectories();
            r.readManifest(dirs);
            Path scratch = Files.createTempDirectory(out.getParent(), ".toykv-repair-");
            try (Store target = Store.open(out, options.copy().shards(r.shards))) {
                for (int i = 0; i < Math.max(r.shards, dirs.isEmpty() ? 0 : dirs.lastKey() + 1); i++) {
                    r.salvage(i, dirs.get(i), scratch.resolve("shard-" + i), target);
                }
            } finally {
                deleteTree(scratch);
            }
        }
        return new Report(src, out, r.shards, r.copied, r.rerouted, r.duplicates, r.withoutValue, r.shardDirsMissing,
                r.keysFilesMissing, r.keysFilesDamaged, r.segmentsMissing, List.copyOf(r.notes));
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
        } else if (!dirs.isEmpty()) {
            shards = dirs.lastKey() + 1;
            note("store manifest missing or unreadable: " + shards + " shards, as the highest shard directory says");
        } else {
            shards = StoreOptions.defaults().shards();
            note("store manifest missing or unreadable and no shard directories: an empty store of " + shards + " shards");
        }
    }

    /** Copies what shard directory {@code i} ({@code dir}, null when missing) holds into {@code target}. */
    private void salvage(int i, Path dir, Path scratch, Store target) throws IOException {
        String name = FileNames.shardDir(source, i).getFileName().toString();
        if (dir == null) {
            if (i < shards) {
                shardDirsMissing++;
                note(name + ": missing; the keys it held are lost");
            }
            return;
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
        if (identity != null && storeId != 0 && identity.storeId() != storeId) {
            note(name + ": belongs to another store (id " + Long.toHexString(identity.storeId())
                    + "); its keys are copied too");
        }
        copyFiles(dir, scratch);
        ValuesLog values = null;
        try {
            values = ValuesLog.open(scratch, 64 * 1024, StoreOptions.defaults().segmentSize(), 0, new DirectIo(false),
                    FileAllocator.DEFAULT);
        } catch (IOException | RuntimeException e) {
            note(name + ": its values cannot be read (" + e.getMessage() + "); its keys are lost");
        }
        try {
            Map<ByteBuffer, long[]> live = replayKeys(name, dir, scratch, values, identity);
            if (values != null) {
                try {
                    values.finishRecovery();
                } catch (IOException | RuntimeException e) {
                    note(name + ": its buffer could not be recovered (" + e.getMessage() + "); reading what it can");
                }
            }
            copyLive(name, i, live, values, target);
        } finally {
            if (values != null) {
                values.close();
            }
        }
    }

    /**
     * Replays the keys files found, in number order, forgiving: returns each live key's {address,
     * length}, in log order.
     */
    private Map<ByteBuffer, long[]> replayKeys(String name, Path dir, Path scratch, ValuesLog values,
            ShardManifest.Contents identity) throws IOException {
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
        Map<ByteBuffer, long[]> live = new LinkedHashMap<>();
        KeysFile.RecordSink sink = (record, file, offset) -> {
            switch (record.kind()) {
                case KeyRecord.PUT: {
                    String problem = values == null ? null
                            : values.checkBuffered(record.key(), record.address(), record.valueLength());
                    if (problem == null) {
                        live.put(ByteBuffer.wrap(record.key()), new long[] {record.address(), record.valueLength()});
                    }
                    return problem;
                }
                case KeyRecord.DELETE:
                    live.remove(ByteBuffer.wrap(record.key()));
                    return null;
                default:
                    live.clear();
                    return null;
            }
        };
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
                f.recover(sink, n == numbers.last());
            } catch (IOException e) {
                keysFilesDamaged++;
                note(name + ": keys file " + file.getFileName() + " is damaged; its records after the damage are lost ("
                        + e.getMessage() + ")");
            } finally {
                f.unmap();
            }
        }
        return live;
    }

    private void copyLive(String name, int i, Map<ByteBuffer, long[]> live, ValuesLog values, Store target) {
        TreeMap<Long, Integer> lostBySegment = new TreeMap<>();
        long lostHere = 0;
        for (Map.Entry<ByteBuffer, long[]> e : live.entrySet()) {
            byte[] key = e.getKey().array();
            long address = e.getValue()[0];
            int length = (int) e.getValue()[1];
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
            boolean home = ShardRouter.shardOf(key, shards) == i;
            boolean present = target.get(key) != null;
            if (present) {
                duplicates++;
                if (!home) {
                    continue; // the copy from the directory the key belongs in, or the first one found, stays
                }
            }
            try {
                target.put(key, value);
            } catch (IllegalArgumentException tooLarge) {
                lostHere++;
                note(name + ": a key or value exceeds the new store's limits: " + tooLarge.getMessage());
                continue;
            }
            if (!present) {
                copied++;
                rerouted += home ? 0 : 1;
            }
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
                Files.delete(f);
            }
        }
    }
}
