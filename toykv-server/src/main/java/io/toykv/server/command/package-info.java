/**
 * The commands: what each RESP request does to the store and what it replies.
 *
 * <p>{@link io.toykv.server.command.Dispatcher} looks a request's name up in the
 * {@link io.toykv.server.command.CommandTable}, checks arity and authentication, runs the handler and
 * turns every exception into an error reply: a bad key ({@link IllegalArgumentException}), an I/O
 * failure of the store ({@link java.io.UncheckedIOException}, e.g. disk full) or a closed store
 * ({@link IllegalStateException}) never reaches the connection as an exception. Handlers see the
 * engine only through {@link io.toykv.server.command.Keyspace} and the server only through
 * {@link io.toykv.server.command.ServerControl}.
 *
 * <p>Concurrency: handlers run on the connection threads, many at once. Per-connection state lives in
 * {@link io.toykv.server.command.Session} and is touched only by its connection's thread. Writes to a
 * key (SET, DEL, MSET, ...) hold that key's stripe of {@link io.toykv.server.command.KeyLocks}, so
 * {@code SET NX}, {@code SET XX}, {@code SET GET}, the counters (INCR...) and the other read-modify-writes
 * (APPEND, SETRANGE, GETDEL, GETSET, SETNX, GETEX, EXPIRE with NX/XX/GT/LT) are atomic against every
 * other write through the server; SET NX and XX are besides the store's conditional puts.
 * Commands over several keys (MSETNX, RENAME, COPY) hold all their keys' stripes, taken in stripe order
 * ({@link io.toykv.server.command.KeyLocks#withKeys}) so that two of them cannot deadlock; outside a
 * transaction, readers may see such a command's writes one by one. Reads take no key lock. CLIENT LIST reads other
 * connections' figures ({@link io.toykv.server.command.ClientView}) without stopping them. The stores's
 * own thread-safety covers the rest.
 *
 * <p>Transactions: every command runs holding the {@link io.toykv.server.command.IsolationLock} shared;
 * EXEC holds it exclusively while it runs its queued commands, so no other client's command runs in
 * between. Every write reaches the store through {@link io.toykv.server.command.CommandKeyspace},
 * which reports it to the {@link io.toykv.server.command.WatchRegistry} (WATCH) and, during EXEC,
 * collects it in the transaction's {@link io.toykv.server.command.TransactionWrites}.
 *
 * <p>Expiry: times are the store's (milliseconds since the epoch by its clock,
 * {@link io.toykv.server.command.Keyspace#now}); the store hides and removes expired keys, so no
 * command checks a time itself except EXEC, which fails once a WATCHed key's expiry has passed.
 */
package io.toykv.server.command;
