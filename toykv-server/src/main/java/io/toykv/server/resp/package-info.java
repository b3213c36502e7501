/**
 * The RESP codec: requests in, replies out. It knows nothing of the engine or of sockets.
 *
 * <p>{@link io.toykv.server.resp.RespParser} is an explicit state machine fed with whatever bytes a
 * read returned, split anywhere. It accepts RESP2 requests (arrays of bulk strings) and inline commands
 * with Redis's quoting rules ({@link io.toykv.server.resp.InlineSplitter}). Every limit in
 * {@link io.toykv.server.resp.RespLimits} is checked digit by digit, before the memory it would cost is
 * allocated. Broken framing is reported as a {@link io.toykv.server.resp.ProtocolException}, after which
 * the parser is unusable: the caller replies and closes the connection.
 *
 * <p>{@link io.toykv.server.resp.RespWriter} encodes replies in RESP2 or RESP3 into a growable buffer.
 *
 * <p>Both may be given a {@link io.toykv.server.resp.BufferBudget}: the parser reserves a large
 * request's bulk strings before allocating them, the writer its buffer's growth; a refusal is a
 * {@link io.toykv.server.resp.BufferLimitException} (a protocol error in the parser).
 *
 * <p>Concurrency: a parser and a writer belong to one connection and are used by one thread at a time;
 * neither is thread-safe. {@link io.toykv.server.resp.RespLimits} is immutable.
 */
package io.toykv.server.resp;
