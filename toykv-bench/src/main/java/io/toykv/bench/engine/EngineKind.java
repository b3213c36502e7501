package io.toykv.bench.engine;

import java.io.IOException;
import java.nio.file.Path;

/** The engines a run can compare, by the name used on the command line and in the CSV. */
public enum EngineKind {
    /** toykv with its default options apart from the sync mode. */
    TOYKV("toykv"),
    /** RocksDB JNI with default options. The yardstick every ratio is taken against. */
    ROCKSDB("rocksdb"),
    /** RocksDB JNI with its key-value separation on ({@code enable_blob_files}, min_blob_size 0). */
    ROCKSDB_BLOB("rocksdb-blob");

    private final String label;

    EngineKind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** Opens (creating if needed) a store of this kind in {@code dir}. */
    public Engine open(Path dir, Durability durability) throws IOException {
        return switch (this) {
            case TOYKV -> ToykvEngine.open(dir, durability);
            case ROCKSDB -> RocksDbEngine.open(dir, durability, false);
            case ROCKSDB_BLOB -> RocksDbEngine.open(dir, durability, true);
        };
    }

    public static EngineKind parse(String s) {
        for (EngineKind k : values()) {
            if (k.label.equalsIgnoreCase(s)) {
                return k;
            }
        }
        throw new IllegalArgumentException("engine must be toykv, rocksdb or rocksdb-blob, was " + s);
    }
}
