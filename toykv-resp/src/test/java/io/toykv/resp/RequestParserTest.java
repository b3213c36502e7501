package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden request vectors, each also fed split at every byte and one byte at a time. */
class RequestParserTest {

    /** A request stream and the requests it holds, arguments joined by '|'. */
    record Vector(String input, List<String> requests) {}

    static final List<Vector> VECTORS = List.of(
            new Vector("*1\r\n$4\r\nPING\r\n", List.of("PING")),
            new Vector("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", List.of("SET|k|")),
            new Vector("*2\r\n$3\r\nGET\r\n$4\r\na\r\nb\r\n", List.of("GET|a\r\nb")),
            new Vector("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n", List.of("PING")),
            new Vector("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", List.of("PING", "ECHO|hi")),
            new Vector("PING\r\n", List.of("PING")),
            new Vector("PING\n", List.of("PING")),
            new Vector("\r\n\n   \r\nPING\r\n", List.of("PING")),
            new Vector("SET k \"a b\\x41\\n\"\r\nGET 'k'\r\n", List.of("SET|k|a bA\n", "GET|k")),
            new Vector("GET k\r\n*1\r\n$4\r\nPING\r\nECHO x\n", List.of("GET|k", "PING", "ECHO|x")),
            new Vector("GET a\0b c\r\nECHO \"x\"\0\"\r\n", List.of("GET|a", "ECHO|x")));

    static List<String> parseAll(RequestParser p, byte[] input, int... cuts) throws ProtocolException {
        List<String> out = new ArrayList<>();
        int from = 0;
        for (int cut : cuts) {
            p.feed(input, from, cut - from, r -> out.add(join(r)));
            from = cut;
        }
        p.feed(input, from, input.length - from, r -> out.add(join(r)));
        return out;
    }

