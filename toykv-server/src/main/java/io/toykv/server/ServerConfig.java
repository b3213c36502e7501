package io.toykv.server;

import io.toykv.core.StoreOptions;
import io.toykv.resp.RespLimits;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Everything the server needs to start. Setters return {@code this}; {@link ServerMain} fills it from
 * the command line, tests directly.
 */
public final class ServerConfig {
    public static final int DEFAULT_PORT = 8888;
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_MAX_CLIENTS = 10_000;
    /** Replies waiting for a client that does not read, past which it is disconnected. */
    public static final long DEFAULT_MAX_OUTPUT_BUFFER = 256L << 20;
    /** How long shutdown waits for connections to finish their command and flush their replies. */
    public static final long SHUTDOWN_GRACE_MILLIS = 10_000;

    public enum Threading {
        AUTO,
        VIRTUAL,
        PLATFORM
    }

    private String bind = DEFAULT_BIND;
    private int port = DEFAULT_PORT;
    private Path dir = Path.of("toydb");
    private StoreOptions storeOptions = StoreOptions.defaults();
    private int maxClients = DEFAULT_MAX_CLIENTS;
    private int timeoutSeconds;
    private int databases = io.toykv.core.Databases.DEFAULT_COUNT;
    private String requirePass;
    private boolean verbose;
    private boolean quiet;
    /** Null: {@link #maxOutputBuffer()}'s default. */
    private Long maxOutputBuffer;

    private Threading threading = Threading.AUTO;
    private int maxInlineLength = RespLimits.DEFAULT_MAX_INLINE_LENGTH;
    private int maxArgs = RespLimits.DEFAULT_MAX_ARGS;
    private Runnable fatalAction;
    private java.util.concurrent.ThreadFactory connectionThreads;
    private long maxMemoryClients = ClientMemory.defaultBudget();
    private long clientQueryBufferLimit = RespLimits.DEFAULT_MAX_REQUEST_BYTES;

    public ServerConfig bind(String bind) {
        this.bind = Objects.requireNonNull(bind, "bind");
        return this;
    }

    public ServerConfig port(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
        }
        this.port = port;
        return this;
    }

    public ServerConfig dir(Path dir) {
        this.dir = Objects.requireNonNull(dir, "dir");
        return this;
    }

    public ServerConfig storeOptions(StoreOptions options) {
        this.storeOptions = Objects.requireNonNull(options, "options").copy();
        return this;
    }

    public ServerConfig maxClients(int maxClients) {
        if (maxClients < 1) {
            throw new IllegalArgumentException("maxClients must be positive, was " + maxClients);
        }
        this.maxClients = maxClients;
        return this;
    }

    /** Number of databases, SELECT's 0..n-1 (Redis's {@code databases}). */
    public ServerConfig databases(int databases) {
        if (databases < 1 || databases > io.toykv.core.Databases.MAX_COUNT) {
            throw new IllegalArgumentException(
                    "databases must be 1.." + io.toykv.core.Databases.MAX_COUNT + ", was " + databases);
        }
        this.databases = databases;
        return this;
    }

    public int databases() {
        return databases;
    }

    /** Seconds a client may stay idle before it is disconnected; 0 never. */
    public ServerConfig timeoutSeconds(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("timeout must not be negative, was " + seconds);
        }
        this.timeoutSeconds = seconds;
        return this;
    }

    /** The password clients must AUTH with; null or empty for none. */
    public ServerConfig requirePass(String password) {
        this.requirePass = password == null || password.isEmpty() ? null : password;
        return this;
    }

    public ServerConfig verbose(boolean verbose) {
        this.verbose = verbose;
        return this;
    }

    /** No informational log lines (tests); warnings still print. */
    public ServerConfig quiet(boolean quiet) {
        this.quiet = quiet;
        return this;
    }

    public ServerConfig maxOutputBuffer(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxOutputBuffer must be positive, was " + bytes);
        }
        this.maxOutputBuffer = bytes;
        return this;
    }

    public ServerConfig threading(Threading threading) {
        this.threading = Objects.requireNonNull(threading, "threading");
        return this;
    }

    public ServerConfig maxInlineLength(int bytes) {
        this.maxInlineLength = bytes;
        return this;
    }

    public ServerConfig maxArgs(int args) {
        this.maxArgs = args;
        return this;
    }

    public String bind() {
        return bind;
    }

    public int port() {
        return port;
    }

    public Path dir() {
        return dir;
    }

    public StoreOptions storeOptions() {
        return storeOptions.copy();
    }

    public int maxClients() {
        return maxClients;
    }

    public int timeoutSeconds() {
        return timeoutSeconds;
    }

    public String requirePass() {
        return requirePass;
    }

    public boolean verbose() {
        return verbose;
    }

    public boolean quiet() {
        return quiet;
    }

    /**
     * Bytes of replies a client may leave unread ({@code client-output-buffer-limit}). Default
     * {@link #DEFAULT_MAX_OUTPUT_BUFFER}, or enough for one reply of the longest bulk string if that
     * is more, so that a GET of any value the store accepts can be answered; a limit set explicitly is
     * kept as it is.
     */
    public long maxOutputBuffer() {
        return maxOutputBuffer != null
                ? maxOutputBuffer
                : Math.max(DEFAULT_MAX_OUTPUT_BUFFER, limits().maxBulkLength() + REPLY_FRAMING);
    }

    /** Room for a bulk reply's header and CRLF, and a few small replies pipelined with it. */
    private static final long REPLY_FRAMING = 1024;

    public Threading threading() {
        return threading;
    }

    /**
     * What runs after a fatal failure was logged (an Error in any server thread, a background failure
     * of the store): {@link ServerMain} halts the process with {@link ServerMain#EXIT_FATAL}. Null (the
     * default, for servers inside tests): the server shuts down.
     */
    public ServerConfig fatalAction(Runnable action) {
        this.fatalAction = action;
        return this;
    }

    public Runnable fatalAction() {
        return fatalAction;
    }

    /** Makes the connections' threads instead of the {@link #threading()} default; for tests. */
    ServerConfig connectionThreads(java.util.concurrent.ThreadFactory factory) {
        this.connectionThreads = factory;
        return this;
    }

    java.util.concurrent.ThreadFactory connectionThreads() {
        return connectionThreads;
    }

    /**
     * Bytes all clients' query and reply buffers may hold together ({@code maxmemory-clients}); past it
     * the clients with the largest buffers are evicted. Default: an eighth of the JVM's largest heap.
     */
    public ServerConfig maxMemoryClients(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("maxmemory-clients must be positive, was " + bytes);
        }
        this.maxMemoryClients = bytes;
        return this;
    }

    public long maxMemoryClients() {
        return maxMemoryClients;
    }

    /**
     * Most bytes one request may hold ({@code client-query-buffer-limit}); raised to fit two arguments of
     * the largest value, so that any SET the store accepts fits. Default 256 MiB.
     */
    public ServerConfig clientQueryBufferLimit(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("client-query-buffer-limit must be positive, was " + bytes);
        }
        this.clientQueryBufferLimit = bytes;
        return this;
    }

    /**
     * The parser limits: the longest bulk string is the larger of the store's key and value limits,
     * so any key or value the store accepts fits, and anything longer is refused before it is read.
     */
    public RespLimits limits() {
        int maxBulk = Math.max(storeOptions.maxValueSize(), storeOptions.maxKeySize());
        long maxRequest = Math.max(clientQueryBufferLimit, 2L * maxBulk + REPLY_FRAMING);
        return new RespLimits(maxArgs, maxBulk, maxInlineLength, maxRequest);
    }
}
