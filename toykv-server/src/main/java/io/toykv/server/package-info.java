/**
 * The server: accepts connections and serves each with blocking sockets.
 *
 * <p>Threads: one {@code toykv-accept} thread runs the accept loop. Each connection has a reader
 * thread that reads, parses and executes requests, and a writer thread that writes the replies, so a
 * client that pipelines a million commands before reading a reply never makes the two wait on each
 * other. They are virtual threads when the JVM has them (JDK 21+), platform threads otherwise.
 * Replies pass from reader to writer through the connection's {@link io.toykv.server.OutputQueue} in
 * batches (all the replies to one read, or 64 KiB), so a pipeline costs a few system calls, not one
 * per reply.
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
