package io.toykv.server;

import io.toykv.server.command.Dispatcher;
import io.toykv.server.command.Session;
import io.toykv.server.resp.ProtocolException;
import io.toykv.server.resp.RespLimits;
import io.toykv.server.resp.RespParser;
import io.toykv.server.resp.RespWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One client: a reader thread ({@link #readLoop()}) that parses and executes requests, and a writer
 * thread ({@link #writeLoop()}) that sends the replies. The reader never writes to the socket, so it
 * keeps reading while a client that pipelines without reading lets replies pile up (up to the output
 * limit); the writer closes the socket when the reader is done and the replies are out.
 */
final class Connection {
    /** Bytes read per system call. */
    static final int READ_BUFFER = 16 * 1024;
    /** Replies are handed to the writer after each read, or sooner once this many bytes are pending. */
    static final int BATCH_BYTES = 64 * 1024;

    private final ToykvServer server;
    private final Socket socket;
    private final Session session;
    private final Dispatcher dispatcher;
    private final RespLimits limits;
    private final RespParser parser;
    private final RespWriter replies = new RespWriter(1024);
    private final OutputQueue queue = new OutputQueue();
    private final long maxOutputBuffer;

    private volatile Thread reader;
    private volatile Thread writer;
    private volatile String closeReason = "client closed the connection";

    Connection(ToykvServer server, Socket socket, Session session, Dispatcher dispatcher, RespLimits limits,
            long maxOutputBuffer) {
        this.server = server;
        this.socket = socket;
        this.session = session;
        this.dispatcher = dispatcher;
        this.limits = limits;
        this.maxOutputBuffer = maxOutputBuffer;
        this.parser = new RespParser(session.authenticated() ? limits : RespLimits.UNAUTHENTICATED);
    }

    Session session() {
        return session;
    }

    void start(java.util.concurrent.ThreadFactory threads) {
        writer = threads.newThread(this::writeLoop);
        reader = threads.newThread(this::readLoop);
        writer.start();
        reader.start();
    }

    /** Shutdown: the reader stops after its current command (reads see end of stream). */
    void stopReading() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            // Already closed: the reader is ending anyway.
        }
    }

    /** Waits for both threads; false if they did not end in time. */
    boolean await(long deadlineNanos) throws InterruptedException {
        for (Thread t : new Thread[] {reader, writer}) {
            long left = deadlineNanos - System.nanoTime();
            if (t == null) {
                continue;
            }
            if (left > 0) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            if (t.isAlive()) {
                return false;
            }
        }
        return true;
    }

    void forceClose() {
        closeReason = "server shut down";
        closeQuietly();
    }

    private void readLoop() {
        byte[] buf = new byte[READ_BUFFER];
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    if (queue.pendingBytes() > 0) {
                        continue; // the client is busy reading a large reply: not idle
                    }
                    closeReason = "idle for " + server.config().timeoutSeconds() + " s";
                    break;
                }
                if (n < 0) {
                    if (server.stopping()) {
                        closeReason = "server shut down";
                    }
                    break;
                }
                try {
                    parser.feed(buf, 0, n, this::onRequest);
                } catch (ProtocolException e) {
                    replies.error(e.replyText());
                    closeReason = "protocol error: " + e.getMessage();
                    session.closeAfterReply(true);
                }
                handOff();
                if (session.closeAfterReply() || server.stopping()) {
                    if (server.stopping() && !session.closeAfterReply()) {
                        closeReason = "server shut down";
                    }
                    break;
                }
                if (queue.pendingBytes() > maxOutputBuffer) {
                    closeReason = "output buffer over " + maxOutputBuffer + " bytes (client not reading)";
                    server.log().warn("client(" + session.id() + ") " + closeReason);
                    queue.fail();
                    closeQuietly();
                    break;
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                closeReason = "read failed: " + e.getMessage();
            }
        } catch (RuntimeException | Error e) {
            closeReason = "internal error: " + e;
            server.log().warn("client(" + session.id() + ") " + closeReason);
        } finally {
            handOff();
            queue.close();
        }
    }

    /** Runs one parsed request; false stops parsing the rest of the read. */
    private boolean onRequest(List<byte[]> args) {
        if (server.stopping()) {
            return false;
        }
        if (isHttpOrCrossProtocol(args.get(0))) {
            // As Redis does: "POST" and "Host:" mean a browser was tricked into talking to us.
            closeReason = "looks like an HTTP request (possible cross-protocol attack)";
            server.log().warn("client(" + session.id() + ") " + closeReason);
            session.closeAfterReply(true);
            return false;
        }
        dispatcher.execute(session, args, replies);
        if (session.authenticated() && parser.limits() != limits) {
            parser.limits(limits);
        }
        if (replies.size() >= BATCH_BYTES) {
            handOff();
        }
        if (session.closeAfterReply()) {
            closeReason = "client asked to close";
            return false;
        }
        return true;
    }

    private static boolean isHttpOrCrossProtocol(byte[] name) {
        String n = new String(name, 0, Math.min(name.length, 8), StandardCharsets.US_ASCII);
        return n.equalsIgnoreCase("post") || n.equalsIgnoreCase("host:");
    }

    private void handOff() {
        if (replies.size() > 0) {
            queue.push(replies.take());
        }
    }

    private void writeLoop() {
        try (OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024)) {
            while (true) {
                List<byte[]> batch = queue.takeAll();
                if (batch.isEmpty()) {
                    break;
                }
                long bytes = 0;
                for (byte[] b : batch) {
                    out.write(b);
                    bytes += b.length;
                }
                out.flush();
                queue.written(bytes);
            }
        } catch (IOException e) {
            queue.fail();
            if (!socket.isClosed()) {
                closeReason = "write failed: " + e.getMessage();
            }
        } catch (InterruptedException e) {
            queue.fail();
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly();
            Thread r = reader;
            if (r != null && r != Thread.currentThread()) {
                try {
                    // The socket is closed: the reader ends promptly.
                    r.join(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            server.connectionClosed(this, closeReason);
        }
    }

    /** Waits until the replies queued so far are written (tests and shutdown). */
    boolean drain(long millis) throws InterruptedException {
        return queue.awaitDrained(millis, TimeUnit.MILLISECONDS);
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing left to do with this socket.
        }
    }
}
