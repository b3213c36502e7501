package io.toykv.server;

import io.toykv.core.StoreOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

/** Servers for tests: a real store with small files in a temp directory, any free loopback port. */
final class TestServers {
    private TestServers() {}

    static StoreOptions smallStore() {
        return StoreOptions.defaults()
                .shards(2)
                .maxValueSize(64 * 1024)
                .bufferSize(1 << 20)
                .segmentSize(4 << 20)
                .keysFileSize(1 << 20);
    }

    static ServerConfig config(Path dir) {
        return new ServerConfig().port(0).dir(dir).storeOptions(smallStore()).quiet(true);
    }

    static ToykvServer start(Path dir) throws IOException {
        return start(config(dir));
    }

    static ToykvServer start(ServerConfig config) throws IOException {
        return ToykvServer.start(config, new PrintStream(OutputStream.nullOutputStream()));
    }
}
