package io.toykv.server.command;

import io.toykv.resp.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/** Runs requests through a dispatcher as a connection would, for tests: the reply as raw text. */
final class Requests {
    private Requests() {}

    static List<byte[]> args(String... a) {
        return Arrays.stream(a).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    /** The reply's bytes as ISO-8859-1 text (empty when there is none). */
    static String run(Dispatcher d, Session s, String... a) {
        ReplyWriter out = new ReplyWriter();
        d.execute(s, args(a), out);
        return new String(out.take(), StandardCharsets.ISO_8859_1);
    }
}
