/**
 * The Redis protocol (RESP), both directions, with no dependencies: it knows nothing of the engine, of
 * sockets or of commands. toykv-server reads requests and writes replies with it; toykv-cli and the test
 * clients write requests and read replies with it.
 *
 * <p>Server side. {@link io.toykv.resp.RequestParser} is an explicit state machine fed with whatever
 * bytes a read returned, split anywhere. It accepts RESP2 requests (arrays of bulk strings) and inline
 * commands, split with Redis's quoting rules by {@link io.toykv.resp.QuotingSplitter}. Every limit in
 * {@link io.toykv.resp.RespLimits} is checked digit by digit, before the memory it would cost is
 * allocated. Broken framing is reported as a {@link io.toykv.resp.ProtocolException}, after which the
 * parser is unusable: the caller replies and closes the connection. {@link io.toykv.resp.ReplyWriter}
 * encodes replies in RESP2 or RESP3 into a growable buffer. Both may be given a
 * {@link io.toykv.resp.BufferBudget}: the parser reserves a large request's bulk strings before
 * allocating them, the writer its buffer's growth; a refusal is a
 * {@link io.toykv.resp.BufferLimitException} (a protocol error in the parser).
 *
 * <p>Client side. {@link io.toykv.resp.RequestWriter} encodes commands as arrays of bulk strings onto a
 * stream; {@link io.toykv.resp.ReplyReader} reads one {@link io.toykv.resp.Reply} at a time off a stream,
 * with named limits, reporting a broken stream as a {@link io.toykv.resp.MalformedReplyException} and an
 * end between replies as a {@link io.toykv.resp.ServerClosedException}. {@link io.toykv.resp.QuotingSplitter}
 * is also what turns a typed command line into words.
 *
 * <p>Concurrency: a parser, reader or writer belongs to one connection and is used by one thread at a
 * time; none is thread-safe. {@link io.toykv.resp.RespLimits} and {@link io.toykv.resp.Reply} values are
 * immutable, {@link io.toykv.resp.QuotingSplitter} is stateless.
 */
package io.toykv.resp;
