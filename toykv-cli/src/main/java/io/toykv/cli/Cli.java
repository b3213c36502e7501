package io.toykv.cli;

import io.toykv.cli.resp.ServerConnection;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.Console;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The process arguments (picocli's only job) and the choice of mode: one command from the arguments,
 * an interactive session when stdin is a terminal, a script otherwise.
 */
@Command(
        name = "toykv-cli",
        sortOptions = false,
        versionProvider = Cli.Version.class,
        description = {"A client for toykv-server: interactive on a terminal, a script runner on a pipe.", ""},
        // One string per paragraph: picocli wraps each to the width, so no line breaks of our own; the
        // examples are short enough for picocli's narrowest width (55).
        footer = {
            "",
            "Examples:",
            "  toykv-cli                         a session",
            "  toykv-cli 10.0.0.5 get k1         one command",
            "  toykv-cli -e < script.txt         stop at first error",
            "  toykv-cli --scan --pattern 'u:*'  keys, one a line",
            "  toykv-cli -x put k < a.pem        value from stdin",
            "  toykv-cli --json get k1           JSON output",
            "  toykv-cli -u redis://:pw@h:8888   server as a URL",
            "",
            "Environment:",
            "  " + Cli.PASSWORD_ENV + "      the password, as -a",
            "  " + Cli.HISTORY_ENV + "  the history file",
            "  HOME                where " + Cli.DEFAULT_HISTORY_NAME + " is",
            "  NO_COLOR            no colour (unless --color)"
        })
final class Cli implements Callable<Integer> {
    static final String PASSWORD_ENV = "TOYKV_CLI_AUTH";
    static final String HISTORY_ENV = "TOYKV_CLI_HISTFILE";
    static final String DEFAULT_HISTORY_NAME = ".toykv_cli_history";

    @Parameters(
            paramLabel = "HOST:PORT | COMMAND",
            arity = "0..*",
            description = "The server address (default 127.0.0.1:8888). A host alone takes port 8888 (or -p) when "
                    + "it can only be a host: localhost, an IP address, or a name with two or more dots "
                    + "(db.example.com); a name with one dot is a command, as module commands are (JSON.GET), so "
                    + "give such a host with its port (myhost.lan:8888) or -h. Then "
                    + "optionally one command and its arguments, taken literally (no quoting, '-x' and '@file' "
                    + "are plain words).")
    List<String> words = new ArrayList<>();

    @Option(names = "-h", paramLabel = "HOST", description = "Server host (default 127.0.0.1).")
    String host;

    @Option(names = "-p", paramLabel = "PORT", description = "Server port (default 8888).")
    Integer port;

    @Option(
            names = "-u",
            paramLabel = "URL",
            description = "The server as redis://[[user]:password@]host[:port][/db] "
                    + "(port 8888 by default); wins over HOST:PORT, -h, -p and -a. A database other than 0 is selected "
                    + "on connecting, and the server refusing it is an error.")
    String url;

    @Option(
            names = "-n",
            paramLabel = "DB",
            description = "Select database DB on connecting (as redis-cli; "
                    + "our server has only 0, so another is refused). A database in -u wins.")
    Integer database;

    @Option(
            names = "-a",
            paramLabel = "PASSWORD",
            defaultValue = "${env:" + PASSWORD_ENV + "}",
            description = "Password sent with AUTH after connecting; also read from $" + PASSWORD_ENV + ".")
    String password;

    @Option(
            names = "-t",
            paramLabel = "SECONDS",
            description = "Give up on connecting, and on any reply, after SECONDS (decimals allowed; default 0: "
                    + "wait for ever). A silent server then fails the command instead of hanging.")
    double timeoutSeconds;

    @Option(
            names = "-3",
            description = "Speak RESP3 (HELLO 3 on connecting): maps, booleans and doubles " + "come as such.")
    boolean resp3;

    @Option(
            names = "--raw",
            negatable = true,
            description = "Raw replies (one item a line, no quotes) even on a terminal; --no-raw gives the "
                    + "terminal style even on a pipe. Default: terminal style on a terminal, raw otherwise.")
    Boolean raw;

    @Option(
            names = "-x",
            description = "With a command: read stdin to its end and send it, byte for byte "
                    + "(a final newline included, as redis-cli), as the command's last argument.")
    boolean lastArgFromStdin;

    @Option(
            names = "-r",
            paramLabel = "N",
            description = "With a command: run it N times (-1: until "
                    + "stopped); the exit status is 1 if any run failed. With --latency or --stat: N lines.")
    Long repeat;

    @Option(
            names = "-i",
            paramLabel = "SECONDS",
            description = "With -r: wait SECONDS between runs (decimals allowed); with --latency or --stat: "
                    + "between lines (default 1).")
    Double interval;

    @Option(
            names = "--latency",
            description =
                    "PING every 10 ms and print min, max and average round trip "
                            + "(ms) every second (-i), for -r reports or until Ctrl-C; on a terminal one line, rewritten in place.")
    boolean latency;

    @Option(
            names = "--stat",
            description =
                    "Print a line of figures from INFO (keys, data, clients, requests, "
                            + "connections) every second (-i), for -r reports or until Ctrl-C; on a terminal one line, rewritten in place.")
    boolean stat;

    @Option(
            names = "--bigkeys",
            description = "Find the largest values (SCAN, then STRLEN of each key) and " + "list the ten largest.")
    boolean bigKeys;

    @Option(
            names = "--scan",
            description = "List the keys, one a line, with the server's SCAN (or with "
                    + "--prefix, in key order): printed page by page as they come; Ctrl-C stops.")
    boolean scan;

    @Option(
            names = "--pattern",
            paramLabel = "PATTERN",
            description = "With --scan: only keys matching the glob PATTERN (SCAN's MATCH), e.g. 'user:*'.")
    String pattern;

    @Option(names = "--count", paramLabel = "N", description = "With --scan: SCAN's COUNT hint, keys per page.")
    Integer count;

    @Option(
            names = "--prefix",
            paramLabel = "PREFIX",
            description = "With --scan: only keys starting with PREFIX, in key order (the ordered RANGE "
                    + "command, keys only).")
    String prefix;

    @Option(
            names = "--color",
            negatable = true,
            description = "Colour the terminal style (errors red, nil "
                    + "dim, strings green, numbers cyan). Default: on a terminal unless $NO_COLOR is set; --color forces "
                    + "it (even with NO_COLOR), --no-color turns it off.")
    Boolean color;

    @Option(
            names = "--json",
            description = "Replies as JSON, one value a line (strings, numbers, null, "
                    + "arrays, objects for maps); errors on stderr.")
    boolean json;

    @Option(
            names = "--csv",
            description = "Replies as CSV, one line a reply (strings quoted, nil as NULL, "
                    + "arrays on one line); errors on stderr.")
    boolean csv;

    @Option(
            names = "--timing",
            description = "After each command (one-shot or in a session), print its "
                    + "round trip to stderr, e.g. (0.42 ms). In a session :timing on|off toggles it.")
    boolean timing;

    @Option(
            names = "--pager",
            negatable = true,
            defaultValue = "true",
            description = "In a session, show a reply taller than the screen a screen at a time, with a "
                    + "more prompt (space: next page, Enter: next line, q or Ctrl-C: stop). Default on; "
                    + "--no-pager prints replies whole, :pager on|off toggles it in a session. Never with "
                    + "TERM=dumb, one-shot commands or scripts; $PAGER is not used.")
    boolean pager = true;

    @Option(names = "-e", description = "Stop at the first command that fails (scripts run unpipelined then).")
    boolean stopOnError;

    @Option(names = "--help", usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--version", versionHelp = true, description = "Show the version and exit.")
    boolean version;

    /** From -u: the user for AUTH (null: the default user) and the database to select. */
    private String user;

    private int db;

    private final InputStream in;
    private final OutputStream out;
    private final PrintStream err;
    private final Boolean terminalOverride;

    Cli() {
        this(System.in, new FileOutputStream(FileDescriptor.out), System.err, null);
    }

    /** For tests: explicit streams, and whether to behave as on a terminal (null: detect). */
    Cli(InputStream in, OutputStream out, PrintStream err, Boolean terminalOverride) {
        this.in = in;
        this.out = out;
        this.err = err;
        this.terminalOverride = terminalOverride;
    }

    /**
     * Runs the client with the process arguments and returns the exit status. When the first argument
     * is not an option (so, with picocli's stop-at-positional, none is) the words go straight to
     * {@link #call()}: picocli's annotation model costs about a third of a one-shot command's start-up
     * and would only have copied them. Anything with an option goes through picocli.
     */
    static int run(Cli cli, String[] args, java.util.Map<String, String> env) {
        if (args.length > 0 && args[0].startsWith("-")) {
            return commandLine(cli).execute(args);
        }
        cli.words = new ArrayList<>(List.of(args));
        cli.password = env.get(PASSWORD_ENV);
        try {
            return cli.call();
        } catch (IOException | RuntimeException e) {
            // What picocli's execute does with an exception from call(): the trace, then status 1.
            e.printStackTrace(cli.err);
            return 1;
        }
    }

    static CommandLine commandLine() {
        return commandLine(new Cli());
    }

    static CommandLine commandLine(Cli cli) {
        return new CommandLine(cli)
                .setStopAtPositional(true)
                .setExpandAtFiles(false)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setErr(new java.io.PrintWriter(cli.err, true))
                .setOut(new java.io.PrintWriter(new java.io.OutputStreamWriter(cli.out, StandardCharsets.UTF_8), true));
    }

    @Override
    public Integer call() throws IOException {
        ServerAddress address = ServerAddress.DEFAULT;
        List<String> command = words;
        ServerAddress given;
        try {
            given = words.isEmpty()
                    ? null
                    : ServerAddress.parse(words.get(0), port != null ? port : ServerAddress.DEFAULT.port());
        } catch (IllegalArgumentException e) {
            err.println(words.get(0) + ": " + e.getMessage());
            return 2;
        }
        if (given != null) {
            address = given;
            command = words.subList(1, words.size());
        } else if (host != null || port != null) {
            try {
                address = new ServerAddress(
                        host != null ? host : ServerAddress.DEFAULT.host(),
                        port != null ? port : ServerAddress.DEFAULT.port());
            } catch (IllegalArgumentException e) {
                err.println(e.getMessage());
                return 2;
            }
        }
        if (database != null) {
            if (database < 0) {
                err.println("-n must be 0 or more, got " + database);
                return 2;
            }
            db = database;
        }
        if (url != null) {
            try {
                RedisUrl parsed = RedisUrl.parse(url);
                address = parsed.address();
                user = parsed.user();
                password = parsed.password() != null ? parsed.password() : password;
                db = parsed.db() != 0 ? parsed.db() : db;
            } catch (IllegalArgumentException e) {
                err.println("-u " + url + ": " + e.getMessage());
                return 2;
            }
        }
        if (!(timeoutSeconds >= 0) || timeoutSeconds > Integer.MAX_VALUE / 1000) {
            err.println("-t must be 0 or more seconds, got " + timeoutSeconds);
            return 2;
        }
        if (latency || stat || bigKeys) {
            String problem = monitorUsageProblem(command);
            if (problem != null) {
                err.println(problem);
                return 2;
            }
            return monitor(address);
        }
        if (scan || pattern != null || count != null || prefix != null) {
            String problem = scanUsageProblem(command);
            if (problem != null) {
                err.println(problem);
                return 2;
            }
            return scanKeys(address);
        }
        String oneShotProblem = oneShotUsageProblem(command);
        if (oneShotProblem != null) {
            err.println(oneShotProblem);
            return 2;
        }
        boolean onTerminal = terminalOverride != null ? terminalOverride : stdinAndStdoutAreTerminals();
        if ((json ? 1 : 0) + (csv ? 1 : 0) + (raw != null ? 1 : 0) > 1) {
            err.println("choose one of --json, --csv, --raw and --no-raw");
            return 2;
        }
        ReplyPrinter printer = json
                ? new JsonPrinter()
                : csv
                        ? new CsvPrinter()
                        : (raw != null ? raw : !onTerminal)
                                ? new RawPrinter()
                                : new TerminalPrinter(useColour(
                                        color, onTerminal && terminalOverride == null, System.getenv("NO_COLOR")));
        if (!command.isEmpty()) {
            return runOne(address, command, printer);
        }
        if (onTerminal && terminalOverride == null) {
            return interactive(address, printer);
        }
        return script(address, printer);
    }

    /**
     * Whether the terminal style is coloured: as {@code --color}/{@code --no-color} say, else on a
     * terminal unless {@code NO_COLOR} is set to anything but "" (no-color.org).
     */
    static boolean useColour(Boolean flag, boolean terminal, String noColorEnv) {
        if (flag != null) {
            return flag;
        }
        return terminal && (noColorEnv == null || noColorEnv.isEmpty());
    }

    /** Why -x, -r and -i do not fit the command, or null when they do. */
    private String oneShotUsageProblem(List<String> command) {
        String option = lastArgFromStdin ? "-x" : repeat != null ? "-r" : interval != null ? "-i" : null;
        if (option != null && command.isEmpty()) {
            return option + " needs a command after the address";
        }
        if (repeat != null && (repeat == 0 || repeat < -1)) {
            return "-r must be a positive count or -1 (for ever), got " + repeat;
        }
        if (interval != null && (repeat == null || !(interval >= 0) || interval > Long.MAX_VALUE / 1000)) {
            return repeat == null ? "-i needs -r" : "-i must be 0 or more seconds, got " + interval;
        }
        return null;
    }

    private int runOne(ServerAddress address, List<String> command, ReplyPrinter printer) throws IOException {
        List<byte[]> commandWords = new ArrayList<>();
        command.forEach(w -> commandWords.add(w.getBytes(StandardCharsets.UTF_8)));
        if (lastArgFromStdin) {
            commandWords.add(in.readAllBytes());
        }
        OutputStream buffered = new BufferedOutputStream(out);
        try (ClientSession session =
                new ClientSession(address, login(), db, printer, buffered, err, new KnownKeys(), timeoutMillis())) {
            KnownCommand spec = KnownCommand.lookup(command.get(0));
            boolean local = spec == KnownCommand.HELP
                    || spec == KnownCommand.QUIT
                    || spec == KnownCommand.EXIT
                    || spec == KnownCommand.CLEAR;
            session.setTiming(timing);
            session.setResp3(resp3);
            if (!local && !session.connect()) {
                return 1;
            }
            long runs = repeat == null ? 1 : repeat;
            long pauseMillis = interval == null ? 0 : Math.round(interval * 1000);
            boolean allSucceeded = true;
            for (long run = 1; runs == -1 || run <= runs; run++) {
                if (run > 1 && pauseMillis > 0) {
                    Monitors.sleep(pauseMillis);
                }
                allSucceeded &= session.execute(commandWords);
            }
            return allSucceeded ? 0 : 1;
        }
    }

    /** Why --latency, --stat or --bigkeys does not fit the other arguments, or null when it does. */
    private String monitorUsageProblem(List<String> command) {
        String mode = latency ? "--latency" : stat ? "--stat" : "--bigkeys";
        if ((latency ? 1 : 0) + (stat ? 1 : 0) + (bigKeys ? 1 : 0) > 1 || scan) {
            return "choose one of --latency, --stat, --bigkeys and --scan";
        }
        if (!command.isEmpty()) {
            return mode + " takes no command, got '" + command.get(0) + "'";
        }
        if (bigKeys && (repeat != null || interval != null)) {
            return "--bigkeys takes neither -r nor -i";
        }
        if (repeat != null && (repeat == 0 || repeat < -1)) {
            return "-r must be a positive count or -1 (for ever), got " + repeat;
        }
        if (interval != null && (!(interval > 0) || interval > Long.MAX_VALUE / 1000)) {
            return "-i must be more than 0 seconds, got " + interval;
        }
        return null;
    }

    private int monitor(ServerAddress address) {
        return withConnection(address, connection -> {
            boolean onTerminal = terminalOverride != null ? terminalOverride : stdinAndStdoutAreTerminals();
            Monitors monitors = new Monitors(connection, new BufferedOutputStream(out), onTerminal);
            long reports = repeat == null ? -1 : repeat;
            long intervalMillis = interval == null ? 1000 : Math.max(1, Math.round(interval * 1000));
            if (latency) {
                monitors.latency(reports, intervalMillis);
            } else if (stat) {
                monitors.stat(reports, intervalMillis);
            } else {
                monitors.bigKeys();
            }
        });
    }

    /** A mode that runs on one connection; its exceptions become messages on stderr. */
    @FunctionalInterface
    private interface ConnectionMode {
        void run(ServerConnection connection) throws IOException, KeyScanner.ScanException;
    }

    /** Connects, runs the mode and returns the exit status: 0, or 1 after saying what went wrong. */
    private int withConnection(ServerAddress address, ConnectionMode mode) {
        ServerConnection connection = openOrReport(address);
        if (connection == null) {
            return 1;
        }
        try (connection) {
            mode.run(connection);
            return 0;
        } catch (KeyScanner.ScanException e) {
            err.println(e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("Error: " + ClientSession.reason(e));
            return 1;
        }
    }

    /** Why the --scan options do not fit together, or null when they do. */
    private String scanUsageProblem(List<String> command) {
        if (!scan) {
            return (pattern != null ? "--pattern" : count != null ? "--count" : "--prefix") + " needs --scan";
        }
        if (!command.isEmpty()) {
            return "--scan takes no command, got '" + command.get(0) + "'";
        }
        if (prefix != null && (pattern != null || count != null)) {
            return "--prefix lists in key order with RANGE: it does not combine with --pattern or --count";
        }
        if (count != null && count < 1) {
            return "--count must be at least 1, got " + count;
        }
        return null;
    }

    private java.util.List<byte[]> login() {
        return ClientSession.authCommand(user, password);
    }

    /** -t in milliseconds; a positive fraction of a millisecond is one (0 would mean no timeout). */
    private int timeoutMillis() {
        return timeoutSeconds == 0 ? 0 : (int) Math.max(1, Math.round(timeoutSeconds * 1000));
    }

    /** A logged-in connection, or null after printing why there is none. */
    private ServerConnection openOrReport(ServerAddress address) {
        try {
            return ClientSession.open(address, login(), db, resp3, err, timeoutMillis());
        } catch (IOException e) {
            err.println("Could not connect to " + address + ": " + ClientSession.reason(e));
            return null;
        }
    }

    private int scanKeys(ServerAddress address) {
        return withConnection(address, connection -> {
            KeyScanner scanner = new KeyScanner(connection::call, new BufferedOutputStream(out, 64 * 1024));
            if (prefix != null) {
                scanner.scanPrefix(prefix.getBytes(StandardCharsets.UTF_8));
            } else {
                scanner.scan(pattern, count);
            }
        });
    }

    private int script(ServerAddress address, ReplyPrinter printer) throws IOException {
        ServerConnection connection = openOrReport(address);
        if (connection == null) {
            return 1;
        }
        try (connection) {
            OutputStream buffered = new BufferedOutputStream(out, 64 * 1024);
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 64 * 1024);
            return new ScriptRunner(connection, printer, buffered, err, stopOnError).run(lines);
        }
    }

    private int interactive(ServerAddress address, ReplyPrinter printer) throws IOException {
        KnownKeys keys = new KnownKeys();
        try (Terminal terminal = systemTerminal()) {
            // A dumb terminal reads whole lines: it cannot answer the more prompt with one key.
            Pager paged = Repl.isDumb(terminal) ? null : new Pager(terminal, pager);
            try (ClientSession session = new ClientSession(
                    address,
                    login(),
                    db,
                    printer,
                    paged != null ? paged : terminal.output(),
                    err,
                    keys,
                    timeoutMillis())) {
                session.setTiming(timing);
                session.setResp3(resp3);
                boolean colour = printer instanceof TerminalPrinter t && t.colour();
                return new Repl(terminal, session, new SessionHistory(historyFile(), password), keys, colour, paged)
                        .run();
            }
        }
    }

    /**
     * The terminal of the session. JLine's own native library (shipped in its jar for the usual systems)
     * is asked for directly: left to choose, JLine tries every way it knows to reach a terminal, loading
     * JNA's and Jansi's classes and running a process for the exec one, a good part of the time to the
     * first prompt. Where that library does not load, JLine chooses as it does by default.
     */
    private static Terminal systemTerminal() throws IOException {
        TerminalBuilder builder = TerminalBuilder.builder()
                .system(true)
                .nativeSignals(true)
                .signalHandler(Terminal.SignalHandler.SIG_IGN);
        if (jlineNativeLoads()) {
            builder.provider(TerminalBuilder.PROP_PROVIDER_JNI);
        }
        return builder.build();
    }

    private static boolean jlineNativeLoads() {
        try {
            return org.jline.nativ.JLineNativeLoader.initialize();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    static Path historyFile() {
        return historyFile(System.getenv(), System.getProperty("user.home"));
    }

    /**
     * {@code $TOYKV_CLI_HISTFILE}, else the default name in {@code $HOME}, else in {@code userHome} (the
     * JVM's user.home, which comes from the password database and ignores $HOME); null if none is known.
     */
    static Path historyFile(java.util.Map<String, String> env, String userHome) {
        String configured = env.get(HISTORY_ENV);
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            home = userHome;
        }
        return home == null ? null : Path.of(home, DEFAULT_HISTORY_NAME);
    }

    /**
     * Whether stdin and stdout are both terminals. Before JDK 22 that is what a non-null
     * {@link System#console()} means; from 22 on there is always a console and {@code isTerminal()} tells.
     */
    static boolean stdinAndStdoutAreTerminals() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
        } catch (NoSuchMethodException e) {
            return true;
        } catch (ReflectiveOperationException e) {
            return false;
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"toykv-cli " + (v == null ? "(development build)" : v)};
        }
    }
}
