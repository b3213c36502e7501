package io.toykv.cli;

import io.toykv.resp.ProtocolException;
import io.toykv.resp.ReplyWriter;
import io.toykv.resp.RequestParser;
import io.toykv.resp.RespLimits;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for toykv-server in tests: a loopback socket on an ephemeral port that speaks enough RESP
 * (read and written with toykv-resp's {@code RequestParser} and {@code ReplyWriter})
 * for the client (GET SET DEL PING DBSIZE INFO ECHO AUTH HELLO SCAN and {@code RANGE start end LIMIT n} as the server's branch defines it),
 * keeping keys in memory in byte order. Two test hooks: {@code CLOSE} drops the connection and
 * {@code SLEEP ms} answers late. Everything else is {@code -ERR unknown command}.
 */
final class FakeRespServer implements AutoCloseable {
    private final ServerSocket server;
    private final String password;
    /** Keys as ISO-8859-1 strings, so that String order is unsigned byte order. */
    final NavigableMap<String, byte[]> data = new ConcurrentSkipListMap<>();
    /** How many times each command name arrived. */
    final Map<String, java.util.concurrent.atomic.LongAdder> commandCounts =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final List<Socket> clients = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    FakeRespServer() throws IOException {
        this(null);
    }

    FakeRespServer(String password) throws IOException {
        this.password = password;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = new Thread(this::acceptLoop, "fake-resp-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                clients.add(s);
                Thread t = new Thread(() -> serve(s), "fake-resp-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 65536);
            RequestParser parser = new RequestParser(RespLimits.defaults());
            ReplyWriter replies = new ReplyWriter();
            boolean[] authed = {password == null};
            boolean[] closing = {false};
            byte[] buf = new byte[65536];
            int n;
            while (!closing[0] && (n = in.read(buf)) >= 0) {
                parser.feed(buf, 0, n, cmd -> {
                    closing[0] = !run(cmd, replies, authed);
                    return !closing[0];
                });
                replies.writeTo(out);
                out.flush();
            }
        } catch (IOException | ProtocolException e) {
            // client went away, or sent what this server does not parse
        }
    }

    /** Runs one command, its reply into {@code out}; false if the connection is to close instead. */
    private boolean run(List<byte[]> cmd, ReplyWriter out, boolean[] authed) {
        String name = new String(cmd.get(0), StandardCharsets.ISO_8859_1).toUpperCase(Locale.ROOT);
        commandCounts
                .computeIfAbsent(name, n -> new java.util.concurrent.atomic.LongAdder())
                .increment();
        if (name.equals("CLOSE") || name.equals("SHUTDOWN") && cmd.size() == 1) {
            return false;
        }
        if (name.equals("HELLO") && cmd.size() == 5) {
            // HELLO 2 AUTH user password: the only form this server knows besides a bare HELLO.
            boolean good = password != null && password.equals(new String(cmd.get(4), StandardCharsets.UTF_8));
            authed[0] |= good;
            if (!good) {
                error(out, "WRONGPASS invalid username-password pair or user is disabled.");
            } else {
                hello(out);
            }
        } else if (!authed[0] && !name.equals("AUTH") && !name.equals("HELLO")) {
            error(out, "NOAUTH Authentication required.");
        } else {
            if (name.equals("AUTH")
                    && password != null
                    && password.equals(new String(cmd.get(cmd.size() - 1), StandardCharsets.UTF_8))) {
                authed[0] = true;
            }
            reply(out, name, cmd);
        }
        return true;
    }

    private void reply(ReplyWriter out, String name, List<byte[]> cmd) {
        int args = cmd.size() - 1;
        switch (name) {
            case "PING":
                if (args == 0) {
                    status(out, "PONG");
                } else {
                    bulk(out, cmd.get(1));
                }
                break;
            case "ECHO":
                bulk(out, cmd.get(1));
                break;
            case "AUTH":
                if (password == null) {
                    error(out, "ERR AUTH <password> called without any password configured for the default user.");
                } else if (password.equals(new String(cmd.get(1), StandardCharsets.UTF_8))) {
                    status(out, "OK");
                } else {
                    error(out, "WRONGPASS invalid username-password pair or user is disabled.");
                }
                break;
            case "GET":
                if (args != 1) {
                    arity(out, name);
                } else {
                    byte[] v = data.get(key(cmd.get(1)));
                    if (v == null) {
                        out.nullBulk();
                    } else {
                        bulk(out, v);
                    }
                }
                break;
            case "SET":
                if (args != 2) {
                    arity(out, name);
                } else {
                    data.put(key(cmd.get(1)), cmd.get(2));
                    status(out, "OK");
                }
                break;
            case "DEL": {
                if (args < 1) {
                    arity(out, name);
                    break;
                }
                long n = 0;
                for (int i = 1; i < cmd.size(); i++) {
                    if (data.remove(key(cmd.get(i))) != null) {
                        n++;
                    }
                }
                integer(out, n);
                break;
            }
            case "DBSIZE":
                integer(out, data.size());
                break;
            case "INFO":
                if (args == 1 && new String(cmd.get(1), StandardCharsets.US_ASCII).equalsIgnoreCase("nosuch")) {
                    bulk(out, new byte[0]);
                    break;
                }
                bulk(
                        out,
                        ("# Server\r\nfake_server:1\r\nkeys:" + data.size() + "\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                break;
            case "CLIENT": {
                // INFO: this connection; LIST: two made-up connections, as the real server ends lines with \n.
                boolean list = args == 1 && new String(cmd.get(1), StandardCharsets.US_ASCII).equalsIgnoreCase("list");
                bulk(
                        out,
                        ("id=1 addr=127.0.0.1:1 name=\n" + (list ? "id=2 addr=127.0.0.1:2 name=\n" : ""))
                                .getBytes(StandardCharsets.US_ASCII));
                break;
            }
            case "HELLO":
                hello(out);
                break;
            case "SELECT":
                // Any database is accepted (a real Redis has 16; ours refuses all but 0).
                status(out, "OK");
                break;
            case "SLEEP":
                try {
                    Thread.sleep(Long.parseLong(new String(cmd.get(1), StandardCharsets.US_ASCII)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                status(out, "OK");
                break;
            case "RANGE":
                range(out, cmd);
                break;
            case "SCAN":
                // One call walks everything: cursor 0 back, MATCH, COUNT and TYPE ignored.
                out.arrayHeader(2).bulk("0").arrayHeader(data.size());
                for (String k : data.keySet()) {
                    bulk(out, k.getBytes(StandardCharsets.ISO_8859_1));
                }
                break;
            default: {
                StringBuilder list = new StringBuilder();
                for (int i = 1; i < cmd.size(); i++) {
                    list.append('\'')
                            .append(new String(cmd.get(i), StandardCharsets.UTF_8))
                            .append("' ");
                }
                error(
                        out,
                        "ERR unknown command '" + new String(cmd.get(0), StandardCharsets.UTF_8)
                                + "', with args beginning with: " + list);
            }
        }
    }

    private void range(ReplyWriter out, List<byte[]> cmd) {
        if (cmd.size() != 5 || !new String(cmd.get(3), StandardCharsets.US_ASCII).equalsIgnoreCase("LIMIT")) {
            error(out, "ERR syntax error");
            return;
        }
        String start = key(cmd.get(1));
        String end = key(cmd.get(2));
        int limit = Integer.parseInt(new String(cmd.get(4), StandardCharsets.US_ASCII));
        NavigableMap<String, byte[]> view =
                end.isEmpty() ? data.tailMap(start, true) : data.subMap(start, true, end, false);
        List<Map.Entry<String, byte[]>> page = new ArrayList<>();
        String next = null;
        for (Map.Entry<String, byte[]> e : view.entrySet()) {
            if (page.size() == limit) {
                next = e.getKey();
                break;
            }
            page.add(e);
        }
        out.arrayHeader(2);
        if (next == null) {
            out.nullBulk();
        } else {
            bulk(out, next.getBytes(StandardCharsets.ISO_8859_1));
        }
        out.arrayHeader(page.size() * 2);
        for (Map.Entry<String, byte[]> e : page) {
            bulk(out, e.getKey().getBytes(StandardCharsets.ISO_8859_1));
            bulk(out, e.getValue());
        }
    }

    private static void hello(ReplyWriter out) {
        out.arrayHeader(4);
        bulk(out, "server".getBytes(StandardCharsets.US_ASCII));
        bulk(out, "fake".getBytes(StandardCharsets.US_ASCII));
        bulk(out, "proto".getBytes(StandardCharsets.US_ASCII));
        integer(out, 2);
    }

    private static String key(byte[] k) {
        return new String(k, StandardCharsets.ISO_8859_1);
    }

    private static void arity(ReplyWriter out, String name) {
        error(out, "ERR wrong number of arguments for '" + name.toLowerCase(Locale.ROOT) + "' command");
    }

    private static void status(ReplyWriter out, String s) {
        out.simple(s);
    }

    private static void error(ReplyWriter out, String s) {
        out.error(s);
    }

    private static void integer(ReplyWriter out, long n) {
        out.integer(n);
    }

    private static void bulk(ReplyWriter out, byte[] b) {
        out.bulk(b);
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : clients) {
            s.close();
        }
    }

    /** Runs a fake server by hand: {@code java -cp target/test-classes io.toykv.cli.FakeRespServer}. */
    public static void main(String[] args) throws Exception {
        try (FakeRespServer s = new FakeRespServer()) {
            System.out.println("fake RESP server on " + s.address());
            Thread.currentThread().join();
        }
    }
}
