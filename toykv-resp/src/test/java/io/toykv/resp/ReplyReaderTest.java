package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReplyReaderTest {

    /** Golden vectors: wire bytes and the reply they mean. */
    private static final List<Object[]> VECTORS = List.of(
            new Object[] {"+OK\r\n", new Reply.Status("OK")},
            new Object[] {"+\r\n", new Reply.Status("")},
            new Object[] {"-ERR unknown command 'x'\r\n", new Reply.Error("ERR unknown command 'x'")},
            new Object[] {":0\r\n", new Reply.Int(0)},
            new Object[] {":-42\r\n", new Reply.Int(-42)},
            new Object[] {":9223372036854775807\r\n", new Reply.Int(Long.MAX_VALUE)},
            new Object[] {":-9223372036854775808\r\n", new Reply.Int(Long.MIN_VALUE)},
            new Object[] {"$2\r\nv1\r\n", Reply.Bulk.of("v1")},
            new Object[] {"$0\r\n\r\n", Reply.Bulk.of("")},
            new Object[] {"$4\r\na\r\nb\r\n", Reply.Bulk.of("a\r\nb")},
            new Object[] {"$-1\r\n", Reply.Nil.NIL},
            new Object[] {"*-1\r\n", Reply.Nil.NIL},
            new Object[] {"*0\r\n", new Reply.Array(List.of())},
            new Object[] {
                "*2\r\n$1\r\na\r\n*1\r\n:1\r\n",
                new Reply.Array(List.of(Reply.Bulk.of("a"), new Reply.Array(List.of(new Reply.Int(1)))))
            },
            new Object[] {"_\r\n", Reply.Nil.NIL},
            new Object[] {"#t\r\n", new Reply.Bool(true)},
            new Object[] {",3.14\r\n", new Reply.Number("3.14", false)},
            new Object[] {
                "(3492890328409238509324850943850943825024385\r\n",
                new Reply.Number("3492890328409238509324850943850943825024385", true)
            },
            new Object[] {"=15\r\ntxt:Some string\r\n", Reply.Bulk.of("Some string")},
            new Object[] {"!9\r\nERR oops!\r\n", new Reply.Error("ERR oops!")},
            new Object[] {"%1\r\n+k\r\n:1\r\n", new Reply.Map(List.of(new Reply.Status("k"), new Reply.Int(1)))},
            new Object[] {"~1\r\n+a\r\n", new Reply.Array(List.of(new Reply.Status("a")))},
            new Object[] {"|1\r\n+ttl\r\n:3\r\n+OK\r\n", new Reply.Status("OK")});

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsEveryGoldenVector() throws IOException {
        for (Object[] v : VECTORS) {
            assertEquals(v[1], new ReplyReader(new ByteArrayInputStream(bytes((String) v[0]))).read(), (String) v[0]);
        }
    }

    @Test
    void readsEveryVectorSplitAtEveryByte() throws IOException {
        for (Object[] v : VECTORS) {
            byte[] wire = bytes((String) v[0]);
            for (int split = 1; split < wire.length; split++) {
                ReplyReader reader = new ReplyReader(new ShortReads(wire, split));
                assertEquals(v[1], reader.read(), v[0] + " split at " + split);
            }
        }
    }

    @Test
    void readsPipelinedRepliesInOrder() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object[] v : VECTORS) {
            all.writeBytes(bytes((String) v[0]));
        }
        ReplyReader reader = new ReplyReader(new ShortReads(all.toByteArray(), 3));
        for (Object[] v : VECTORS) {
            assertEquals(v[1], reader.read());
        }
        EOFException end = assertThrows(EOFException.class, reader::read);
        assertEquals("Server closed the connection", end.getMessage());
    }

    @Test
    void readRawGivesEachReplysBytesAsSentWhereverTheReadsSplitThem() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object[] v : VECTORS) {
            all.writeBytes(bytes((String) v[0]));
        }
        for (int chunk : new int[] {1, 2, 3, 7, 64 * 1024}) {
            ReplyReader reader = new ReplyReader(new ShortReads(all.toByteArray(), chunk));
            for (Object[] v : VECTORS) {
                assertEquals(v[0], new String(reader.readRaw(), StandardCharsets.UTF_8), "chunk " + chunk);
            }
            assertThrows(ServerClosedException.class, reader::readRaw);
        }
    }

    @Test
    void readRawSpansBufferRefillsAndMixesWithRead() throws IOException {
        String big = "$200000\r\n" + "v".repeat(200_000) + "\r\n";
        ReplyReader reader = new ReplyReader(new ShortReads(bytes("+first\r\n" + big + ":7\r\n"), 50_000));
        assertEquals(new Reply.Status("first"), reader.read());
        assertEquals(big, new String(reader.readRaw(), StandardCharsets.UTF_8));
        assertEquals(new Reply.Int(7), reader.read());
    }

    @Test
    void readRawChecksFramingAsReadDoes() {
        assertThrows(
                MalformedReplyException.class, () -> rawReader("$3\r\nabcd\r\n").readRaw());
        assertThrows(
                MalformedReplyException.class,
                () -> rawReader("*2\r\n:1\r\n?\r\n").readRaw());
        EOFException e =
                assertThrows(EOFException.class, () -> rawReader("*2\r\n:1\r\n").readRaw());
        assertEquals("Server closed the connection in the middle of a reply", e.getMessage());
    }

    private static ReplyReader rawReader(String wire) {
        return new ReplyReader(new ShortReads(bytes(wire), 2));
    }

    @Test
    void truncatedReplyIsAnEofMidReply() {
        EOFException e = assertThrows(EOFException.class, () -> read("$5\r\nab"));
        assertEquals("Server closed the connection in the middle of a reply", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "?\r\n",
                "+OK\n",
                "+OK\rX",
                "+a\nb\r\n",
                ":\r\n",
                ":12a\r\n",
                ":-\r\n",
                ":1 \r\n",
                ":99999999999999999999\r\n",
                ":9223372036854775808\r\n",
                "$-2\r\n",
                "$3\r\nabcd\r\n",
                "$3\r\nabc\n\n",
                "*-2\r\n",
                "#x\r\n",
                "=2\r\nab\r\n",
                "$+1\r\na\r\n"
            })
    void brokenFramingIsAProtocolError(String wire) {
        assertThrows(MalformedReplyException.class, () -> read(wire));
    }

    @Test
    void bulkLongerThanTheLimitIsRefusedBeforeAllocating() {
        MalformedReplyException e = assertThrows(
                MalformedReplyException.class, () -> read("$" + (ReplyReader.MAX_BULK_LENGTH + 1L) + "\r\n"));
        assertTrue(e.getMessage().contains("bulk string length"), e.getMessage());
    }

    @Test
    void arrayLongerThanTheLimitIsRefused() {
        assertThrows(MalformedReplyException.class, () -> read("*" + (ReplyReader.MAX_AGGREGATE_LENGTH + 1L) + "\r\n"));
    }

    @Test
    void lineLongerThanTheLimitIsRefused() {
        String wire = "+" + "x".repeat(ReplyReader.MAX_LINE_LENGTH + 1) + "\r\n";
        ReplyReader reader = new ReplyReader(new ShortReads(bytes(wire), 1000));
        assertThrows(MalformedReplyException.class, reader::read);
    }

    @Test
    void nestingDeeperThanTheLimitIsRefused() {
        String wire = "*1\r\n".repeat(ReplyReader.MAX_DEPTH + 1) + ":1\r\n";
        assertThrows(MalformedReplyException.class, () -> read(wire));
        String ok = "*1\r\n".repeat(ReplyReader.MAX_DEPTH) + ":1\r\n";
        org.junit.jupiter.api.Assertions.assertDoesNotThrow(() -> read(ok));
    }

    @Test
    void seededFuzzGivesAReplyOrAnIoExceptionOnly() {
        Random random = new Random(20240601);
        byte[] alphabet = bytes("+-:$*_#,(=!%~|>\r\n0123456789-tfabc");
        for (int round = 0; round < 20_000; round++) {
            byte[] wire = new byte[1 + random.nextInt(24)];
            for (int i = 0; i < wire.length; i++) {
                wire[i] =
                        random.nextInt(8) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
            }
            try {
                new ReplyReader(new ByteArrayInputStream(wire)).read();
            } catch (IOException expected) {
                // MalformedReplyException or EOFException: both fine
            }
        }
    }

    private static Reply read(String wire) throws IOException {
        return new ReplyReader(new ByteArrayInputStream(bytes(wire))).read();
    }

    /** Returns at most {@code chunk} bytes per read, as a slow socket would. */
    static final class ShortReads extends InputStream {
        private final byte[] data;
        private final int chunk;
        private int pos;

        ShortReads(byte[] data, int chunk) {
            this.data = data;
            this.chunk = chunk;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, chunk), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
