package io.toykv.bench.ycsb;

import io.toykv.bench.engine.EngineKind;

/** YCSB binding for RocksDB JNI with enable_blob_files: {@code -db io.toykv.bench.ycsb.RocksDbBlobClient -p toykv.dir=...}. */
public final class RocksDbBlobClient extends KvClient {
    @Override
    protected EngineKind kind() {
        return EngineKind.ROCKSDB_BLOB;
    }
}
