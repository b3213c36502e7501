package io.toykv.server.command;

import io.toykv.resp.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** PING, ECHO, QUIT, SELECT, AUTH, HELLO and CLIENT: commands about the connection itself. */
final class ConnectionCommands {
    static final String NOAUTH_HELLO = "NOAUTH HELLO must be called with the client already authenticated, "
            + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
            + "select the RESP protocol version at the same time";
    static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";
    static final String AUTH_WITHOUT_PASSWORD = "ERR AUTH <password> called without any password configured for "
            + "the default user. Are you sure your configuration is correct?";

    private final ServerControl server;
    private final ClientList clientList;

    ConnectionCommands(ServerControl server) {
        this.server = server;
        this.clientList = new ClientList(server);
    }

    void register(CommandTable t) {
        t.add(new CommandSpec(
                "ping",
                -1,
                false,
                false,
                "connection",
                "1.0.0",
                "Returns the server's liveliness response.",
                this::ping));
        t.add(new CommandSpec(
                "echo",
                2,
                false,
                false,
                "connection",
                "1.0.0",
                "Returns the given string.",
                c -> c.out().bulk(c.arg(1))));
        t.add(new CommandSpec("quit", -1, true, false, "connection", "1.0.0", "Closes the connection.", this::quit));
        t.add(new CommandSpec(
                "auth", -2, true, false, "connection", "1.0.0", "Authenticates the connection.", this::auth));
        t.add(new CommandSpec(
                "hello",
                -1,
                true,
                false,
                "connection",
                "6.0.0",
                "Handshakes with the server: protocol version, authentication, name.",
                this::hello));
        t.add(new CommandSpec(
                "client",
                -2,
                false,
                false,
                "connection",
                "2.4.0",
                "Connection commands: SETNAME, GETNAME, SETINFO, ID, INFO, REPLY.",
                this::client));
    }

    private void ping(Call c) {
        if (c.argc() > 2) {
            throw new ReplyException(Dispatcher.wrongArity("ping"));
        }
        if (c.argc() == 2) {
            c.out().bulk(c.arg(1));
        } else {
            c.out().simple("PONG");
        }
    }

    private void quit(Call c) {
        c.session().closeAfterReply(true);
        c.out().ok();
    }

    private void auth(Call c) {
        if (c.argc() > 3) {
            throw new ReplyException(Args.SYNTAX_ERROR);
        }
        byte[] user = c.argc() == 3 ? c.arg(1) : null;
        byte[] pass = c.arg(c.argc() - 1);
        if (user == null && server.requirePass() == null) {
            throw new ReplyException(AUTH_WITHOUT_PASSWORD);
        }
        if (!checkPassword(user, pass)) {
            server.wrongPassword(c.session(), "AUTH");
            throw new ReplyException(WRONGPASS);
        }
        c.session().authenticated(true);
        c.out().ok();
    }

    /** With no password configured, the default user accepts any password (Redis's "nopass"). */
    private boolean checkPassword(byte[] user, byte[] pass) {
        if (user != null && !new String(user, StandardCharsets.UTF_8).equals("default")) {
            return false;
        }
        String required = server.requirePass();
        return required == null || MessageDigest.isEqual(required.getBytes(StandardCharsets.UTF_8), pass);
    }

    private void hello(Call c) {
        int protocol = c.session().protocol();
        int i = 1;
        if (c.argc() >= 2) {
            long requested;
            try {
                requested = c.longArg(1);
            } catch (ReplyException e) {
                throw new ReplyException("ERR Protocol version is not an integer or out of range");
            }
            if (requested != 2 && requested != 3) {
                throw new ReplyException("NOPROTO unsupported protocol version");
            }
            protocol = (int) requested;
            i = 2;
        }
        boolean authOk = false;
        String name = null;
        for (; i < c.argc(); i++) {
            String option = c.upper(i);
            if (option.equals("AUTH") && i + 2 < c.argc()) {
                if (!checkPassword(c.arg(i + 1), c.arg(i + 2))) {
                    server.wrongPassword(c.session(), "HELLO AUTH");
                    throw new ReplyException(WRONGPASS);
                }
                authOk = true;
                i += 2;
            } else if (option.equals("SETNAME") && i + 1 < c.argc()) {
                name = c.string(i + 1);
                checkName(name, "Client names");
                i++;
            } else {
                throw new ReplyException("ERR Syntax error in HELLO option '" + c.string(i) + "'");
            }
        }
        if (!c.session().authenticated() && !authOk) {
            throw new ReplyException(NOAUTH_HELLO);
        }
        if (authOk) {
            c.session().authenticated(true);
        }
        if (name != null) {
            c.session().name(name);
        }
        c.session().protocol(protocol);
        ReplyWriter out = c.out();
        out.protocol(protocol);
        out.mapHeader(7);
        out.bulk("server").bulk("toykv");
        out.bulk("version").bulk(ServerCommands.REDIS_VERSION);
        out.bulk("proto").integer(protocol);
        out.bulk("id").integer(c.session().id());
        out.bulk("mode").bulk("standalone");
        out.bulk("role").bulk("master");
        out.bulk("modules").arrayHeader(0);
    }

