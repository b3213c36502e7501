package io.toykv.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTest {

    private static Result row(String engine, int rep, long ops, double seconds, double p99) {
        return new Result(
                "embedded",
                rep,
                engine,
                "k8v256",
                1,
                "readrandom",
                ops,
                seconds,
                1,
                p99,
                100,
                -1,
                -1,
                -1,
                -1,
                Double.NaN,
                Double.NaN,
                Double.NaN);
    }

    @Test
    void medianOfOddCountIsTheMiddleValue() {
        List<Result> rows = List.of(row("a", 1, 0, 1, 5), row("a", 2, 0, 1, 1), row("a", 3, 0, 1, 3));
        assertEquals(3, Summary.median(rows, Result::p99Us));
    }

    @Test
    void medianOfEvenCountIsMeanOfMiddleTwo() {
        List<Result> rows =
                List.of(row("a", 1, 0, 1, 4), row("a", 2, 0, 1, 1), row("a", 3, 0, 1, 2), row("a", 4, 0, 1, 10));
        assertEquals(3, Summary.median(rows, Result::p99Us));
    }

    @Test
    void medianIgnoresUnknowns() {
        List<Result> rows = List.of(row("a", 1, 0, 1, Double.NaN), row("a", 2, 0, 1, 7));
        assertEquals(7, Summary.median(rows, Result::p99Us));
    }

    @Test
    void ratioIsMedianThroughputOverRocksDbs() {
        Summary s = Summary.of(List.of(
                row("rocksdb", 1, 100, 1, 1),
                row("rocksdb", 2, 300, 1, 1),
                row("rocksdb", 3, 200, 1, 1),
                row("toykv", 1, 900, 1, 1),
                row("toykv", 2, 500, 1, 1),
                row("toykv", 3, 600, 1, 1)));
        Result toykv = s.rows().stream()
                .filter(r -> r.engine().equals("toykv"))
                .findFirst()
                .orElseThrow();
        assertEquals(600, toykv.opsPerSec(), 1e-9);
        assertEquals(3.0, s.ratio(toykv), 1e-9);
    }

    @Test
    void reopenRatioIsRocksDbTimeOverThisTime() {
        Result rocks = new Result(
                "embedded",
                1,
                "rocksdb",
                "k8v256",
                1,
                "reopen",
                -1,
                0.4,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                -1,
                -1,
                -1,
                -1,
                Double.NaN,
                Double.NaN,
                400);
        Result toykv = new Result(
                "embedded",
                1,
                "toykv",
                "k8v256",
                1,
                "reopen",
                -1,
                0.1,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                -1,
                -1,
                -1,
                -1,
                Double.NaN,
                Double.NaN,
                100);
        Summary s = Summary.of(List.of(rocks, toykv));
        assertEquals(4.0, s.ratio(s.rows().get(1)), 1e-9);
    }

    @Test
    void latenciesComeOutInMicroseconds() {
        Latencies l = new Latencies();
        for (int i = 1; i <= 1000; i++) {
            l.record(i * 1000L);
        }
        assertEquals(500, l.percentileMicros(50), 1);
        assertEquals(990, l.percentileMicros(99), 1);
        assertEquals(999, l.percentileMicros(99.9), 1);
    }
}
