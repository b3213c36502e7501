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
 */
package io.toykv.server;