    static String join(List<byte[]> args) {
        List<String> s = new ArrayList<>();
        for (byte[] a : args) {
            s.add(new String(a, StandardCharsets.ISO_8859_1));
        }
        return String.join("|", s);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void parsesEveryGoldenVectorWhole() throws ProtocolException {
        for (Vector v : VECTORS) {
            assertEquals(v.requests(), parseAll(new RequestParser(RespLimits.defaults()), bytes(v.input())), v.input());
        }
    }

    @Test
    void parsesEveryGoldenVectorSplitAtEveryByte() throws ProtocolException {
        for (Vector v : VECTORS) {
            byte[] in = bytes(v.input());
            for (int cut = 0; cut <= in.length; cut++) {
                assertEquals(
                        v.requests(),
                        parseAll(new RequestParser(RespLimits.defaults()), in, cut),
                        v.input() + " cut at " + cut);
            }
        }
    }

    @Test
    void parsesEveryGoldenVectorOneByteAtATime() throws ProtocolException {
        for (Vector v : VECTORS) {
            byte[] in = bytes(v.input());
            int[] cuts = new int[in.length];
            for (int i = 0; i < in.length; i++) {
                cuts[i] = i;
            }
            assertEquals(v.requests(), parseAll(new RequestParser(RespLimits.defaults()), in, cuts), v.input());
        }
    }

    @Test
    void handlerReturningFalseStopsAtTheRequestBoundary() throws ProtocolException {
        RequestParser p = new RequestParser(RespLimits.defaults());
        byte[] in = bytes("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n");
        int consumed = p.feed(in, 0, in.length, r -> false);
        assertEquals(14, consumed);
        assertTrue(p.idle());
    }

    static ProtocolException error(String input) {
        return error(RespLimits.defaults(), input);
    }

    static ProtocolException error(RespLimits limits, String input) {
        byte[] in = bytes(input);
        // The error must come whether the bytes arrive whole or one at a time.
        ProtocolException whole = assertThrows(
                ProtocolException.class, () -> new RequestParser(limits).feed(in, 0, in.length, r -> true));
        RequestParser p = new RequestParser(limits);
        ProtocolException split = assertThrows(ProtocolException.class, () -> {
            for (int i = 0; i < in.length; i++) {
                p.feed(in, i, 1, r -> true);
            }
        });
        assertEquals(whole.getMessage(), split.getMessage());
        return whole;
    }

    @Test
    void brokenFramingIsAProtocolErrorWithRedisWording() {
        assertEquals("invalid multibulk length", error("*x\r\n").getMessage());
        assertEquals("invalid multibulk length", error("*\r\n").getMessage());
        assertEquals("invalid multibulk length", error("*1\rX").getMessage());
        assertEquals("expected '$', got ':'", error("*1\r\n:1\r\n").getMessage());
        assertEquals("invalid bulk length", error("*1\r\n$-1\r\n").getMessage());
        assertEquals("invalid bulk length", error("*1\r\n$\r\n").getMessage());
        assertEquals("invalid bulk length", error("*1\r\n$1x\r\n").getMessage());
        assertEquals(
                "bulk data not followed by CRLF", error("*1\r\n$1\r\nab\r\n").getMessage());
        assertEquals("unbalanced quotes in request", error("GET \"k\r\n").getMessage());
        assertEquals(
                "ERR Protocol error: invalid bulk length",
                error("*1\r\n$-1\r\n").replyText());
    }

    @Test
    void argumentCountOverTheLimitIsRefusedBeforeReadingArguments() {
        RespLimits limits = new RespLimits(4, 100, 100, 10_000);
        assertEquals("invalid multibulk length", error(limits, "*5\r\n").getMessage());
        assertEquals(
                "invalid multibulk length",
                error(limits, "*99999999999999999999999999").getMessage(),
                "the count is refused at the digit that passes the limit, with no CRLF yet");
    }

    @Test
    void bulkLengthOverTheLimitIsRefusedBeforeAllocating() {
        RespLimits limits = new RespLimits(4, 100, 100, 10_000);
        assertEquals("invalid bulk length", error(limits, "*1\r\n$101\r\n").getMessage());
        assertEquals(
                "invalid bulk length",
                error(limits, "*1\r\n$999999999999999999999").getMessage());
    }

    @Test
    void bulkLengthAtTheLimitIsAccepted() throws ProtocolException {
        RespLimits limits = new RespLimits(4, 100, 100, 10_000);
        String v = "x".repeat(100);
        assertEquals(
                List.of("SET|k|" + v),
                parseAll(new RequestParser(limits), bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100\r\n" + v + "\r\n")));
    }

    @Test
    void inlineLineOverTheLimitIsRefused() throws ProtocolException {
        RespLimits limits = new RespLimits(4, 100, 16, 10_000);
        assertEquals(
                "too big inline request", error(limits, "x".repeat(17) + "\r\n").getMessage());
        assertEquals(
                "too big inline request",
                error(limits, "x".repeat(100)).getMessage(),
                "refused while the line is still open");
        assertEquals(List.of("x".repeat(16)), parseAll(new RequestParser(limits), bytes("x".repeat(16) + "\r\n")));
    }

    @Test
    void requestBytesOverTheLimitAreRefused() {
        RespLimits limits = new RespLimits(100, 100, 100, 3 * (50 + RespLimits.ARG_OVERHEAD));
        String arg = "$50\r\n" + "y".repeat(50) + "\r\n";
        assertEquals(
                "request larger than " + limits.maxRequestBytes() + " bytes",
                error(limits, "*4\r\n" + arg + arg + arg + "$50\r\n").getMessage());
    }

    @Test
    void limitsCanBeRaisedBetweenRequests() throws ProtocolException {
        RequestParser p = new RequestParser(RespLimits.UNAUTHENTICATED);
        byte[] big = bytes("*11\r\n" + "$1\r\na\r\n".repeat(11));
        assertEquals(
                "unauthenticated multibulk length",
                assertThrows(
                                ProtocolException.class,
                                () -> new RequestParser(RespLimits.UNAUTHENTICATED).feed(big, 0, big.length, r -> true))
                        .getMessage());
        p.limits(RespLimits.defaults());
        List<String> out = new ArrayList<>();
        p.feed(big, 0, big.length, r -> out.add(join(r)));
        assertEquals(1, out.size());
    }

    @Test
    void feedingAfterAnErrorIsRefused() {
        RequestParser p = new RequestParser(RespLimits.defaults());
        byte[] bad = bytes("*x\r\n");
        assertThrows(ProtocolException.class, () -> p.feed(bad, 0, bad.length, r -> true));
        assertThrows(IllegalStateException.class, () -> p.feed(bad, 0, 1, r -> true));
    }
}
