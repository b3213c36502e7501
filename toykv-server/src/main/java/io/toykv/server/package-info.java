/**
 * The server: accepts connections and serves each with blocking sockets.
 *
 * <p>Threads: one {@code toykv-accept} thread runs the accept loop. Each connection has one thread
 * that reads, parses and executes requests and writes the replies of each read in one batch (one
 * system call per read, not one per reply); if such a write stays blocked (a client that pipelines a
 * million commands before it reads a reply), the {@code toykv-watchdog} thread starts a second thread
 * for the connection that takes over reading while the first finishes writing (see
 * {@link io.toykv.server.Connection}). They are virtual threads when the JVM has them (JDK 21+),
 * run by one carrier thread per CPU unless {@code --carrier-threads} says otherwise
 * ({@code Threads.configureCarriers}, called by {@code ServerMain} before any virtual thread exists),
 * platform threads otherwise. A client past {@code --max-clients} is refused on a short-lived
 * {@code toykv-reject-N} thread (at most {@code ToykvServer.MAX_PENDING_REJECTIONS} at once, each done
 * within {@code REJECTION_LINGER_MILLIS}), so the accept loop never waits on a client.
 *
 * <p>Shutdown (SIGTERM, SIGINT, SHUTDOWN): stop accepting; each reader stops before its next command;
 * the writers flush the replies of every command that ran; then the store is closed (flushed and
 * forced) and the process exits 0. A reply is queued only after its write returned from the store,
 * so every acknowledged write is in the store before the store is closed.
 *
 * <p>Nothing a client sends may stop the server: protocol errors close that connection, command
 * errors become error replies (see {@link io.toykv.server.command.Dispatcher}).
 *
 * <p>Memory: every connection's query and reply buffers are counted in one {@code ClientMemory}
 * (reserved before they are allocated, with an atomic add); past {@code maxmemory-clients} the
 * clients with the largest buffers are evicted, past {@code client-output-buffer-limit} a client is
 * closed. Failure is loud: an {@link java.lang.Error} in any server thread, a failure of the accept loop
 * or the watchdog, and the store's background failures ({@code StoreOptions.onBackgroundFailure}) are
 * logged as FATAL and run {@code ServerConfig.fatalAction()}, which in the process is a halt with exit
 * status 70 ({@code ServerMain} also installs a default uncaught-exception handler that does the same).
 */
package io.toykv.server;
