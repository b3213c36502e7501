package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Golden reply bytes in RESP2 and RESP3. */
class ReplyWriterTest {

    static String text(ReplyWriter w) {
        return new String(w.take(), StandardCharsets.ISO_8859_1);
    }

    /**
     * A large bulk string grows the buffer by about its own size, not to the double that growth for
     * small replies takes, so an output limit sized for the largest value lets its reply through; small
     * replies after it fit in what is left.
     */
    @Test
    void aLargeBulkGrowsTheBufferByItsSizeOnly() {
        long[] reserved = new long[1];
        BufferBudget budget = new BufferBudget() {
            @Override
            public void reserve(long bytes) {
                reserved[0] += bytes;
            }

            @Override
            public void release(long bytes) {
                reserved[0] -= bytes;
            }
        };
        ReplyWriter w = new ReplyWriter(256, budget);
        byte[] value = new byte[3 << 20];
        value[value.length - 1] = 'z';
        w.simple("PONG").bulk(value);
        long afterBulk = reserved[0];
        w.simple("PONG").integer(12345);
        assertEquals(afterBulk, reserved[0], "small replies after it need no growth");
        assertTrue(afterBulk <= value.length + 1024, "reserved " + afterBulk + " for " + value.length);
        String text = text(w);
        assertTrue(text.startsWith("+PONG\r\n$" + value.length + "\r\n"), text.substring(0, 20));
        assertTrue(text.endsWith("z\r\n+PONG\r\n:12345\r\n"));
        assertEquals(7 + 10 + value.length + 2 + 7 + 8, text.length());
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
