package io.toykv.cli;

import io.toykv.cli.resp.ServerConnection;
import io.toykv.resp.Reply;
import io.toykv.resp.ServerClosedException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs commands one at a time, each waiting for its reply: the interactive session and the one-shot
 * command line. Owns the connection, reconnects lazily after it is lost (logging in again as the last
 * accepted AUTH did), and prints through one {@link ReplyPrinter}. Connection trouble goes to
 * {@code err}, and so do error replies in raw style; everything else goes to {@code out}.
 *
 * <p>{@link #interrupt()} may be called from a signal handler thread while a command runs: a scan
 * stops after its current page; any other command has its connection closed under it (the reply
 * would arrive out of step otherwise) and a fresh one is made quietly.
 */
final class ClientSession implements AutoCloseable {
    /** Pairs asked for in one range request. */
    static final int SCAN_PAGE_SIZE = 1000;
    /** Besides INFO, the commands whose string reply is a report to read as text (as redis-cli has them). */
    private static final java.util.Set<String> TEXT_REPORTS = java.util.Set.of(
            "client info", "client list", "memory doctor", "latency doctor", "cluster info", "cluster nodes");

    private final ServerAddress address;
    /** The command that logs in on each new connection: -a's AUTH, then the last AUTH or HELLO ... AUTH
     *  typed in this session that the server accepted (kept in memory only); null for none. */
    private volatile List<byte[]> login;

    private final ReplyPrinter printer;
    private final OutputStream out;
    private final PrintStream err;
    private final KnownKeys knownKeys;
    /** -t: bounds the connect and each wait for a reply; 0 for none. */
    private final int timeoutMillis;

    /** The server's COMMAND DOCS, fetched once per session (so per server); null until then. */
    private volatile ServerDocs docs;

    private volatile ServerConnection connection;
    private volatile boolean interrupted;
    /** -3: each new connection starts with HELLO 3. */
    private volatile boolean resp3;
    /** The database of the last SELECT the server accepted (or of -u), selected again on reconnect. */
    private volatile int db;
    /** --timing, or {@code :timing on} in a session: each sent command's time is printed to err after it. */
    private volatile boolean timing;

    private volatile boolean scanning;
    /** Set when the reader stopped the output ({@link Pager}): a scan asks for no more pages. */
    private volatile boolean outputStopped;

    ClientSession(
            ServerAddress address,
            String password,
            ReplyPrinter printer,
            OutputStream out,
            PrintStream err,
            KnownKeys knownKeys) {
        this(address, authCommand(password), 0, printer, out, err, knownKeys, 0);
    }

    /** {@code login} as {@link #authCommand}; {@code db} is selected on each new connection unless 0. */
    ClientSession(
            ServerAddress address,
            List<byte[]> login,
            int db,
            ReplyPrinter printer,
            OutputStream out,
            PrintStream err,
            KnownKeys knownKeys,
            int timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
        this.address = address;
        this.login = login;
        this.db = db;
        this.printer = printer;
        this.out = out;
        this.err = err;
        this.knownKeys = knownKeys;
    }

    ServerAddress address() {
        return address;
    }

    boolean isConnected() {
        return connection != null;
    }

    String prompt() {
        return isConnected() ? address + (db != 0 ? "[" + db + "]" : "") + "> " : "not connected> ";
    }

    /** Connects (and authenticates) unless connected; on failure prints one line to err. */
    boolean connect() {
        if (connection != null) {
            return true;
        }
        try {
            connection = open(address, login, db, resp3, err, timeoutMillis);
            return true;
        } catch (IOException e) {
            err.println("Could not connect to " + address + ": " + reason(e));
            err.flush();
            return false;
        }
    }

    /** {@code AUTH password}, or null when there is no password. */
    static List<byte[]> authCommand(String password) {
        return authCommand(null, password);
    }

    /** {@code AUTH [user] password}, or null when there is no password. */
    static List<byte[]> authCommand(String user, String password) {
        if (password == null || password.isEmpty()) {
            return null;
        }
        byte[] auth = "AUTH".getBytes(StandardCharsets.US_ASCII);
        return user == null || user.isEmpty()
                ? List.of(auth, password.getBytes(StandardCharsets.UTF_8))
                : List.of(auth, user.getBytes(StandardCharsets.UTF_8), password.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Opens a connection (timeoutMillis as {@link ServerConnection#open(String, int, int)}), switches it to
     * RESP3 if asked, sends {@code login} unless null (a refused login is reported, not fatal) and
     * selects {@code db} unless 0.
     */
    static ServerConnection open(
            ServerAddress address, List<byte[]> login, int db, boolean resp3, PrintStream err, int timeoutMillis)
            throws IOException {
        ServerConnection c = ServerConnection.open(address.host(), address.port(), timeoutMillis);
        try {
            if (resp3) {
                Reply reply = c.call(List.of("HELLO".getBytes(StandardCharsets.US_ASCII), new byte[] {'3'}));
                if (reply instanceof Reply.Error e) {
                    throw new IOException("the server does not speak RESP3 (HELLO 3: " + e.message() + ")");
                }
            }
            if (login != null) {
                Reply reply = c.call(login);
                if (reply instanceof Reply.Error e) {
                    err.println("AUTH failed: " + e.message());
                }
            }
            if (db != 0) {
                Reply reply = c.call(List.of(
                        "SELECT".getBytes(StandardCharsets.US_ASCII),
                        Integer.toString(db).getBytes(StandardCharsets.US_ASCII)));
                if (reply instanceof Reply.Error e) {
                    throw new IOException("database " + db + " refused (" + e.message() + ")");
                }
            }
        } catch (IOException e) {
            c.close();
            throw e;
        }
        return c;
    }

    static String reason(IOException e) {
        if (e instanceof UnknownHostException) {
            return "unknown host " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Runs one command given as words. Returns true when it succeeded: false for an error reply, a
     * usage error or a lost connection. {@code quit}, {@code exit} and {@code clear} are the caller's.
     */
    boolean execute(List<byte[]> words) {
        interrupted = false;
        outputStopped = false;
        long started = System.nanoTime();
        try {
            return dispatch(words);
        } finally {
            flushOut();
            if (timing && isSent(words)) {
                err.println(elapsed(System.nanoTime() - started));
                err.flush();
            }
        }
    }

    void setResp3(boolean on) {
        resp3 = on;
    }

    void setTiming(boolean on) {
        timing = on;
    }

    boolean isTiming() {
        return timing;
    }

    /** Whether a command goes to the server (help, clear, quit and exit never do). */
    private static boolean isSent(List<byte[]> words) {
        KnownCommand spec = KnownCommand.of(words);
        return spec != KnownCommand.HELP
                && spec != KnownCommand.CLEAR
                && spec != KnownCommand.QUIT
                && spec != KnownCommand.EXIT;
    }

    /** {@code (0.42 ms)} below a second, {@code (1.25 s)} from there. */
    static String elapsed(long nanos) {
        return nanos < 1_000_000_000L
                ? String.format(java.util.Locale.ROOT, "(%.2f ms)", nanos / 1e6)
                : String.format(java.util.Locale.ROOT, "(%.2f s)", nanos / 1e9);
    }

    private boolean dispatch(List<byte[]> words) {
        KnownCommand spec = KnownCommand.of(words);
        List<byte[]> args = words.subList(1, words.size());
        if (spec != null && !spec.acceptsArgumentCount(args.size())) {
            return clientError("wrong number of arguments for '" + spec.commandName() + "', usage: " + spec.usage());
        }
        if (spec == KnownCommand.HELP) {
            String topic = args.isEmpty() ? null : new String(args.get(0), StandardCharsets.UTF_8);
            String text = helpText(topic, docs());
            write(text.getBytes(StandardCharsets.UTF_8));
            return true;
        }
        if (spec == KnownCommand.CLEAR || spec == KnownCommand.QUIT || spec == KnownCommand.EXIT) {
            return true;
        }
        if (spec == KnownCommand.SCAN) {
            ScanRequest request = ScanRequest.parse(args);
            if (request == null) {
                return clientError("syntax error, usage: " + spec.usage());
            }
            return connect() && scan(request);
        }
        if (!connect()) {
            return false;
        }
        List<byte[]> command = translate(spec, words);
        Reply reply;
        try {
            reply = connection.call(command);
        } catch (ServerClosedException e) {
            return isShutdown(words) ? shutDown() : lost(e);
        } catch (IOException e) {
            return lost(e);
        }
        remember(spec, args, reply);
        if (!(reply instanceof Reply.Error) && logsIn(words)) {
            login = List.copyOf(words);
        }
        if (!(reply instanceof Reply.Error)
                && words.size() == 2
                && new String(words.get(0), StandardCharsets.UTF_8).equalsIgnoreCase("SELECT")) {
            try {
                db = Integer.parseInt(new String(words.get(1), StandardCharsets.UTF_8));
            } catch (NumberFormatException e) {
                // The server took it, so it was a number to the server; the prompt just does not show it.
            }
        }
        if (reply instanceof Reply.Error) {
            writeError(printer.format(reply));
            return false;
        }
        if (isTextReport(words) && reply instanceof Reply.Bulk report) {
            // As redis-cli does: the report is text meant to be read as it is, not a quoted string.
            write(asText(report.bytes()));
            return true;
        }
        write(printer.format(reply));
        return true;
    }

    private static final String NO_HELP = "No help for ";

    /**
     * {@code help}, {@code help COMMAND} or {@code help @GROUP}: this client's own commands from
     * {@link KnownCommand}, the server's from its COMMAND DOCS ({@link ServerDocs#NONE} when it has none).
     */
    static String helpText(String topic, ServerDocs docs) {
        if (topic == null) {
            String text = KnownCommand.helpText(null);
            if (!docs.isEmpty()) {
                text += "The server describes " + docs.names().size() + " commands: help COMMAND, or help @GROUP for "
                        + String.join(
                                ", ", docs.groups().stream().map(g -> "@" + g).toList()) + ".\n";
            }
            return text;
        }
        if (topic.startsWith("@")) {
            String text = docs.groupHelpText(topic.substring(1));
            if (text != null) {
                return text;
            }
            return NO_HELP
                    + topic
                    + (docs.isEmpty()
                            ? ": the server does not describe its commands (COMMAND DOCS).\n"
                            : "; the groups are "
                                    + String.join(
                                            ", ",
                                            docs.groups().stream()
                                                    .map(g -> "@" + g)
                                                    .toList()) + ".\n");
        }
        if (KnownCommand.lookup(topic) != null) {
            return KnownCommand.helpText(topic);
        }
        ServerDocs.Doc doc = docs.lookup(topic);
        if (doc != null) {
            return ServerDocs.helpText(doc);
        }
        return docs.isEmpty()
                ? KnownCommand.helpText(topic)
                : NO_HELP + topic
                        + ": neither this client nor the server knows it; it is sent to the server as typed.\n";
    }

    /**
     * For Tab: as {@link #docs()} while connected, else what is cached (Tab never connects: with the
     * server down that would stall every Tab for the connect timeout).
     */
    ServerDocs docsIfConnected() {
        return connection != null ? docs() : cachedDocs();
    }

    /** The server's COMMAND DOCS if already fetched, else {@link ServerDocs#NONE}: for every key press. */
    ServerDocs cachedDocs() {
        ServerDocs d = docs;
        return d == null ? ServerDocs.NONE : d;
    }

    /**
     * The server's COMMAND DOCS, asked once (connecting quietly if need be) and kept for the session;
     * {@link ServerDocs#NONE} while the server cannot be reached, or for good when it has no such
     * command. For help and Tab completion, on the thread that runs commands.
     */
    ServerDocs docs() {
        if (docs != null) {
            return docs;
        }
        ServerConnection c = connection;
        try {
            if (c == null) {
                c = open(address, login, db, resp3, new PrintStream(OutputStream.nullOutputStream()), timeoutMillis);
                connection = c;
            }
            docs = ServerDocs.parse(c.call(ServerDocs.REQUEST));
            return docs;
        } catch (IOException e) {
            if (c != null) {
                c.close();
            }
            connection = null;
            return ServerDocs.NONE;
        }
    }

    /** Tab's key search: at most this long, this many SCAN pages of {@link #COMPLETION_COUNT}, this many keys. */
    static final int COMPLETION_MILLIS = 100;

    static final int COMPLETION_PAGES = 5;
    static final int COMPLETION_COUNT = 100;
    static final int COMPLETION_KEYS = 200;

    /**
     * Keys the server has that start with {@code prefix}, for Tab: {@code SCAN cursor MATCH prefix* COUNT
     * 100} pages until the cursor ends or one of the bounds above is met, whatever is found by then.
     * Nothing when not connected (Tab never connects). A page that takes longer than the time left
     * closes the connection (its reply would arrive out of step), and the next command reconnects.
     * On the thread that runs commands.
     */
    List<byte[]> keysStartingWith(String prefix) {
        ServerConnection c = connection;
        List<byte[]> found = new ArrayList<>();
        if (c == null) {
            return found;
        }
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(COMPLETION_MILLIS);
        String cursor = "0";
        try {
            for (int page = 0; page < COMPLETION_PAGES && found.size() < COMPLETION_KEYS; page++) {
                long left = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                c.setReplyTimeout((int) left);
                Reply reply = c.call(KeyScanner.scanCommand(cursor, globEscape(prefix) + "*", COMPLETION_COUNT));
                if (!(reply instanceof Reply.Array a)
                        || a.items().size() != 2
                        || !(a.items().get(0) instanceof Reply.Bulk next)
                        || !(a.items().get(1) instanceof Reply.Array keys)) {
                    break;
                }
                for (Reply key : keys.items()) {
                    if (key instanceof Reply.Bulk b && found.size() < COMPLETION_KEYS) {
                        found.add(b.bytes());
                    }
                }
                cursor = new String(next.bytes(), StandardCharsets.US_ASCII);
                if (cursor.equals("0")) {
                    break;
                }
            }
            c.setReplyTimeout(timeoutMillis);
        } catch (IOException e) {
            connection = null;
            c.close();
        }
        return found;
    }

    /** The glob that matches {@code text} literally: {@code * ? [ ] \} escaped with a backslash. */
    static String globEscape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if ("*?[]\\".indexOf(ch) >= 0) {
                out.append('\\');
            }
            out.append(ch);
        }
        return out.toString();
    }

    /**
     * Whether a command's string reply is a report meant to be read as text, as redis-cli treats it:
     * INFO, CLIENT INFO and LIST, MEMORY DOCTOR, LATENCY DOCTOR, CLUSTER INFO and NODES.
     */
    static boolean isTextReport(List<byte[]> words) {
        String name = new String(words.get(0), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        if (name.equals("info")) {
            return true;
        }
        String sub = words.size() < 2
                ? ""
                : new String(words.get(1), StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT);
        return TEXT_REPORTS.contains(name + " " + sub);
    }

    /** The report with CRLF line ends made LF, ending in exactly one newline; nothing for an empty one. */
    static byte[] asText(byte[] report) {
        String text = new String(report, StandardCharsets.UTF_8).replace("\r\n", "\n");
        return (text.isEmpty() || text.endsWith("\n") ? text : text + "\n").getBytes(StandardCharsets.UTF_8);
    }

    /** Our names become the server's: {@code put} is SET; other words are sent as typed. */
    static List<byte[]> translate(KnownCommand spec, List<byte[]> words) {
        if (spec == null) {
            return words;
        }
        String serverName;
        switch (spec) {
            case GET:
                serverName = "GET";
                break;
            case PUT:
                serverName = "SET";
                break;
            case DEL:
                serverName = "DEL";
                break;
            default:
                return words;
        }
        List<byte[]> command = new ArrayList<>(words);
        command.set(0, serverName.getBytes(StandardCharsets.US_ASCII));
        return command;
    }

    /**
     * Whether a command is SHUTDOWN, whose success is the server closing the connection without a reply
     * (as redis-cli takes it); a refused SHUTDOWN replies with an error as any command does.
     */
    static boolean isShutdown(List<byte[]> words) {
        byte[] name = words.get(0);
        // The length first: a script asks this of every line, and most are not SHUTDOWN.
        return name.length == 8 && new String(name, StandardCharsets.US_ASCII).equalsIgnoreCase("SHUTDOWN");
    }

    /** The server went down as asked: no error, and the prompt says not connected. */
    private boolean shutDown() {
        ServerConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
        return true;
    }

    /** Whether a command authenticates the connection: AUTH, or HELLO with an AUTH argument. */
    static boolean logsIn(List<byte[]> words) {
        String name = new String(words.get(0), StandardCharsets.UTF_8);
        if (name.equalsIgnoreCase("AUTH")) {
            return true;
        }
        return name.equalsIgnoreCase("HELLO")
                && words.stream().skip(2).anyMatch(w -> new String(w, StandardCharsets.UTF_8).equalsIgnoreCase("AUTH"));
    }

    private void remember(KnownCommand spec, List<byte[]> args, Reply reply) {
        if (spec == KnownCommand.GET && reply instanceof Reply.Bulk) {
            knownKeys.add(args.get(0));
        } else if (spec == KnownCommand.PUT && reply instanceof Reply.Status) {
            knownKeys.add(args.get(0));
        } else if (spec == KnownCommand.DEL && reply instanceof Reply.Int) {
            args.forEach(knownKeys::remove);
        }
    }

    private boolean scan(ScanRequest request) {
        scanning = true;
        try {
            byte[] start = request.start();
            long remaining = request.limit();
            long number = 1;
            do {
                int pageSize = (int) Math.min(SCAN_PAGE_SIZE, remaining);
                Reply reply = connection.call(RangeCommand.request(start, request.end(), pageSize));
                if (reply instanceof Reply.Error) {
                    writeError(printer.format(reply));
                    return false;
                }
                RangeCommand.Page page;
                try {
                    page = RangeCommand.parse(reply);
                } catch (RangeCommand.UnexpectedReplyException e) {
                    return clientError(e.getMessage());
                }
                for (int i = 0; i < page.keysAndValues().size(); i += 2) {
                    knownKeys.add(page.keysAndValues().get(i));
                }
                write(printer.formatPairs(page.keysAndValues(), number));
                flushOut();
                number += page.pairs();
                remaining -= page.pairs();
                start = page.next();
            } while (start != null && remaining > 0 && !interrupted && !outputStopped);
            if (number == 1) {
                write(printer.formatEmptyScan());
            }
            return true;
        } catch (IOException e) {
            return lost(e);
        } finally {
            scanning = false;
        }
    }

    /** The reader wants no more of this command's output (the pager's q): a scan stops after its page. */
    void stopOutput() {
        outputStopped = true;
    }

    /** Whether the last command was stopped by {@link #interrupt()}. */
    boolean wasInterrupted() {
        return interrupted;
    }

    /** Called from another thread on Ctrl-C while a command runs. */
    void interrupt() {
        interrupted = true;
        if (!scanning) {
            ServerConnection c = connection;
            if (c != null) {
                c.close();
            }
        }
    }

    private boolean lost(IOException e) {
        ServerConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
        if (interrupted) {
            // The user gave up on this reply; start afresh so the prompt stays usable.
            try {
                connection = open(address, login, db, resp3, err, timeoutMillis);
            } catch (IOException again) {
                err.println("Could not connect to " + address + ": " + reason(again));
            }
            return false;
        }
        err.println("Error: " + reason(e));
        err.flush();
        return false;
    }

    private boolean clientError(String message) {
        writeError(printer.formatClientError(message));
        return false;
    }

    /** Terminal style shows errors among the replies; raw style keeps stdout for data only. */
    private void writeError(byte[] bytes) {
        if (printer.errorsGoToStderr()) {
            flushOut();
            err.write(bytes, 0, bytes.length);
            err.flush();
        } else {
            write(bytes);
        }
    }

    private void write(byte[] bytes) {
        try {
            out.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void flushOut() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        ServerConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }
}
