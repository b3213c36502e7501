package io.toykv.core.io;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Every file name the store uses, in one place. The layout is described in {@code docs/FORMAT.md}:
 *
 * <pre>
 * dir/LOCK                      held with an OS file lock while a process has the store open
 * dir/toykv.meta                store manifest: format version and shard count
 * dir/batches.log               commit records of atomic batches
 * dir/journal.log               the commit journal of SyncMode.ALWAYS (created when first opened so)
 * dir/shard-000/values.b        the staging buffer (memory-mapped)
 * dir/shard-000/00000001.k      keys-log files, replayed in number order at open
 * dir/shard-000/00000001.v      values-log segments, numbered from 1
 * dir/shard-000/rewrite-0.k.tmp a keys-log rewrite's file before it is numbered (deleted at open)
 * </pre>
 */
public final class FileNames {
    public static final String LOCK = "LOCK";
    public static final String MANIFEST = "toykv.meta";
    public static final String BUFFER = "values.b";
    public static final String BATCH_COMMITS = "batches.log";
    public static final String JOURNAL = "journal.log";
    public static final String KEYS_SUFFIX = ".k";
    public static final String SEGMENT_SUFFIX = ".v";
    public static final String TEMP_SUFFIX = ".tmp";

    private FileNames() {}

    public static Path shardDir(Path storeDir, int shard) {
        return storeDir.resolve(String.format(Locale.ROOT, "shard-%03d", shard));
    }

    public static Path batchCommits(Path storeDir) {
        return storeDir.resolve(BATCH_COMMITS);
    }

    public static Path journal(Path storeDir) {
        return storeDir.resolve(JOURNAL);
    }

    public static Path buffer(Path shardDir) {
        return shardDir.resolve(BUFFER);
    }

    public static Path keysFile(Path shardDir, long number) {
        return shardDir.resolve(String.format(Locale.ROOT, "%08d%s", number, KEYS_SUFFIX));
    }

    public static Path segment(Path shardDir, long id) {
        return shardDir.resolve(String.format(Locale.ROOT, "%08d%s", id, SEGMENT_SUFFIX));
    }

    /** The {@code i}th file of a keys-log rewrite in progress, named only once it is complete. */
    public static Path keysRewriteFile(Path shardDir, int i) {
        return temp(shardDir.resolve("rewrite-" + i + KEYS_SUFFIX));
    }

    public static Path temp(Path file) {
        return file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
    }

    /** The number in a keys-log file name, or -1 when the name is not one. */
    public static long parseKeysFile(String name) {
        return parseNumbered(name, KEYS_SUFFIX);
    }

    /** The id in a segment file name, or -1 when the name is not one. */
    public static long parseSegment(String name) {
        return parseNumbered(name, SEGMENT_SUFFIX);
    }

    /**
     * The number in {@code %08d} + suffix: eight digits, or up to ten without a leading zero (segment ids
     * go to 2^32-1), so that each number has one name.
     */
    private static long parseNumbered(String name, String suffix) {
        int digits = name.length() - suffix.length();
        if (!name.endsWith(suffix) || digits < 8 || digits > 10 || (digits > 8 && name.charAt(0) == '0')) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < digits; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
