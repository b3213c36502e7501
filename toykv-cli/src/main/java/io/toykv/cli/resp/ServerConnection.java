package io.toykv.cli.resp;

import io.toykv.resp.Reply;
import io.toykv.resp.ReplyReader;
import io.toykv.resp.RequestWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;

/**
 * One TCP connection to a RESP server. Requests may be pipelined: {@link #send} any number of commands,
 * {@link #flush}, then {@link #read} one reply per command in order. Not thread-safe, except that one
 * thread may send while another reads. {@link #close()} may be called from any thread (it is how a
 * running command is interrupted) and a second call does nothing.
 */
public final class ServerConnection implements AutoCloseable {
    public static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    private static final int OUTPUT_BUFFER = 64 * 1024;

    private final Socket socket;
    private final RequestWriter writer;
    private final ReplyReader reader;

    private ServerConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.writer = new RequestWriter(new BufferedOutputStream(socket.getOutputStream(), OUTPUT_BUFFER));
        this.reader = new ReplyReader(socket.getInputStream());
    }

    /** Connects, or throws an IOException whose message says why (e.g. "Connection refused"). */
    public static ServerConnection open(String host, int port) throws IOException {
        return open(host, port, 0);
    }

    /**
     * As {@link #open(String, int)}, with {@code timeoutMillis} (0: none) bounding both the connect
     * (else {@link #CONNECT_TIMEOUT_MILLIS}) and every wait for reply bytes: a silent server then
     * makes {@link #read} throw a {@link java.net.SocketTimeoutException} ("Read timed out").
     */
    public static ServerConnection open(String host, int port, int timeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(timeoutMillis);
            socket.connect(
                    new InetSocketAddress(host, port), timeoutMillis > 0 ? timeoutMillis : CONNECT_TIMEOUT_MILLIS);
            return new ServerConnection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    public void send(List<byte[]> command) throws IOException {
        writer.write(command);
    }

    public void flush() throws IOException {
        writer.flush();
    }

    public Reply read() throws IOException {
        return reader.read();
    }

    /** Sends one command and waits for its reply. */
    public Reply call(List<byte[]> command) throws IOException {
        send(command);
        flush();
        return read();
    }

    /**
     * Bounds each later wait for reply bytes to {@code millis} (0: none), until set again. A read that
     * times out leaves the reply half read: the caller must then close the connection.
     */
    public void setReplyTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    public boolean isClosed() {
        return socket.isClosed();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to release: the socket is gone either way.
        }
    }
}
