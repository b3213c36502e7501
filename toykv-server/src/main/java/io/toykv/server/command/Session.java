package io.toykv.server.command;

import io.toykv.resp.BufferBudget;
import java.util.List;

/**
 * What the server knows about one connection: its id, name, protocol and whether it has
 * authenticated. Used only by the connection's own thread, except the read-only fields INFO and
 * CLIENT read.
 */
public final class Session {
    private final long id;
    private final String address;
    private final long createdMillis;

    private volatile String name = "";
    private volatile String libName = "";
    private volatile String libVersion = "";
    private volatile int protocol = 2;
    private volatile boolean authenticated;
    private volatile int database;
    private volatile boolean closeAfterReply;
    private volatile String closeWithoutReply;
    private final Transaction transaction = new Transaction();
    private final ClientReply reply = new ClientReply();
    private volatile String localAddress = "";
    private volatile String lastCommand = "NULL";
    private volatile long lastInteractionMillis;
    /** The arguments of the command being run, null between commands; sized only when CLIENT LIST asks. */
    private volatile List<byte[]> runningArgs;

    private long errors;

    public Session(long id, String address, boolean authenticated) {
        this.id = id;
        this.address = address;
        this.authenticated = authenticated;
        this.createdMillis = System.currentTimeMillis();
        this.lastInteractionMillis = createdMillis;
    }

    /** Where this client's queued MULTI commands and WATCHed keys are charged (its memory account). */
    public void chargeTransactionsTo(BufferBudget budget) {
        transaction.budget(budget);
    }

    Transaction transaction() {
        return transaction;
    }

    /** CLIENT REPLY's state. */
    ClientReply reply() {
        return reply;
    }

    public long id() {
        return id;
    }

    public String address() {
        return address;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public String name() {
        return name;
    }

    public void name(String name) {
        this.name = name;
    }

    public String libName() {
        return libName;
    }

    public void libName(String libName) {
        this.libName = libName;
    }

    public String libVersion() {
        return libVersion;
    }

    public void libVersion(String libVersion) {
        this.libVersion = libVersion;
    }

    /** 2 or 3, as chosen by HELLO. */
    public int protocol() {
        return protocol;
    }

    public void protocol(int protocol) {
        this.protocol = protocol;
    }

    /** The selected database (SELECT), 0 at first. */
    public int database() {
        return database;
    }

    public void database(int database) {
        this.database = database;
    }

    public boolean authenticated() {
        return authenticated;
    }

    public void authenticated(boolean authenticated) {
        this.authenticated = authenticated;
    }

    /** Whether the connection is to be closed once the replies so far are written (QUIT, SHUTDOWN). */
    public boolean closeAfterReply() {
        return closeAfterReply;
    }

    public void closeAfterReply(boolean close) {
        this.closeAfterReply = close;
    }

    /**
     * Why the connection is to be closed at once, dropping the replies not yet written, or null: a
     * reply would pass a buffer limit (as Redis does, the client sees the connection close; a write it
     * sent may have been applied).
     */
    public String closeWithoutReply() {
        return closeWithoutReply;
    }

    public void closeWithoutReply(String reason) {
        this.closeWithoutReply = reason;
        this.closeAfterReply = true;
    }

    /** The server's end of the connection, {@code ip:port} (CLIENT LIST's laddr). */
    public String localAddress() {
        return localAddress;
    }

    public void localAddress(String localAddress) {
        this.localAddress = localAddress;
    }

    /** The last command run or being run, as {@code get} or {@code client|list}; "NULL" before any. */
    public String lastCommand() {
        return lastCommand;
    }

    /** When the last command started (CLIENT LIST's idle). */
    public long lastInteractionMillis() {
        return lastInteractionMillis;
    }

    /** Bytes of the arguments of the command being run, 0 between commands (CLIENT LIST's argv-mem). */
    public long argvBytes() {
        List<byte[]> args = runningArgs;
        long bytes = 0;
        if (args != null) {
            for (byte[] a : args) {
                bytes += a.length;
            }
        }
        return bytes;
    }

    /**
     * The size of the request being run, as a multibulk, 0 between commands: Redis keeps a request in
     * its query buffer until it has run, so its qbuf counts it.
     */
    public long requestBytes() {
        List<byte[]> args = runningArgs;
        if (args == null) {
            return 0;
        }
        long request = 3 + digits(args.size()); // *N\r\n
        for (byte[] a : args) {
            request += 5 + digits(a.length) + a.length; // $len\r\n bytes \r\n
        }
        return request;
    }

    private static int digits(long n) {
        return Long.toString(n).length();
    }

    /** Per command: three volatile writes and a clock read; nothing is sized here (a request may be large). */
    void commandStarted(String fullName, List<byte[]> args) {
        lastCommand = fullName;
        lastInteractionMillis = System.currentTimeMillis();
        runningArgs = args;
    }

    void commandFinished() {
        runningArgs = null;
    }

    /** Error replies sent to this connection; only its own thread counts them. */
    long errors() {
        return errors;
    }

    void countError() {
        errors++;
    }
}
