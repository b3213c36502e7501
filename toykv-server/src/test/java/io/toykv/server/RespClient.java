package io.toykv.server;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A raw RESP client for tests: sends exact bytes, and reads exactly one reply back as the raw bytes
 * the server sent (ISO-8859-1 text), so tests compare golden bytes.
 */
final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(int port) throws IOException {
        this(port, 10_000);
    }

    RespClient(int port, int timeoutMillis) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    Socket socket() {
        return socket;
    }

    OutputStream out() {
        return out;
    }

    InputStream in() {
        return in;
    }

    void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] raw) throws IOException {
        out.write(raw);
        out.flush();
    }

    /** Sends a command as an array of bulk strings and returns the raw reply. */
    String call(String... args) throws IOException {
        send(encode(args));
        return readReply();
    }

    static byte[] encode(String... args) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
        return b.toByteArray();
    }

    /** One whole reply, raw. Throws EOFException if the server closed the connection first. */
    String readReply() throws IOException {
        StringBuilder sb = new StringBuilder();
        readValue(sb);
        return sb.toString();
    }

    private void readValue(StringBuilder sb) throws IOException {
        String line = readLine();
        sb.append(line).append("\r\n");
        char type = line.charAt(0);
        switch (type) {
            case '+', '-', ':', '_', '#', ',', '(' -> {}
            case '$', '=', '!' -> {
                int n = Integer.parseInt(line.substring(1));
                if (n >= 0) {
                    byte[] data = in.readNBytes(n + 2);
                    if (data.length != n + 2) {
                        throw new EOFException("short bulk");
                    }
                    sb.append(new String(data, StandardCharsets.ISO_8859_1));
                }
            }
            case '*', '~', '>', '%' -> {
                int n = Integer.parseInt(line.substring(1));
                if (type == '%') {
                    n *= 2;
                }
                for (int i = 0; i < n; i++) {
                    readValue(sb);
                }
            }
            default -> throw new IOException("not a RESP reply: " + line);
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed after " + sb.length() + " bytes of a line: " + sb);
            }
            if (c == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new IOException("CR without LF");
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
    }

    /** Whether the server closes the connection (end of stream) within the socket timeout. */
    boolean closedByServer() {
        try {
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset by the server
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
