package io.toykv.bench.ycsb;

import io.toykv.bench.engine.EngineKind;

/** YCSB binding for toykv, with its default options apart from the sync mode: {@code -db io.toykv.bench.ycsb.ToykvClient -p toykv.dir=...}. */
public final class ToykvClient extends KvClient {
    @Override
    protected EngineKind kind() {
        return EngineKind.TOYKV;
    }
}