    private void client(Call c) {
        String sub = c.upper(1);
        switch (sub) {
            case "SETNAME" -> {
                subArity(c, 3, "setname");
                String name = c.string(2);
                checkName(name, "Client names");
                c.session().name(name);
                c.out().ok();
            }
            case "GETNAME" -> {
                subArity(c, 2, "getname");
                String name = c.session().name();
                if (name.isEmpty()) {
                    c.out().nullBulk();
                } else {
                    c.out().bulk(name);
                }
            }
            case "SETINFO" -> {
                subArity(c, 4, "setinfo");
                String attr = c.upper(2);
                String value = c.string(3);
                if (attr.equals("LIB-NAME")) {
                    checkName(value, "lib-name");
                    c.session().libName(value);
                } else if (attr.equals("LIB-VER")) {
                    checkName(value, "lib-ver");
                    c.session().libVersion(value);
                } else {
                    throw new ReplyException("ERR Unrecognized option '" + c.string(2) + "'");
                }
                c.out().ok();
            }
            case "ID" -> {
                subArity(c, 2, "id");
                c.out().integer(c.session().id());
            }
            case "REPLY" -> reply(c);
            case "INFO" -> clientList.info(c);
            case "LIST" -> clientList.list(c);
            case "KILL" -> clientList.kill(c);
            case "HELP" -> {
                String[] lines = {
                    "CLIENT <subcommand> [<arg> ...]. Subcommands are:",
                    "GETNAME",
                    "    Return the name of the current connection.",
                    "ID",
                    "    Return the ID of the current connection.",
                    "INFO",
                    "    Return information about the current client connection.",
                    "KILL <ip:port>",
                    "    Kill connection made from <ip:port>.",
                    "KILL <option> <value> [<option> <value> [...]]",
                    "    Kill connections. Options are:",
                    "    * ADDR (<ip:port>|<unixsocket>:0)",
                    "      Kill connections made from the specified address",
                    "    * LADDR (<ip:port>|<unixsocket>:0)",
                    "      Kill connections made to specified local address",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Kill connections by type.",
                    "    * USER <username>",
                    "      Kill connections authenticated by <username>.",
                    "    * SKIPME (YES|NO)",
                    "      Skip killing current connection (default: yes).",
                    "    * ID <client-id>",
                    "      Kill connections by client id.",
                    "LIST [options ...]",
                    "    Return information about client connections. Options:",
                    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
                    "      Return clients of specified type.",
                    "    * ID <client-id> [<client-id> ...]",
                    "      Return clients of specified IDs only.",
                    "REPLY (ON|OFF|SKIP)",
                    "    Control the replies sent to the current connection.",
                    "SETINFO <option> <value>",
                    "    Set client meta attr. Options are LIB-NAME and LIB-VER.",
                    "SETNAME <name>",
                    "    Assign the name <name> to the current connection.",
                    "HELP",
                    "    Print this help."
                };
                c.out().arrayHeader(lines.length);
                for (String line : lines) {
                    c.out().simple(line);
                }
            }
            default ->
                throw new ReplyException(
                        "ERR unknown subcommand '" + Args.printable(c.arg(1), 128) + "'. Try CLIENT HELP.");
        }
    }

    /** CLIENT REPLY ON|OFF|SKIP: only ON replies (see {@link ClientReply}). */
    private static void reply(Call c) {
        subArity(c, 3, "reply");
        ClientReply reply = c.session().reply();
        switch (c.upper(2)) {
            case "ON" -> {
                reply.on();
                c.out().ok();
            }
            case "OFF" -> reply.off();
            case "SKIP" -> reply.skip();
            default -> throw new ReplyException(Args.SYNTAX_ERROR);
        }
    }

    static void subArity(Call c, int arity, String sub) {
        if (c.argc() != arity) {
            throw new ReplyException(Dispatcher.wrongArity(c.spec().name() + "|" + sub));
        }
    }

    /** Redis allows only '!' to '~' in client names and library attributes. */
    private static void checkName(String name, String what) {
        for (int i = 0; i < name.length(); i++) {
            char ch = name.charAt(i);
            if (ch < '!' || ch > '~') {
                throw new ReplyException("ERR " + what + " cannot contain spaces, newlines or special characters.");
            }
        }
    }
}
