package io.toykv.server.command;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * CLIENT LIST, CLIENT INFO and CLIENT KILL: one line per client with every field Redis 7.2 prints, in
 * its order. Fields this server has no counterpart for hold Redis's value for a client that does not
 * use the feature: {@code fd=-1} (Java does not expose descriptors), {@code sub=0 psub=0 ssub=0}
 * (no pub/sub), {@code multi-mem=0}, {@code obl=0} (replies leave the reply buffer
 * within the command), {@code user=default}, {@code redir=-1}, {@code flags=N}.
 */
final class ClientList {
    private final ServerControl server;

    ClientList(ServerControl server) {
        this.server = server;
    }

    /** A client seen without its connection (a dispatcher with no sockets): buffers empty. */
    private record Detached(Session session) implements ClientView {
        @Override
        public long queryBufferBytes() {
            return 0;
        }

        @Override
        public long queryBufferFree() {
            return 0;
        }

        @Override
        public long replyBufferSize() {
            return 0;
        }

        @Override
        public int outputListLength() {
            return 0;
        }

        @Override
        public long outputBytes() {
            return 0;
        }

        @Override
        public long totalMemory() {
            return 0;
        }

        @Override
        public void kill(String reason) {
            session.closeAfterReply(true);
        }
    }

    private List<ClientView> clients() {
        List<ClientView> all = new ArrayList<>(server.clients());
        all.sort(Comparator.comparingLong(v -> v.session().id()));
        return all;
    }

    private ClientView self(Session session) {
        for (ClientView v : server.clients()) {
            if (v.session() == session) {
                return v;
            }
        }
        return new Detached(session);
    }

    static String line(ClientView v) {
        Session s = v.session();
        long now = System.currentTimeMillis();
        long output = v.outputBytes();
        return "id=" + s.id() + " addr=" + s.address() + " laddr=" + s.localAddress() + " fd=-1 name=" + s.name()
                + " age=" + (now - s.createdMillis()) / 1000 + " idle=" + (now - s.lastInteractionMillis()) / 1000
                + " flags=" + (s.transaction().active() ? "x" : "N") + " db=" + s.database()
                + " sub=0 psub=0 ssub=0 multi="
                + s.transaction().multiField() + " qbuf=" + (v.queryBufferBytes() + s.requestBytes())
                + " qbuf-free=" + v.queryBufferFree() + " argv-mem=" + s.argvBytes() + " multi-mem=0 rbs="
                + v.replyBufferSize() + " rbp=" + v.replyBufferSize() + " obl=0 oll=" + v.outputListLength()
                + " omem=" + output + " tot-mem=" + v.totalMemory() + " events=" + (output > 0 ? "rw" : "r")
                + " cmd=" + s.lastCommand() + " user=default redir=-1 resp=" + s.protocol() + " lib-name="
                + s.libName() + " lib-ver=" + s.libVersion();
    }

    void info(Call c) {
        ConnectionCommands.subArity(c, 2, "info");
        c.out().verbatim(line(self(c.session())) + "\n");
    }

    /** CLIENT LIST [TYPE normal|master|replica|slave|pubsub] [ID id [id ...]]. */
    void list(Call c) {
        List<ClientView> shown = new ArrayList<>();
        if (c.argc() == 4 && c.upper(2).equals("TYPE")) {
            if (isNormalType(c, 3)) {
                shown.addAll(clients());
            }
        } else if (c.argc() > 3 && c.upper(2).equals("ID")) {
            List<ClientView> all = clients();
            for (int i = 3; i < c.argc(); i++) {
                long id = clientId(c, i, "ERR Invalid client ID");
                all.stream().filter(v -> v.session().id() == id).findFirst().ifPresent(shown::add);
            }
        } else if (c.argc() != 2) {
            throw new ReplyException(Args.SYNTAX_ERROR);
        } else {
            shown.addAll(clients());
        }
        StringBuilder sb = new StringBuilder();
        for (ClientView v : shown) {
            sb.append(line(v)).append('\n');
        }
        c.out().verbatim(sb.toString());
    }

    /** Every client is of type normal; the other types Redis knows match none here. */
    private static boolean isNormalType(Call c, int i) {
        return switch (c.string(i).toLowerCase(java.util.Locale.ROOT)) {
            case "normal" -> true;
            case "master", "replica", "slave", "pubsub" -> false;
            default -> throw new ReplyException("ERR Unknown client type '" + c.string(i) + "'");
        };
    }

    private static long clientId(Call c, int i, String error) {
        try {
            return c.longArg(i);
        } catch (ReplyException e) {
            throw new ReplyException(error);
        }
    }

    /**
     * CLIENT KILL addr:port (the old form: OK, or "No such client"; may kill the caller), or CLIENT KILL
     * with ID, TYPE, ADDR, LADDR, USER and SKIPME filters (the number killed; SKIPME yes by default).
     */
    void kill(Call c) {
        String addr = null;
        String laddr = null;
        Long id = null;
        boolean normal = true;
        boolean skipMe = true;
        if (c.argc() == 3) {
            addr = c.string(2);
            skipMe = false;
        } else if (c.argc() > 3) {
            for (int i = 2; i < c.argc(); i += 2) {
                if (i + 1 >= c.argc()) {
                    throw new ReplyException(Args.SYNTAX_ERROR);
                }
                switch (c.upper(i)) {
                    case "ID" -> {
                        id = clientId(c, i + 1, "ERR client-id should be greater than 0");
                        if (id < 1) {
                            throw new ReplyException("ERR client-id should be greater than 0");
                        }
                    }
                    case "TYPE" -> normal = isNormalType(c, i + 1);
                    case "ADDR" -> addr = c.string(i + 1);
                    case "LADDR" -> laddr = c.string(i + 1);
                    case "USER" -> {
                        if (!c.string(i + 1).equals("default")) {
                            throw new ReplyException("ERR No such user '" + c.string(i + 1) + "'");
                        }
                    }
                    case "SKIPME" ->
                        skipMe = switch (c.upper(i + 1)) {
                            case "YES" -> true;
                            case "NO" -> false;
                            default -> throw new ReplyException(Args.SYNTAX_ERROR);
                        };
                    default -> throw new ReplyException(Args.SYNTAX_ERROR);
                }
            }
        } else {
            throw new ReplyException(Dispatcher.wrongArity("client|kill"));
        }
        long killed = 0;
        boolean closeSelf = false;
        for (ClientView v : normal ? clients() : List.<ClientView>of()) {
            Session s = v.session();
            boolean matches = (addr == null || addr.equals(s.address()))
                    && (laddr == null || laddr.equals(s.localAddress()))
                    && (id == null || id == s.id());
            if (!matches || (s == c.session() && skipMe)) {
                continue;
            }
            if (s == c.session()) {
                closeSelf = true; // after this reply, as Redis does
            } else {
                v.kill("killed by CLIENT KILL from client(" + c.session().id() + ")");
            }
            killed++;
        }
        if (c.argc() == 3) {
            if (killed == 0) {
                throw new ReplyException("ERR No such client");
            }
            c.out().ok();
        } else {
            c.out().integer(killed);
        }
        if (closeSelf) {
            c.session().closeAfterReply(true);
        }
    }
}
