package io.toykv.server;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A test whose every method starts with a fresh server over an empty directory and one client of it. */
abstract class ServerTest {
    @TempDir
    Path dir;

    ToykvServer server;
    RespClient c;

    @BeforeEach
    void startServer() throws IOException {
        server = TestServers.start(dir);
        c = new RespClient(server.port());
    }

    @AfterEach
    void stopServer() {
        c.close();
        server.close();
    }
}
