package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Golden reply bytes in RESP2 and RESP3. */
class ReplyWriterTest {

    static String text(ReplyWriter w) {
        return new String(w.take(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void writesResp2() {
        ReplyWriter w = new ReplyWriter();
        w.ok().simple("PONG")
                .error("ERR bad\r\nthing")
                .integer(-42)
                .integer(7)
                .bulk("hé")
                .bulk((byte[]) null)
                .nullArray()
                .arrayHeader(2)
                .mapHeader(2)
                .verbatim("a:b");
        assertEquals(
                "+OK\r\n+PONG\r\n-ERR bad  thing\r\n:-42\r\n:7\r\n$3\r\nh\u00c3\u00a9\r\n$-1\r\n*-1\r\n*2\r\n*4\r\n"
                        + "$3\r\na:b\r\n",
                text(w));
    }

    @Test
    void writesResp3() {
        ReplyWriter w = new ReplyWriter();
        w.protocol(3);
        w.bulk((byte[]) null).nullArray().mapHeader(2).verbatim("a:b");
        assertEquals("_\r\n_\r\n%2\r\n=7\r\ntxt:a:b\r\n", text(w));
    }

    @Test
    void takeEmptiesAndTruncateDropsReplies() {
        ReplyWriter w = new ReplyWriter(16);
        w.integer(1);
        int mark = w.size();
        w.bulk("x".repeat(100));
        w.truncate(mark);
        assertEquals(":1\r\n", text(w));
        assertEquals(0, w.size());
        w.integer(Long.MIN_VALUE);
        assertEquals(":-9223372036854775808\r\n", text(w));
    }
}
