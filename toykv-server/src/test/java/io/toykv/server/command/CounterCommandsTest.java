package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.StoreOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class CounterCommandsTest extends FixtureTest {
    private static final String NOT_INTEGER = "-ERR value is not an integer or out of range\r\n";
    private static final String NOT_FLOAT = "-ERR value is not a valid float\r\n";

    @Test
    void incrAndDecrStartFromZeroAndStoreDecimalText() {
        assertEquals(":1\r\n", f.call("INCR", "n"));
        assertEquals(":2\r\n", f.call("incr", "n"));
        assertEquals(":1\r\n", f.call("DECR", "n"));
        assertEquals(":-1\r\n", f.call("DECR", "m"));
        assertEquals(":101\r\n", f.call("INCRBY", "n", "100"));
        assertEquals(":-99\r\n", f.call("DECRBY", "n", "200"));
        assertEquals("$3\r\n-99\r\n", f.call("GET", "n"));
        assertEquals(":-89\r\n", f.call("INCRBY", "n", "10"));
    }

    @Test
    void incrOnTextThatIsNotAStrictIntegerIsRefusedAndLeavesIt() {
        for (String bad : new String[] {" 11", "11 ", "+1", "01", "-0", "1.5", "abc", "", "99999999999999999999"}) {
            f.call("SET", "k", bad);
            assertEquals(NOT_INTEGER, f.call("INCR", "k"), bad);
            assertEquals("$" + bad.length() + "\r\n" + bad + "\r\n", f.call("GET", "k"), bad);
        }
        assertEquals(NOT_INTEGER, f.call("INCRBY", "n", "1x"));
        assertEquals(NOT_INTEGER, f.call("DECRBY", "n", ""));
        assertEquals("$-1\r\n", f.call("GET", "n"), "a refused increment creates nothing");
    }

    @Test
    void overflowIsRefusedWithRedisWording() {
        f.call("SET", "k", Long.toString(Long.MAX_VALUE));
        assertEquals("-ERR increment or decrement would overflow\r\n", f.call("INCR", "k"));
        f.call("SET", "k", Long.toString(Long.MIN_VALUE));
        assertEquals("-ERR increment or decrement would overflow\r\n", f.call("DECR", "k"));
        assertEquals("-ERR decrement would overflow\r\n", f.call("DECRBY", "z", Long.toString(Long.MIN_VALUE)));
        assertEquals(":" + Long.MIN_VALUE + "\r\n", f.call("INCRBY", "z", Long.toString(Long.MIN_VALUE)));
        assertEquals("-ERR wrong number of arguments for 'incr' command\r\n", f.call("INCR"));
        assertEquals("-ERR wrong number of arguments for 'incrby' command\r\n", f.call("INCRBY", "k"));
    }

    @Test
    void incrByFloatPrintsSeventeenDecimalsLessTrailingZeros() {
        assertEquals("$4\r\n10.5\r\n", f.call("INCRBYFLOAT", "x", "10.5"));
        assertEquals("$4\r\n10.6\r\n", f.call("INCRBYFLOAT", "x", "0.1"));
        assertEquals("$5\r\n10600\r\n", f.call("INCRBYFLOAT", "x", "1.05894e4"));
        assertEquals("$1\r\n0\r\n", f.call("INCRBYFLOAT", "x", "-10600"), "never -0");
        f.call("SET", "big", "17179869184");
        assertEquals("$13\r\n17179869185.5\r\n", f.call("INCRBYFLOAT", "big", "1.5"));
        assertEquals("$4\r\n-0.1\r\n", f.call("INCRBYFLOAT", "neg", "-.1"));
        assertEquals("$1\r\n3\r\n", f.call("INCRBYFLOAT", "i", "3."));
        assertEquals("$19\r\n0.33333333333333333\r\n", f.call("INCRBYFLOAT", "third", "0.333333333333333333333"));
    }

    @Test
    void incrByFloatRefusesTextStrtoldWouldNotReadWhole() {
        for (String bad :
                new String[] {"", " 1", "1 ", "nan", "NaN", "1e", "0x10", "abc", "1.2.3", "1e99999", "1e-99999"}) {
            assertEquals(NOT_FLOAT, f.call("INCRBYFLOAT", "x", bad), bad);
        }
        f.call("SET", "s", "1\u00002");
        assertEquals(NOT_FLOAT, f.call("INCRBYFLOAT", "s", "1"));
        assertEquals(NOT_FLOAT, f.call("INCRBYFLOAT", "s", "1".repeat(6000)));
        assertEquals("$-1\r\n", f.call("GET", "x"));
    }

    @Test
    void incrByFloatToInfinityIsRefused() {
        f.call("SET", "x", "0");
        for (String inf : new String[] {"inf", "+inf", "-Infinity", "INF", "1e4933"}) {
            String reply = f.call("INCRBYFLOAT", "x", inf);
            assertEquals(
                    inf.startsWith("1e") ? NOT_FLOAT : "-ERR increment would produce NaN or Infinity\r\n", reply, inf);
        }
        f.call("SET", "x", "9e4932");
        assertEquals("-ERR increment would produce NaN or Infinity\r\n", f.call("INCRBYFLOAT", "x", "9e4932"));
        assertEquals("$6\r\n9e4932\r\n", f.call("GET", "x"));
    }

    /** Each INCR is a read and a write under the key's stripe: concurrent increments lose none. */
    @Test
    void concurrentIncrementsLoseNone() throws Exception {
        int threads = 4;
        int each = 500;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        f.call("INCR", "shared");
                        f.call("INCRBYFLOAT", "sharedf", "0.5");
                    }
                }));
            }
            for (Future<?> d : done) {
                d.get();
            }
        } finally {
            pool.shutdown();
        }
        assertEquals("$4\r\n2000\r\n", f.call("GET", "shared"));
        assertEquals("$4\r\n1000\r\n", f.call("GET", "sharedf"));
    }

    @Test
    void valuesPastTheStoreLimitAreRefusedAsRedisDoes() {
        try (CommandFixture small = new CommandFixture(
                dir.resolve("small"), StoreOptions.defaults().shards(1).maxValueSize(16))) {
            small.call("SET", "k", "0123456789");
            assertEquals(":16\r\n", small.call("APPEND", "k", "abcdef"));
            assertEquals(
                    "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
                    small.call("APPEND", "k", "x"));
            assertEquals(
                    "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n",
                    small.call("SETRANGE", "k", "16", "x"));
            assertEquals(":16\r\n", small.call("SETRANGE", "k", "15", "x"));
        }
    }
}
