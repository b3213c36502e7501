package io.toykv.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Path;

/**
 * The server the process tests talk to: the real toykv-server when it is on the test classpath (it is
 * a test-scoped dependency once the server lands on main), started in this JVM on an ephemeral port
 * with its data in a temp directory; otherwise {@link FakeRespServer}. The real one is reached by
 * reflection so that this file compiles either way.
 */
final class TestServer implements AutoCloseable {
    private static final String SERVER_CLASS = "io.toykv.server.ToykvServer";
    private static final String CONFIG_CLASS = "io.toykv.server.ServerConfig";

    private final AutoCloseable server;
    private final int port;
    final boolean real;

    private TestServer(AutoCloseable server, int port, boolean real) {
        this.server = server;
        this.port = port;
        this.real = real;
    }

    static TestServer start(Path dataDir) throws Exception {
        Class<?> serverClass;
        try {
            serverClass = Class.forName(SERVER_CLASS);
        } catch (ClassNotFoundException e) {
            FakeRespServer fake = new FakeRespServer();
            return new TestServer(fake, fake.port(), false);
        }
        Class<?> configClass = Class.forName(CONFIG_CLASS);
        Object config = configClass.getConstructor().newInstance();
        config = configClass.getMethod("port", int.class).invoke(config, 0);
        config = configClass.getMethod("dir", Path.class).invoke(config, dataDir);
        config = configClass.getMethod("quiet", boolean.class).invoke(config, true);
        PrintStream silent = new PrintStream(OutputStream.nullOutputStream());
        Object server =
                serverClass.getMethod("start", configClass, PrintStream.class).invoke(null, config, silent);
        Method port = serverClass.getMethod("port");
        return new TestServer((AutoCloseable) server, (Integer) port.invoke(server), true);
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
