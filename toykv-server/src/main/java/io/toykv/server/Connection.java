package io.toykv.server;

import io.toykv.server.command.Dispatcher;
import io.toykv.server.command.Session;
import io.toykv.server.resp.ProtocolException;
import io.toykv.server.resp.RespLimits;
import io.toykv.server.resp.RespParser;
import io.toykv.server.resp.RespWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client, served by one thread in the common case: read, execute every request in the read,
 * write the replies of the whole read in one batch, read again.
 *
 * <p>Pipelines without deadlock: a client may write a million requests before it reads a reply. Then
 * the server's write blocks (the client's receive buffer is full) while the client's write blocks too
 * (ours is full). So writing never holds up reading: a write that has been blocked for
 * {@link #STALL_NANOS} is noticed by the server's watchdog ({@link #checkStalled}), which starts a new
 * thread to take over reading and executing; the stuck thread stays the writer, drains the replies
 * queued meanwhile and then ends. Exactly one thread is the reader at any time ({@link #reader}), so
 * requests run in order, and replies leave in order through one queue.
 */
final class Connection {
    /** Bytes read per system call. */
    static final int READ_BUFFER = 16 * 1024;
    /** A write blocked this long gets a new reader thread. */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final ToykvServer server;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Session session;
    private final Dispatcher dispatcher;
    private final RespLimits limits;
    private final long maxOutputBuffer;
    private final ThreadFactory threads;
    private final CountDownLatch closedLatch = new CountDownLatch(1);

    // Used by the reader thread only; handed to a new reader under the lock.
    private final RespParser parser;
    private final RespWriter replies = new RespWriter(1024);

    private final ReentrantLock lock = new ReentrantLock();
    // Guarded by lock.
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
    private Thread reader;
    private Thread writer;
    private boolean readingDone;
    private boolean closed;
    // Written under lock, read anywhere.
    private volatile long pendingBytes;
    private volatile long writingSince;
    private volatile String closeReason = "client closed the connection";

    Connection(ToykvServer server, Socket socket, Session session, Dispatcher dispatcher, RespLimits limits,
            long maxOutputBuffer, ThreadFactory threads) throws IOException {
        this.server = server;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.session = session;
        this.dispatcher = dispatcher;
        this.limits = limits;
        this.maxOutputBuffer = maxOutputBuffer;
        this.threads = threads;
        this.parser = new RespParser(session.authenticated() ? limits : RespLimits.UNAUTHENTICATED);
    }

    Session session() {
        return session;
    }

    void start() {
        Thread t = threads.newThread(this::readLoop);
        lock.lock();
        try {
            reader = t;
        } finally {
            lock.unlock();
        }
        t.start();
    }

    /** Shutdown: the reader sees end of stream and stops after the command it is running. */
    void stopReading() {
        try {
            socket.shutdownInput();
        } catch (IOException e) {
            // Already closed: nothing to stop.
        }
    }

    /** Waits until the connection is closed; false if not by the deadline. */
    boolean awaitClosed(long deadlineNanos) throws InterruptedException {
        return closedLatch.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    void forceClose(String reason) {
        closeReason = reason;
        lock.lock();
        try {
            queue.clear();
            pendingBytes = 0;
            readingDone = true;
        } finally {
            lock.unlock();
        }
        closeSocket();
    }

    /** Called by the watchdog: if the reader has been stuck writing, start a new reader. */
    void checkStalled(long nowNanos) {
        long since = writingSince;
        if (since == 0 || nowNanos - since < STALL_NANOS) {
            return;
        }
        Thread helper;
        lock.lock();
        try {
            if (closed || readingDone || writer == null || reader != writer) {
                return;
            }
            helper = threads.newThread(this::readLoop);
            reader = helper;
        } finally {
            lock.unlock();
        }
        helper.start();
    }

    private void readLoop() {
        byte[] buf = new byte[READ_BUFFER];
        boolean stillReader = true;
        try {
            while (stillReader) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    if (pendingBytes > 0 || writingSince != 0) {
                        continue; // the client is busy reading a large reply: not idle
                    }
                    closeReason = "idle for " + server.config().timeoutSeconds() + " s";
                    break;
                }
                if (n < 0) {
                    closeReason = server.stopping() ? "server shut down" : "client closed the connection";
                    break;
                }
                try {
                    parser.feed(buf, 0, n, this::onRequest);
                } catch (ProtocolException e) {
                    replies.error(e.replyText());
                    closeReason = "protocol error: " + e.getMessage();
                    session.closeAfterReply(true);
                }
                stillReader = send(replies.size() > 0 ? replies.take() : null);
                if (session.closeAfterReply()) {
                    break;
                }
                if (server.stopping()) {
                    closeReason = "server shut down";
                    break;
                }
                if (pendingBytes > maxOutputBuffer) {
                    closeReason = "more than " + maxOutputBuffer + " bytes of replies unread";
                    server.log().warn("client(" + session.id() + ") disconnected: " + closeReason);
                    forceClose(closeReason);
                    return;
                }
            }
        } catch (IOException e) {
            if (!socket.isClosed()) {
                closeReason = "read failed: " + e.getMessage();
            }
        } catch (RuntimeException | Error e) {
            closeReason = "internal error: " + e;
            server.log().warn("client(" + session.id() + ") " + closeReason);
        }
        if (stillReader) {
            finishReading();
        }
    }

    /** Runs one parsed request; false stops parsing the rest of the read. */
    private boolean onRequest(List<byte[]> args) {
        if (server.stopping()) {
            return false;
        }
        if (isCrossProtocol(args.get(0))) {
            // As Redis does: "POST" or "Host:" means a browser was made to talk to us. Close, no reply.
            closeReason = "looks like an HTTP request (possible cross-protocol attack)";
            server.log().warn("client(" + session.id() + ") " + closeReason);
            session.closeAfterReply(true);
            return false;
        }
        dispatcher.execute(session, args, replies);
        if (session.authenticated() && parser.limits() != limits) {
            parser.limits(limits);
        }
        if (session.closeAfterReply()) {
            closeReason = "client asked to close";
            return false;
        }
        return true;
    }

    private static boolean isCrossProtocol(byte[] name) {
        String n = new String(name, 0, Math.min(name.length, 8), StandardCharsets.ISO_8859_1);
        return n.equalsIgnoreCase("post") || n.equalsIgnoreCase("host:");
    }

    /**
     * Queues a batch of replies; if no thread is writing, the caller becomes the writer and writes
     * until the queue is empty. Returns whether the caller is still the reader afterwards.
     */
    private boolean send(byte[] batch) {
        Thread me = Thread.currentThread();
        lock.lock();
        try {
            if (batch != null && !closed) {
                queue.add(batch);
                pendingBytes += batch.length;
            }
            if (writer != null || queue.isEmpty()) {
                return reader == me;
            }
            writer = me;
        } finally {
            lock.unlock();
        }
        return drain(me);
    }

    /** Writes until the queue is empty, as the writer; closes the socket if reading is done. */
    private boolean drain(Thread me) {
        List<byte[]> batches = new ArrayList<>();
        while (true) {
            boolean close = false;
            lock.lock();
            try {
                if (queue.isEmpty() || closed) {
                    writer = null;
                    writingSince = 0;
                    close = readingDone && !closed;
                    if (!close) {
                        return reader == me;
                    }
                } else {
                    batches.addAll(queue);
                    queue.clear();
                }
            } finally {
                lock.unlock();
            }
            if (close) {
                closeSocket();
                return false;
            }
            writingSince = System.nanoTime();
            long bytes = 0;
            try {
                for (byte[] b : batches) {
                    out.write(b);
                    bytes += b.length;
                }
            } catch (IOException e) {
                closeReason = "write failed: " + e.getMessage();
                forceClose(closeReason);
            }
            batches.clear();
            lock.lock();
            try {
                pendingBytes = Math.max(0, pendingBytes - bytes);
            } finally {
                lock.unlock();
            }
        }
    }

    /** The reader is done: close now, or let the writer close once the replies are out. */
    private void finishReading() {
        boolean closeNow;
        lock.lock();
        try {
            readingDone = true;
            reader = null;
            closeNow = writer == null;
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            closeSocket();
        }
    }

    private void closeSocket() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lock.unlock();
        }
        try {
            socket.close();
        } catch (IOException e) {
            // Closing: nothing more to do with this socket.
        }
        server.connectionClosed(this, closeReason);
        closedLatch.countDown();
    }
}
