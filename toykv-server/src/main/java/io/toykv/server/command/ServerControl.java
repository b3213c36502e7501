package io.toykv.server.command;

import java.util.Collection;
import java.util.List;
import java.util.Map;

/** The server as the commands see it: its settings and counters, and the one action SHUTDOWN needs. */
public interface ServerControl {

    /** The password AUTH checks, or null when none is required. */
    String requirePass();

    /** Settings by Redis config name for CONFIG GET (e.g. {@code appendfsync}, {@code save}). */
    Map<String, String> config();

    /** Lines {@code name:value} for INFO's server section beyond the common ones. */
    Map<String, Object> serverInfo();

    /** Lines for INFO's clients section. */
    Map<String, Object> clientsInfo();

    /** Lines for INFO's stats section (connections; the dispatcher adds command counts). */
    Map<String, Object> statsInfo();

    /** Starts an orderly shutdown in the background: stop accepting, finish, close the store, exit. */
    void requestShutdown(String reason);

    /** Whether each operation is logged. */
    boolean verbose();

    /** Logs (throttled) a wrong password given by AUTH or HELLO ... AUTH, with the client's address. */
    void wrongPassword(Session session, String command);

    /** Writes one log line. */
    void log(String line);

    /** The connected clients, for CLIENT LIST and CLIENT KILL; none by default (a server without sockets). */
    default Collection<? extends ClientView> clients() {
        return List.of();
    }
}
