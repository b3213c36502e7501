package io.toykv.server;

import io.toykv.resp.ReplyReader;
import io.toykv.resp.RequestWriter;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw RESP client for tests: sends exact bytes, and reads exactly one reply back as the raw bytes
 * the server sent (ISO-8859-1 text), so tests compare golden bytes. Requests are encoded and replies
 * framed by toykv-resp's {@link RequestWriter} and {@link ReplyReader}.
 */
final class RespClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final ReplyReader replies;

    RespClient(int port) throws IOException {
        this(port, 10_000);
    }

    RespClient(int port, int timeoutMillis) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
        replies = new ReplyReader(in);
    }

    Socket socket() {
        return socket;
    }

    OutputStream out() {
        return out;
    }

    /**
     * The socket's input. {@link #readReply} may have read past its reply whatever had arrived: read from
     * here only when no reply is pending behind one read with {@link #readReply}.
     */
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
        List<byte[]> words = new ArrayList<>(args.length);
        for (String a : args) {
            words.add(a.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            new RequestWriter(b).write(words);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
        }
        return b.toByteArray();
    }

    /**
     * One whole reply, raw, checked by toykv-resp's {@link ReplyReader}. Throws EOFException if the server
     * closed the connection first.
     */
    String readReply() throws IOException {
        return new String(replies.readRaw(), StandardCharsets.ISO_8859_1);
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
