package io.toykv.server;

import io.toykv.core.DeferredSync;
import io.toykv.resp.BufferLimitException;
import io.toykv.resp.ProtocolException;
import io.toykv.resp.ReplyWriter;
import io.toykv.resp.RequestParser;
import io.toykv.resp.RespLimits;
import io.toykv.server.command.ClientView;
import io.toykv.server.command.Dispatcher;
import io.toykv.server.command.Session;
import io.toykv.server.command.SessionBinding;
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
 *
 * <p>The common case costs two uncontended lock round trips per read and no copy: a reader that finds
 * no writer and nothing queued becomes the writer and writes its reply buffer as it is ({@link #send}).
 * Each reader thread has its own reply buffer, so a reader started by the watchdog never writes into
 * the buffer the stuck thread is still sending from.
 */
final class Connection implements ClientView {
    /** Bytes read per system call. */
    static final int READ_BUFFER = 16 * 1024;
    /** Initial capacity of each reader's reply buffer. */
    static final int REPLY_BUFFER = 1024;
    /**
     * What each reader thread costs for as long as it runs, charged to its client's query side when it
     * starts: its read buffer, its reply buffer, the parser's line buffer and about 1 KiB of objects.
     * So many idle connections count towards maxmemory-clients too.
     */
    static final int READER_BYTES = READ_BUFFER + REPLY_BUFFER + 64 + 1024;
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
    /** This client's bytes in the server's {@link ClientMemory}; closed with the socket. */
    private final ClientMemory.Account memory;

    // Used by the reader thread only; handed to a new reader under the lock.
    private final RequestParser parser;

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

    Connection(
            ToykvServer server,
            Socket socket,
            Session session,
            Dispatcher dispatcher,
            RespLimits limits,
            long maxOutputBuffer,
            ThreadFactory threads)
            throws IOException {
        this.server = server;
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.session = session;
        this.dispatcher = dispatcher;
        this.limits = limits;
        this.maxOutputBuffer = maxOutputBuffer;
        this.threads = threads;
        this.memory = server.clientMemory()
                .open(
                        Long.toString(session.id()),
                        () -> forceClose("evicted: all clients' buffers past maxmemory-clients"));
        this.parser = new RequestParser(session.authenticated() ? limits : RespLimits.UNAUTHENTICATED, memory.query);
        session.chargeTransactionsTo(memory.query);
    }

    @Override
    public Session session() {
        return session;
    }

    @Override
    public long queryBufferBytes() {
        return parser.chargedBytes(); // read from another thread: a recent value
    }

    @Override
    public long queryBufferFree() {
        return READ_BUFFER; // each read is parsed whole before the next, so the buffer is free between reads
    }

    @Override
    public long replyBufferSize() {
        return REPLY_BUFFER;
    }

    @Override
    public int outputListLength() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long outputBytes() {
        return pendingBytes;
    }

    @Override
    public long totalMemory() {
        return memory.bytes();
    }

    @Override
    public void kill(String reason) {
        forceClose(reason);
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
            if (closed
                    || readingDone
                    || writer == null
                    || reader != writer
                    || session.closeAfterReply()
                    || server.stopping()) {
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
        try {
            memory.query.reserve(READER_BYTES); // before its buffers are allocated
        } catch (BufferLimitException e) {
            closeReason = memory.mustClose() != null ? memory.mustClose() : e.getMessage();
            forceClose(closeReason);
            return;
        }
        byte[] buf = new byte[READ_BUFFER];
        ReplyWriter replies = new ReplyWriter(REPLY_BUFFER, memory.output);
        replies.protocol(session.protocol());
        RequestParser.RequestHandler handler = args -> onRequest(args, replies);
        boolean stillReader = true;
        try (SessionBinding bound = dispatcher.bindToThread(session)) {
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
                if (!runDurably(buf, n, handler, replies)) {
                    replies.clear(); // they would acknowledge writes that may not be on the device
                    server.log().warn("client(" + session.id() + ") disconnected: " + closeReason);
                    forceClose(closeReason);
                    return;
                }
                if (session.closeWithoutReply() != null) {
                    // A reply would have passed a buffer limit: as Redis does, the client's pending
                    // replies are dropped and it is closed without an error for a command that ran.
                    replies.clear();
                    closeReason = session.closeWithoutReply();
                    if (!memory.evicted()) {
                        server.log().warn("client(" + session.id() + ") disconnected: " + closeReason);
                    }
                    forceClose(closeReason);
                    return;
                }
                stillReader = send(replies);
                if (!stillReader) {
                    return; // a newer thread reads now; this one was only finishing a write
                }
                if (session.closeAfterReply()) {
                    break;
                }
                String limitHit = memory.mustClose();
                if (limitHit != null) {
                    closeReason = limitHit;
                    if (!memory.evicted()) {
                        server.log().warn("client(" + session.id() + ") disconnected: " + closeReason);
                    }
                    forceClose(closeReason); // its error reply is out, unless it does not read: then drop it
                    return;
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
        } catch (BufferLimitException e) {
            // The protocol error's reply found no room (the client was evicted meanwhile): just close.
            closeReason = e.getMessage();
            forceClose(closeReason);
            return;
        } catch (RuntimeException e) {
            closeReason = "internal error: " + e;
            server.log().warn("client(" + session.id() + ") " + closeReason);
        } catch (Error e) {
            // An OutOfMemoryError past the buffer budgets, say: the process state is unknown.
            closeReason = "internal error: " + e;
            server.fatal("client(" + session.id() + ") thread failed", e);
        } finally {
            replies.release(); // a reader that hands over to a newer one must not leave its buffer counted
            memory.query.release(READER_BYTES);
        }
        if (stillReader) {
            finishReading();
        }
    }

    /**
     * Runs the requests of one read, then, before any of their replies can be sent, waits until their
     * writes are durable as the sync mode promises ({@link DeferredSync}): with {@code --sync always} a
     * pipeline of writes shares one group commit instead of waiting for one each, as Redis answers
     * after one fsync for all it read. Returns false (the replies must not be sent) if a write could
     * not be made durable.
     */
    private boolean runDurably(byte[] buf, int n, RequestParser.RequestHandler handler, ReplyWriter replies) {
        DeferredSync writes = DeferredSync.begin();
        try {
            parser.feed(buf, 0, n, handler);
        } catch (ProtocolException e) {
            replies.error(e.replyText());
            closeReason = "protocol error: " + e.getMessage();
            session.closeAfterReply(true);
        } finally {
            try {
                writes.close();
            } catch (RuntimeException e) {
                closeReason = "its writes could not be made durable: " + e.getMessage();
                return false; // in a finally: whatever else the requests threw, no reply is sent
            }
        }
        return true;
    }

    /** Runs one parsed request; false stops parsing the rest of the read. */
    private boolean onRequest(List<byte[]> args, ReplyWriter replies) {
        if (server.stopping() || memory.mustClose() != null) {
            return false; // an evicted client runs nothing more: its thread unwinds and its memory is freed
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
        if (session.closeWithoutReply() != null) {
            closeReason = session.closeWithoutReply();
            return false;
        }
        if (session.closeAfterReply()) {
            closeReason = "client asked to close";
            return false;
        }
        return true;
    }

    private static final byte[] POST = "post".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HOST = "host:".getBytes(StandardCharsets.US_ASCII);

    private static boolean isCrossProtocol(byte[] name) {
        return equalsIgnoreAsciiCase(name, POST) || equalsIgnoreAsciiCase(name, HOST);
    }

    /** {@code lower} is lower-case ASCII. */
    private static boolean equalsIgnoreAsciiCase(byte[] b, byte[] lower) {
        if (b.length != lower.length) {
            return false;
        }
        for (int i = 0; i < b.length; i++) {
            int c = b[i];
            if ((c >= 'A' && c <= 'Z' ? c + 32 : c) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Sends the replies of one read (emptying {@code replies}): if no thread is writing and nothing is
     * queued, the caller becomes the writer and writes them straight from the buffer; otherwise they
     * are copied onto the queue. A writer writes until the queue is empty. Returns whether the caller
     * is still the reader afterwards.
     */
    private boolean send(ReplyWriter replies) {
        Thread me = Thread.currentThread();
        int size = replies.size();
        boolean direct = false;
        long queued = 0;
        lock.lock();
        try {
            if (size > 0 && !closed) {
                if (writer == null && queue.isEmpty()) {
                    writer = me;
                    direct = true;
                } else {
                    queue.add(replies.take());
                    memory.addOutput(size); // before a writer can send it and release it
                    queued = size;
                }
                pendingBytes += size;
            }
            if (!direct) {
                replies.clear();
                if (writer != null || queue.isEmpty()) {
                    return reader == me;
                }
                writer = me;
            }
        } finally {
            lock.unlock();
            if (queued > 0) {
                memory.enforceBudget(); // outside the lock: it may evict (close) connections, this one too
            }
        }
        long written = 0;
        if (direct) {
            writingSince = System.nanoTime();
            try {
                replies.writeTo(out);
                written = size;
            } catch (IOException e) {
                replies.clear();
                closeReason = "write failed: " + e.getMessage();
                forceClose(closeReason);
            }
        }
        return drain(me, written);
    }

    /**
     * Writes until the queue is empty, as the writer; closes the socket if reading is done.
     * {@code written}: bytes the caller wrote just before, still counted in {@link #pendingBytes}.
     */
    private boolean drain(Thread me, long written) {
        List<byte[]> batches = null;
        long bytes = written;
        while (true) {
            boolean close = false;
            lock.lock();
            try {
                if (bytes > 0) {
                    pendingBytes = Math.max(0, pendingBytes - bytes);
                    bytes = 0;
                }
                if (queue.isEmpty() || closed) {
                    writer = null;
                    writingSince = 0;
                    close = readingDone && !closed;
                    if (!close) {
                        return reader == me;
                    }
                } else {
                    if (batches == null) {
                        batches = new ArrayList<>();
                    }
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
            long sent = 0;
            try {
                for (byte[] b : batches) {
                    out.write(b);
                    sent += b.length;
                }
            } catch (IOException e) {
                closeReason = "write failed: " + e.getMessage();
                forceClose(closeReason);
            }
            bytes += sent;
            for (byte[] b : batches) {
                memory.releaseOutput(b.length); // sent or dropped: no longer held
            }
            batches.clear();
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
        memory.close();
        dispatcher.connectionClosed(session);
        server.connectionClosed(this, closeReason);
        closedLatch.countDown();
    }
}
