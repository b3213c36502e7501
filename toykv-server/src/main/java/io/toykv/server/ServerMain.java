package io.toykv.server;

import io.toykv.core.Databases;
import io.toykv.core.StoreOptions;
import io.toykv.core.SyncMode;
import io.toykv.resp.RespLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code toykv-server}: the process's options, then start, wait for a stop, exit 0. */
@Command(
        name = "toykv-server",
        mixinStandardHelpOptions = true,
        versionProvider = ServerMain.Version.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description = "Serves a toykv store over the Redis protocol (RESP2/RESP3).",
        footer = {
            "",
            "Environment: SERVER_PORT and DB_DIR set the port and directory, TOYKV_REQUIREPASS the password.",
            "Precedence: options, then the environment, then the --config file, then the defaults. The password: "
                    + "--requirepass or --requirepass-file (not both), else TOYKV_REQUIREPASS, else the file's "
                    + "requirepass."
        })
public final class ServerMain implements Callable<Integer> {

    enum Sync {
        always,
        everysec,
        no
    }

    static final String PASSWORD_VARIABLE = "TOYKV_REQUIREPASS";

    @Option(
            names = "--config",
            paramLabel = "FILE",
            description = "Read settings from FILE, in redis.conf's syntax (name value; # comments; \"quoted\" "
                    + "values): port, bind, dir, maxclients, timeout, requirepass, appendfsync, and every option "
                    + "below by its name without the dashes (segment-size 16, verbose yes). An unknown name is an "
                    + "error. Options and the environment win over the file.")
    Path configFile;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "${env:SERVER_PORT:-" + ServerConfig.DEFAULT_PORT + "}",
            description = "TCP port (0: any free port). Default: $SERVER_PORT or " + ServerConfig.DEFAULT_PORT + ".")
    int port;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = "${env:DB_DIR:-./toydb}",
            description = "Data directory, created if missing. Default: $DB_DIR or ./toydb.")
    Path dir;

    @Option(
            names = "--bind",
            paramLabel = "ADDR",
            defaultValue = ServerConfig.DEFAULT_BIND,
            description = "Address to listen on. Default: ${DEFAULT-VALUE}.")
    String bind;

    @Option(
            names = "--sync",
            paramLabel = "MODE",
            defaultValue = "everysec",
            description = "When writes are forced to the device: always, everysec or no. Default: ${DEFAULT-VALUE}.")
    Sync sync;

    @Option(
            names = "--max-clients",
            paramLabel = "N",
            defaultValue = "" + ServerConfig.DEFAULT_MAX_CLIENTS,
            description = "Most connected clients; past it new ones get an error. Default: ${DEFAULT-VALUE}.")
    int maxClients;

    @Option(
            names = "--databases",
            paramLabel = "N",
            defaultValue = "" + Databases.DEFAULT_COUNT,
            description = "Number of databases (SELECT 0 to N-1). Default: ${DEFAULT-VALUE}.")
    int databases;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "0",
            description = "Close clients idle this long; 0 never. Default: ${DEFAULT-VALUE}.")
    int timeout;

    @Option(
            names = "--requirepass",
            paramLabel = "PASSWORD",
            description = "Require AUTH with this password (default user). Other local users can see it (ps): "
                    + "prefer --requirepass-file or $" + PASSWORD_VARIABLE + ".")
    String requirePass;

    @Option(
            names = "--requirepass-file",
            paramLabel = "FILE",
            description = "Require AUTH with the password on the first line of FILE (a warning if others may read it).")
    Path requirePassFile;

    @Option(names = "--verbose", description = "Log every operation, e.g. client(7) put (k1, v1).")
    boolean verbose;

    @Option(
            names = "--shards",
            paramLabel = "N",
            description = "Shards of a new store (1-256). Default: " + StoreOptions.DEFAULT_SHARDS + ".")
    Integer shards;

    @Option(
            names = "--max-key-size",
            paramLabel = "BYTES",
            defaultValue = "" + StoreOptions.DEFAULT_MAX_KEY_SIZE,
            description = "Largest key. Default: ${DEFAULT-VALUE}.")
    int maxKeySize;

    @Option(
            names = "--max-value-size",
            paramLabel = "BYTES",
            defaultValue = "" + StoreOptions.DEFAULT_MAX_VALUE_SIZE,
            description = "Largest value (512 MiB by default, as Redis's proto-max-bulk-len); also the largest "
                    + "bulk string a request may carry. Values past 1 MiB are written to files of their own. "
                    + "Default: ${DEFAULT-VALUE}.")
    int maxValueSize;

    @Option(names = "--no-direct-io", description = "Write values with buffered I/O instead of O_DIRECT.")
    boolean noDirectIo;

    @Option(
            names = "--threads",
            paramLabel = "KIND",
            defaultValue = "auto",
            description = "Connection threads: auto (virtual when available), virtual or platform. "
                    + "Default: ${DEFAULT-VALUE}.")
    ServerConfig.Threading threads;

    @Option(
            names = "--carrier-threads",
            paramLabel = "N",
            description = "Virtual threads only: how many platform threads run them. Default: the JVM's "
                    + "(-Djdk.virtualThreadScheduler.parallelism, else one per CPU).")
    Integer carrierThreads;

    @Option(
            names = "--max-output-buffer",
            paramLabel = "MIB",
            description = "Disconnect a client whose unread replies exceed this many MiB. Default: "
                    + (ServerConfig.DEFAULT_MAX_OUTPUT_BUFFER >> 20)
                    + ", or enough for one reply of the largest value (--max-value-size) if that is more.")
    Long maxOutputMib;

    @Option(
            names = "--client-output-buffer-limit",
            paramLabel = "SIZE",
            description = "Same as --max-output-buffer in Redis's units (bytes, 64mb, 1gb); wins over it, unless "
                    + "only this comes from the config file. A reply that would pass it closes the client.")
    String clientOutputBufferLimit;

    @Option(
            names = "--client-query-buffer-limit",
            paramLabel = "SIZE",
            description = "Largest request in bytes (e.g. 256mb); past it the client gets a protocol error and "
                    + "is closed. Default: " + (RespLimits.DEFAULT_MAX_REQUEST_BYTES >> 20) + "mb; raised to fit "
                    + "two values of --max-value-size (1 GiB at the default).")
    String clientQueryBufferLimit;

    @Option(
            names = "--maxmemory-clients",
            paramLabel = "SIZE",
            description = "Most memory all clients' query and reply buffers may hold together, as bytes (64mb) or "
                    + "a share of the heap (25%%); past it the clients with the largest buffers are disconnected. "
                    + "Default: an eighth of the heap (-Xmx).")
    String maxMemoryClients;

    @Option(
            names = "--segment-size",
            paramLabel = "MIB",
            description = "Size of a values-log segment, 1-2047 MiB, and at least the staging buffer, which "
                    + "holds values up to 1 MiB (longer ones get files of their own): so 2 or more at the default "
                    + "--max-value-size; 1 needs --max-value-size 1048568 or less. Default: "
                    + (StoreOptions.DEFAULT_SEGMENT_SIZE >> 20)
                    + ". A store that will hold terabytes wants larger ones (README, Limitations).")
    Integer segmentMib;

    @Option(
            names = "--gc-space-target",
            paramLabel = "RATIO",
            description = "Garbage collection keeps the values log under this many bytes per live byte "
                    + "(at least 1). Default: " + StoreOptions.DEFAULT_GC_SPACE_TARGET + ".")
    Double gcSpaceTarget;

    @Option(
            names = "--gc-threads",
            paramLabel = "N",
            description = "Background garbage-collection threads, 1-" + StoreOptions.MAX_SHARDS
                    + " (at most one a shard runs). Default: " + StoreOptions.DEFAULT_GC_THREADS + ".")
    Integer gcThreads;

    @Option(
            names = "--no-auto-gc",
            description = "Turn background garbage collection off (for measurements): overwritten and "
                    + "deleted values then keep their space.")
    boolean noAutoGc;

    @Spec
    CommandSpec spec;

    /** The environment (tests replace it). */
    Function<String, String> env = System::getenv;
    /** Warnings about the configuration, printed before the server starts. */
    final List<String> warnings = new ArrayList<>();
    /** The configuration file's settings by option name, read once {@link #config()} is first called. */
    private final ConfigDefaults fileDefaults = new ConfigDefaults(name -> env.apply(name), ServerMain::commandLine);

    private boolean fileRead;
    /** Exit status after a fatal failure (EX_SOFTWARE): a supervisor restarts the server. */
    public static final int EXIT_FATAL = 70;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        ServerMain main = new ServerMain();
        return new CommandLine(main)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setDefaultValueProvider(main.fileDefaults);
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        ServerConfig config = config().fatalAction(() -> Runtime.getRuntime().halt(EXIT_FATAL));
        Log log = new Log(System.out, false);
        warnings.forEach(log::warn);
        // A thread that dies of anything uncaught takes the process with it: never half-dead.
        Thread.setDefaultUncaughtExceptionHandler(ServerMain::uncaught);
        check("--carrier-threads", () -> Threads.configureCarriers(carrierThreads)); // before any virtual thread exists
        ToykvServer server;
        try {
            server = ToykvServer.start(config);
        } catch (IOException | RuntimeException e) {
            System.err.println("toykv-server: " + e.getMessage());
            return 1;
        }
        // SIGTERM/SIGINT: shut down and exit 0. The hook covers any other way out (System.exit, SIGHUP).
        Signals.onTermination(() -> {
            haltIfStillRunningAfter(SHUTDOWN_DEADLINE_MILLIS);
            server.shutdown();
            System.exit(0);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "toykv-shutdown-hook"));
        server.awaitShutdownRequest();
        server.shutdown();
        return 0;
    }

    /**
     * A shutdown that has not ended the process by then (a store that does not close, a JVM short of
     * memory) ends in a halt with {@link #EXIT_FATAL}: SIGTERM always stops the server.
     */
    static final long SHUTDOWN_DEADLINE_MILLIS = 3 * ServerConfig.SHUTDOWN_GRACE_MILLIS;

    private static void haltIfStillRunningAfter(long millis) {
        Thread t = new Thread(
                () -> {
                    try {
                        Thread.sleep(millis);
                    } catch (InterruptedException e) {
                        return;
                    }
                    System.err.println("toykv-server: FATAL: shutdown still running after " + millis + " ms; halting");
                    Runtime.getRuntime().halt(EXIT_FATAL);
                },
                "toykv-shutdown-deadline");
        t.setDaemon(true);
        t.start();
    }

    private static void uncaught(Thread thread, Throwable t) {
        try {
            System.err.println("toykv-server: FATAL: thread " + thread.getName() + " died: " + t);
            t.printStackTrace();
            System.err.flush();
        } finally {
            Runtime.getRuntime().halt(EXIT_FATAL);
        }
    }

    /**
     * The server's configuration from the options. A value the store or server refuses is a usage
     * error naming its option (exit code 2), not a stack trace.
     */
    ServerConfig config() {
        readConfigFile();
        StoreOptions options = StoreOptions.defaults()
                .syncMode(
                        switch (sync) {
                            case always -> SyncMode.ALWAYS;
                            case everysec -> SyncMode.EVERY_SECOND;
                            case no -> SyncMode.NEVER;
                        })
                .directIo(!noDirectIo)
                .autoCompaction(!noAutoGc);
        check("--max-key-size", () -> options.maxKeySize(maxKeySize));
        check("--max-value-size", () -> options.maxValueSize(maxValueSize));
        if (shards != null) {
            check("--shards", () -> options.shards(shards));
        }
        if (segmentMib != null) {
            check("--segment-size", () -> options.segmentSize(megabytes(segmentMib, 2047)));
            check("--segment-size", () -> checkSegmentHoldsBuffer(options));
        }
        if (gcSpaceTarget != null) {
            check("--gc-space-target", () -> options.gcSpaceTarget(gcSpaceTarget));
        }
        if (gcThreads != null) {
            check("--gc-threads", () -> options.gcThreads(gcThreads));
        }
        ServerConfig config = new ServerConfig()
                .storeOptions(options)
                .bind(bind)
                .dir(dir)
                .requirePass(password())
                .verbose(verbose);
        check("--port", () -> config.port(port));
        check("--max-clients", () -> config.maxClients(maxClients));
        check("--timeout", () -> config.timeoutSeconds(timeout));
        check("--databases", () -> config.databases(databases));
        if (maxOutputMib != null) {
            check("--max-output-buffer", () -> config.maxOutputBuffer(megabytes(maxOutputMib, Long.MAX_VALUE >> 20)));
        }
        // Both name one limit. Options win over the file: a file's client-output-buffer-limit gives way
        // to --max-output-buffer on the command line; given both ways alike, client-output-buffer-limit wins.
        if (clientOutputBufferLimit != null
                && (matched("--client-output-buffer-limit") || !matched("--max-output-buffer"))) {
            check(
                    "--client-output-buffer-limit",
                    () -> config.maxOutputBuffer(Sizes.parse(clientOutputBufferLimit, 0)));
        }
        if (clientQueryBufferLimit != null) {
            check(
                    "--client-query-buffer-limit",
                    () -> config.clientQueryBufferLimit(Sizes.parse(clientQueryBufferLimit, 0)));
        }
        if (maxMemoryClients != null) {
            check(
                    "--maxmemory-clients",
                    () -> config.maxMemoryClients(
                            Sizes.parse(maxMemoryClients, Runtime.getRuntime().maxMemory())));
        }
        return config.threading(threads);
    }

    private void check(String option, Runnable apply) {
        try {
            apply.run();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(
                    spec.commandLine(),
                    "Invalid value for option '" + option + "': " + e.getMessage()
                            + (matched(option) ? "" : fileDefaults.origin(option)));
        }
    }

    private boolean matched(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** With --config, reads the file, then parses the command line again: options it lacks now default to the file's. */
    private void readConfigFile() {
        if (configFile == null || fileRead) {
            return;
        }
        fileDefaults.read(configFile, spec);
        fileRead = true;
        if (fileDefaults.sets("--requirepass") && ConfigFile.readableByOthers(configFile)) {
            warnings.add("the configuration file " + configFile + " holds the password and other users may read "
                    + "it (chmod 600 it)");
        }
        CommandLine cl = spec.commandLine();
        cl.parseArgs(cl.getParseResult().originalArgs().toArray(String[]::new));
    }

    /**
     * The password, first found of: --requirepass, --requirepass-file (both is an error),
     * $TOYKV_REQUIREPASS (unless empty), the configuration file's requirepass. Null for none.
     */
    private String password() {
        boolean given = matched("--requirepass");
        if (given && requirePassFile != null) {
            throw new ParameterException(
                    spec.commandLine(), "Give either --requirepass or --requirepass-file, not both");
        }
        if (given) {
            return requirePass;
        }
        if (requirePassFile != null) {
            String password;
            try {
                password = ConfigFile.readPassword(requirePassFile);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(
                        spec.commandLine(), "Invalid value for option '--requirepass-file': " + e.getMessage());
            }
            if (ConfigFile.readableByOthers(requirePassFile)) {
                warnings.add("the password file " + requirePassFile + " may be read by other users (chmod 600 it)");
            }
            return password;
        }
        String fromEnvironment = env.apply(PASSWORD_VARIABLE);
        return fromEnvironment != null && !fromEnvironment.isEmpty() ? fromEnvironment : requirePass;
    }

    /** The store refuses a buffer larger than a segment at open; here it is a usage error naming the option. */
    private static void checkSegmentHoldsBuffer(StoreOptions options) {
        long buffer = options.bufferSize();
        if (buffer > options.segmentSize()) {
            throw new IllegalArgumentException((options.segmentSize() >> 20) + " MiB is smaller than the staging "
                    + "buffer (" + buffer + " bytes, to hold a value of " + options.largestBufferedValue()
                    + " bytes); use at least " + ((buffer + (1 << 20) - 1) >> 20)
                    + " MiB or a smaller --max-value-size");
        }
    }

    /** {@code mib} MiB in bytes; a count outside 1..max is refused before it can overflow. */
    private static long megabytes(long mib, long max) {
        if (mib < 1 || mib > max) {
            throw new IllegalArgumentException("must be between 1 and " + max + " MiB, was " + mib);
        }
        return mib << 20;
    }

    /** The version from the jar's build, or "dev". */
    static String version() {
        try (InputStream in = ServerMain.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return "dev";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "dev");
        } catch (IOException e) {
            return "dev";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"toykv-server " + version(), "JVM " + System.getProperty("java.version")};
        }
    }
}
