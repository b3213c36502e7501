package io.toykv.bench.ycsb;

import io.toykv.bench.engine.EngineKind;

/** YCSB binding for RocksDB JNI with default options: {@code -db io.toykv.bench.ycsb.RocksDbClient -p toykv.dir=...}. */
public final class RocksDbClient extends KvClient {
    @Override
    protected EngineKind kind() {
        return EngineKind.ROCKSDB;
    }
}
