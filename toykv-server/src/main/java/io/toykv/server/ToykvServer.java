package io.toykv.server;

import io.toykv.core.Databases;
import io.toykv.core.StoreOptions;
import io.toykv.server.command.ClientView;
import io.toykv.server.command.Dispatcher;
import io.toykv.server.command.Keyspace;
import io.toykv.server.command.KeyspaceSet;
import io.toykv.server.command.ServerControl;
import io.toykv.server.command.Session;
import io.toykv.server.command.SingleKeyspaceSet;
import io.toykv.server.command.StoreKeyspaceSet;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * A running server: the listening socket, the accept loop, the connections and the store.
 *
 * <p>Close order ({@link #shutdown()}): close the listening socket; stop every reader after its
 * current command; wait (up to {@link ServerConfig#SHUTDOWN_GRACE_MILLIS}) for the writers to flush;
 * close what is left; close the store, which flushes and forces it. {@link #close()} is the same and a
 * second call does nothing.
 */
public final class ToykvServer implements AutoCloseable {
    private static final byte[] MAX_CLIENTS_REPLY =
            "-ERR max number of clients reached\r\n".getBytes(StandardCharsets.US_ASCII);
    /**
     * Rejections (past {@code --max-clients}) in progress at once, each on its own thread; past this a
     * rejected client is closed at once without the error reply, so a flood costs bounded threads.
     */
    static final int MAX_PENDING_REJECTIONS = 64;
    /** How long a rejection waits for the client to read the reply and close before closing it anyway. */
    static final int REJECTION_LINGER_MILLIS = 200;

    private final ServerConfig config;
    private final Keyspace keyspace;
    private final AutoCloseable store;
    private final Log log;
    private final Dispatcher dispatcher;
    private final ServerSocket listener;
    private final ThreadFactory connectionThreads;
    private final ClientMemory clientMemory;
    private final boolean virtualThreads;
    private final long startMillis = System.currentTimeMillis();

    private final Map<Long, Connection> connections = new ConcurrentHashMap<>();
    private final AtomicLong nextClientId = new AtomicLong();
    private final LongAdder totalConnections = new LongAdder();
    private final LongAdder rejectedConnections = new LongAdder();
    private final Semaphore pendingRejections = new Semaphore(MAX_PENDING_REJECTIONS);
    private final ThreadFactory rejectionThreads;
    private final ThrottledLog refusedLog;
    private final ThrottledLog wrongPasswordLog;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch shutdownRequested = new CountDownLatch(1);
    private final Thread acceptor;
    private final Thread watchdog;

    private ToykvServer(ServerConfig config, KeyspaceSet databases, AutoCloseable store, PrintStream logStream)
            throws IOException {
        this.config = config;
        this.keyspace = databases.keyspace(0);
        this.store = store;
        this.log = new Log(logStream, config.quiet());
        this.dispatcher = new Dispatcher(databases, new Control());
        boolean wantVirtual = config.threading() != ServerConfig.Threading.PLATFORM;
        this.virtualThreads = wantVirtual && Threads.virtualAvailable();
        if (config.threading() == ServerConfig.Threading.VIRTUAL && !virtualThreads) {
            log.warn("virtual threads need Java 21 or newer; using platform threads");
        }
        this.connectionThreads = config.connectionThreads() != null
                ? config.connectionThreads()
                : Threads.factory("toykv-client-", virtualThreads);
        this.rejectionThreads = Threads.factory("toykv-reject-", virtualThreads);
        this.refusedLog = new ThrottledLog(log, 1, TimeUnit.SECONDS);
        this.wrongPasswordLog = new ThrottledLog(log, 1, TimeUnit.SECONDS);
        this.clientMemory = new ClientMemory(config.maxMemoryClients(), config.maxOutputBuffer(), log);
        this.listener = new ServerSocket();
        try {
            listener.setReuseAddress(true);
            listener.bind(new InetSocketAddress(InetAddress.getByName(config.bind()), config.port()), 511);
        } catch (IOException e) {
            listener.close();
            throw new IOException("cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        this.acceptor = new Thread(this::acceptLoop, "toykv-accept");
        this.watchdog = new Thread(this::watchLoop, "toykv-watchdog");
        this.watchdog.setDaemon(true);
    }

    /** Opens the store in {@link ServerConfig#dir()} and starts serving. */
    public static ToykvServer start(ServerConfig config) throws IOException {
        return start(config, System.out);
    }

    public static ToykvServer start(ServerConfig config, PrintStream logStream) throws IOException {
        // The store may fail in the background before the server exists: such a failure is fatal too.
        AtomicReference<ToykvServer> started = new AtomicReference<>();
        Log earlyLog = new Log(logStream, config.quiet());
        StoreOptions options = config.storeOptions().onBackgroundFailure(t -> {
            ToykvServer server = started.get();
            if (server != null) {
                server.fatal("store thread " + Thread.currentThread().getName() + " failed", t);
            } else {
                fatal(config, earlyLog, "store thread " + Thread.currentThread().getName() + " failed", t, null);
            }
        });
        Databases store = Databases.open(config.dir(), options, config.databases());
        try {
            ToykvServer server = new ToykvServer(config, new StoreKeyspaceSet(store, options), store, logStream);
            server.serve();
            started.set(server);
            return server;
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** Serves {@code keyspace}; {@code store} is closed at shutdown. For tests that inject faults. */
    public static ToykvServer start(ServerConfig config, Keyspace keyspace, AutoCloseable store, PrintStream logStream)
            throws IOException {
        ToykvServer server = new ToykvServer(config, new SingleKeyspaceSet(keyspace), store, logStream);
        server.serve();
        return server;
    }

    private void serve() {
        announce();
        acceptor.start();
        watchdog.start();
    }

    private void announce() {
        String mode = switch (config.storeOptions().syncMode()) {
            case ALWAYS -> "always";
            case EVERY_SECOND -> "everysec";
            case NEVER -> "no";
        };
        log.info("toykv-server " + ServerMain.version() + " listening on " + config.bind() + ":" + port()
                + ", data in " + config.dir().toAbsolutePath().normalize() + " (" + keyspace.size() + " keys), sync "
                + mode + ", "
                + (virtualThreads ? "virtual threads (carriers: " + Threads.carriers() + ")" : "platform threads")
                + ", pid "
                + ProcessHandle.current().pid());
        if (config.requirePass() == null && !isLoopback(config.bind())) {
            log.warn("listening on " + config.bind() + " without --requirepass: anyone who can reach this address "
                    + "can read and change every key");
        }
    }

    private static boolean isLoopback(String bind) {
        try {
            return InetAddress.getByName(bind).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    /** The port actually listened on (useful with port 0). */
    public int port() {
        return listener.getLocalPort();
    }

    public ServerConfig config() {
        return config;
    }

    Log log() {
        return log;
    }

    ClientMemory clientMemory() {
        return clientMemory;
    }

    boolean stopping() {
        return stopping.get();
    }

    /** Number of connected clients. */
    public int clients() {
        return connections.size();
    }

    /** Blocks until a client sent SHUTDOWN or {@link #shutdown()} began. */
    public void awaitShutdownRequest() throws InterruptedException {
        shutdownRequested.await();
    }

    /** Accepts until shutdown; anything but a failed accept or set-up of one connection is fatal. */
    private void acceptLoop() {
        try {
            while (!stopping.get()) {
                Socket socket;
                try {
                    socket = listener.accept();
                } catch (IOException e) {
                    if (!stopping.get()) {
                        log.warn("accept failed: " + e.getMessage());
                        sleepQuietly(100);
                    }
                    continue;
                }
                try {
                    accept(socket);
                } catch (IOException | RuntimeException e) {
                    log.warn("could not set up a connection from " + socket.getRemoteSocketAddress() + ": " + e);
                    closeQuietly(socket);
                }
            }
        } catch (Throwable t) {
            // A server whose port is open but accepts nothing is worse than none.
            fatal("the accept thread failed", t);
        }
    }

    /** Every few milliseconds, gives a new reader to each connection whose writer is stuck. */
    private void watchLoop() {
        try {
            while (stopped.getCount() > 0) {
                long now = System.nanoTime();
                for (Connection c : connections.values()) {
                    c.checkStalled(now);
                }
                sleepQuietly(5);
            }
        } catch (Throwable t) {
            fatal("the watchdog thread failed", t);
        }
    }

    /**
     * A failure the server cannot go on after (an Error in one of its threads, a background failure of
     * the store): logged, then {@link ServerConfig#fatalAction()} (the process: halt, exit status
     * {@link ServerMain#EXIT_FATAL}), or a shutdown if there is none.
     */
    void fatal(String what, Throwable t) {
        fatal(config, log, what, t, this);
    }

    private static void fatal(ServerConfig config, Log log, String what, Throwable t, ToykvServer server) {
        log.fatal(what, t);
        Runnable action = config.fatalAction();
        if (action != null) {
            action.run();
        } else if (server != null && !server.stopping.get()) {
            new Thread(server::shutdown, "toykv-shutdown").start();
        }
    }

    private void accept(Socket socket) throws IOException {
        totalConnections.increment();
        if (connections.size() >= config.maxClients()) {
            reject(socket);
            return;
        }
        socket.setTcpNoDelay(true);
        socket.setKeepAlive(true);
        socket.setSoTimeout(config.timeoutSeconds() * 1000);
        long id = nextClientId.incrementAndGet();
        String address = socket.getInetAddress().getHostAddress() + ":" + socket.getPort();
        Session session = new Session(id, address, config.requirePass() == null);
        session.localAddress(socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort());
        Connection connection = new Connection(
                this, socket, session, dispatcher, config.limits(), config.maxOutputBuffer(), connectionThreads);
        connections.put(id, connection);
        log.info("client(" + id + ") connected from " + address);
        if (stopping.get()) {
            connection.stopReading();
        }
        try {
            connection.start();
        } catch (RuntimeException | OutOfMemoryError e) {
            // No thread for it (platform threads past the OS's limit: "unable to create native thread"):
            // this client is refused, not the server ended. The close takes it out of the connections
            // (and max-clients) and closes its memory account.
            refusedLog.warn("client(" + id + ") refused: its thread could not be started: " + e);
            connection.forceClose("its thread could not be started: " + e);
        }
    }

    /**
     * Refuses a client past {@code --max-clients} without waiting on it: the reply is sent by a thread
     * of its own, or, when {@link #MAX_PENDING_REJECTIONS} are already under way, the client is closed
     * without it. The accept loop only counts, logs (throttled) and hands over.
     */
    private void reject(Socket socket) {
        rejectedConnections.increment();
        refusedLog.warn("refused " + socket.getRemoteSocketAddress() + ": max number of clients reached ("
                + config.maxClients() + ")");
        if (!pendingRejections.tryAcquire()) {
            closeQuietly(socket);
            return;
        }
        try {
            rejectionThreads
                    .newThread(() -> {
                        try {
                            sendRejection(socket);
                        } finally {
                            pendingRejections.release();
                        }
                    })
                    .start();
        } catch (RuntimeException | OutOfMemoryError e) { // no thread to be had: close without the reply
            pendingRejections.release();
            closeQuietly(socket);
        }
    }

    /**
     * Writes the error, then closes gracefully within {@link #REJECTION_LINGER_MILLIS}: end of stream
     * after the reply, then read and drop what the client sent (its first command, typically) until it
     * closes. Closing with unread input would reset the connection, and a reset can discard the reply
     * before the client reads it. The socket is new, so its send buffer takes the few bytes at once.
     */
    private static void sendRejection(Socket socket) {
        try {
            socket.getOutputStream().write(MAX_CLIENTS_REPLY);
            socket.shutdownOutput();
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(REJECTION_LINGER_MILLIS);
            InputStream in = socket.getInputStream();
            byte[] drain = new byte[4096];
            for (int total = 0; total < 64 * 1024; ) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left < 1) {
                    break;
                }
                socket.setSoTimeout((int) left);
                int n = in.read(drain);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            // Timed out, or the client reset: it had its chance to read the reply.
        } finally {
            closeQuietly(socket);
        }
    }

    void connectionClosed(Connection connection, String reason) {
        if (connections.remove(connection.session().id()) != null) {
            log.info("client(" + connection.session().id() + ") disconnected: " + reason);
        }
    }

    /** Starts {@link #shutdown()} on its own thread (for SHUTDOWN, which runs on a connection thread). */
    void requestShutdown(String reason) {
        if (shutdownRequested.getCount() == 0) {
            return;
        }
        log.info("shutdown requested: " + reason);
        Thread t = new Thread(this::shutdown, "toykv-shutdown");
        t.start();
    }

    /** Stops the server and closes the store; returns when done. Idempotent and safe to call concurrently. */
    public void shutdown() {
        if (!stopping.compareAndSet(false, true)) {
            try {
                stopped.await(ServerConfig.SHUTDOWN_GRACE_MILLIS * 2, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return;
        }
        shutdownRequested.countDown();
        try {
            closeQuietly(listener);
            for (Connection c : connections.values()) {
                c.stopReading();
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ServerConfig.SHUTDOWN_GRACE_MILLIS);
            for (Connection c : connections.values()) {
                try {
                    if (!c.awaitClosed(deadline)) {
                        log.warn("client(" + c.session().id() + ") did not finish in time; closing it");
                        c.forceClose("server shut down");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    c.forceClose("server shut down");
                }
            }
            try {
                acceptor.join(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            long keys = -1;
            try {
                keyspace.sync();
                keys = keyspace.size();
            } catch (RuntimeException e) {
                log.warn("final sync failed: " + e);
            }
            try {
                store.close();
            } catch (Exception e) {
                log.warn("closing the store failed: " + e);
            }
            log.info("server stopped; store closed" + (keys >= 0 ? " with " + keys + " keys" : ""));
        } finally {
            stopped.countDown();
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // Closing after a failure: nothing more to do.
        }
    }

    /** What the commands may see of the server. */
    private final class Control implements ServerControl {
        @Override
        public String requirePass() {
            return config.requirePass();
        }

        @Override
        public Map<String, String> config() {
            Map<String, String> m = new LinkedHashMap<>();
            StoreOptions o = config.storeOptions();
            m.put("bind", config.bind());
            m.put("port", Integer.toString(port()));
            m.put("dir", config.dir().toAbsolutePath().normalize().toString());
            m.put("maxclients", Integer.toString(config.maxClients()));
            m.put("timeout", Integer.toString(config.timeoutSeconds()));
            m.put("databases", Integer.toString(config.databases()));
            m.put("save", "");
            m.put("appendonly", "yes");
            m.put(
                    "appendfsync",
                    switch (o.syncMode()) {
                        case ALWAYS -> "always";
                        case EVERY_SECOND -> "everysec";
                        case NEVER -> "no";
                    });
            m.put("proto-max-bulk-len", Integer.toString(config.limits().maxBulkLength()));
            m.put("client-query-buffer-limit", Long.toString(config.limits().maxRequestBytes()));
            m.put("client-output-buffer-limit", "normal " + config.maxOutputBuffer() + " 0 0");
            m.put("maxmemory-clients", Long.toString(clientMemory.budget()));
            m.put("maxmemory", "0");
            m.put("requirepass", config.requirePass() == null ? "" : "********");
            return m;
        }

        @Override
        public Map<String, Object> serverInfo() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("toykv_version", ServerMain.version());
            m.put(
                    "os",
                    System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                            + System.getProperty("os.arch"));
            m.put("java_version", System.getProperty("java.version"));
            m.put("thread_model", virtualThreads ? "virtual" : "platform");
            m.put("process_id", ProcessHandle.current().pid());
            m.put("tcp_port", port());
            long uptime = (System.currentTimeMillis() - startMillis) / 1000;
            m.put("uptime_in_seconds", uptime);
            m.put("uptime_in_days", uptime / 86400);
            return m;
        }

        @Override
        public Map<String, Object> clientsInfo() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("connected_clients", connections.size());
            m.put("maxclients", config.maxClients());
            m.put("client_buffers_bytes", clientMemory.used());
            m.put("maxmemory_clients", clientMemory.budget());
            return m;
        }

        @Override
        public Map<String, Object> statsInfo() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("total_connections_received", totalConnections.sum());
            m.put("rejected_connections", rejectedConnections.sum());
            m.put("evicted_clients", clientMemory.evictedClients());
            return m;
        }

        @Override
        public void requestShutdown(String reason) {
            ToykvServer.this.requestShutdown(reason);
        }

        @Override
        public boolean verbose() {
            return config.verbose();
        }

        @Override
        public void wrongPassword(Session session, String command) {
            wrongPasswordLog.warn(
                    "client(" + session.id() + ") from " + session.address() + ": wrong password (" + command + ")");
        }

        @Override
        public void log(String line) {
            log.info(line);
        }

        @Override
        public java.util.Collection<? extends ClientView> clients() {
            return connections.values();
        }
    }
}
