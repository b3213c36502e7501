package io.toykv.server.command;

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

    public Session(long id, String address, boolean authenticated) {
        this.id = id;
        this.address = address;
        this.authenticated = authenticated;
        this.createdMillis = System.currentTimeMillis();
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
}
