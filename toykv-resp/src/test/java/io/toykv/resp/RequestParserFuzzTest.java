package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzz of the parser alone: random bytes and mutated requests, fed in random pieces. The only
 * allowed outcomes are requests within the limits and {@link ProtocolException}; any other exception
 * fails the test.
 */
class RequestParserFuzzTest {
    static final long SEED = 4242L;
    static final int ROUNDS = 20_000;
    static final RespLimits LIMITS = new RespLimits(16, 64, 128, 4096);

    @Test
    void randomAndMutatedInputYieldsRequestsOrProtocolErrorsOnly() {
        Random random = new Random(SEED);
        List<String> seeds = List.of(
                "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\nvv\r\n",
                "*1\r\n$4\r\nPING\r\n",
                "GET \"a\\x41\" 'b'\r\n",
                "*0\r\n",
                "*2\r\n$0\r\n\r\n$1\r\nx\r\n");
        int requests = 0;
        int errors = 0;
        for (int round = 0; round < ROUNDS; round++) {
            byte[] input;
            if (round % 4 == 0) {
                input = new byte[1 + random.nextInt(100)];
                random.nextBytes(input);
            } else {
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < 1 + random.nextInt(4); i++) {
                    sb.append(seeds.get(random.nextInt(seeds.size())));
                }
                input = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
                for (int m = 0; m < 1 + random.nextInt(3); m++) {
                    input[random.nextInt(input.length)] = (byte)
                            (random.nextBoolean()
                                    ? random.nextInt(256)
                                    : "0123456789*$-\r\n\"'\\ ".charAt(random.nextInt(19)));
                }
            }
            RequestParser parser = new RequestParser(LIMITS);
            int[] seen = new int[1];
            try {
                int p = 0;
                while (p < input.length) {
                    int n = 1 + random.nextInt(input.length - p);
                    parser.feed(input, p, n, args -> {
                        assertTrue(!args.isEmpty() && args.size() <= LIMITS.maxArgs());
                        for (byte[] a : args) {
                            assertTrue(a.length <= Math.max(LIMITS.maxBulkLength(), LIMITS.maxInlineLength()));
                        }
                        seen[0]++;
                        return true;
                    });
                    p += n;
                }
            } catch (ProtocolException e) {
                errors++;
            }
            requests += seen[0];
        }
        assertTrue(requests > 1000 && errors > 1000, "requests " + requests + ", errors " + errors);
    }
}
