package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MonitorsTest {
    private static final String INFO =
            "# Clients\r\nconnected_clients:3\r\n\r\n# Stats\r\ntotal_connections_received:40\r\n"
                    + "total_commands_processed:1000\r\n# Keyspace\r\ndb0:keys=12,expires=0,avg_ttl=0\r\n"
                    + "# Store\r\nlive_keys:12\r\nkeys_log_bytes:1024\r\nvalues_log_bytes:2048\r\n";

    @Test
    void parseInfoKeepsNameValueLinesOnly() {
        Map<String, String> info = Monitors.parseInfo(INFO);
        assertEquals("3", info.get("connected_clients"));
        assertEquals("keys=12,expires=0,avg_ttl=0", info.get("db0"));
        assertEquals(7, info.size());
    }

    @Test
    void statLineShowsTheRequestsSinceThePreviousLine() {
        Map<String, String> first = Monitors.parseInfo(INFO);
        Map<String, String> second = Monitors.parseInfo(INFO.replace("processed:1000", "processed:1250"));
        assertEquals("keys       data       clients  requests               connections", Monitors.STAT_TITLES);
        assertEquals("12         3.00K      3        1000                   40", Monitors.statLine(first, null));
        assertEquals("12         3.00K      3        1250 (+250)            40", Monitors.statLine(second, first));
    }

    @Test
    void statLineFallsBackToTheKeyspaceLineAndDashes() {
        assertEquals(
                "7          0B         -        -                      -",
                Monitors.statLine(Monitors.parseInfo("db0:keys=7,expires=0\n"), null));
    }

    @Test
    void humanBytesAsRedisCliShowsMemory() {
        assertEquals("512B", Monitors.humanBytes(512));
        assertEquals("4.00K", Monitors.humanBytes(4096));
        assertEquals("1.50M", Monitors.humanBytes(3 << 19));
        assertEquals("2.00G", Monitors.humanBytes(2L << 30));
    }

    @Test
    void latencyLineIsMilliseconds() {
        assertEquals(
                "min: 0.10, max: 2.50, avg: 0.33 (300 samples)", new Monitors.Latency(0.1, 2.5, 0.333, 300).line());
    }

    @Test
    void bigKeysReportAlignsTheSizesAndQuotesOddKeys() {
        assertEquals(
                "3 keys, 1.00M of values; the largest:\n  1048000  big\n      570  \"two words\"\n        6  k",
                Monitors.bigKeysReport(
                        3,
                        1_048_576,
                        List.of(
                                new Monitors.Sized("big".getBytes(StandardCharsets.UTF_8), 1_048_000),
                                new Monitors.Sized("two words".getBytes(StandardCharsets.UTF_8), 570),
                                new Monitors.Sized("k".getBytes(StandardCharsets.UTF_8), 6))));
        assertEquals("0 keys, 0B of values; the largest:", Monitors.bigKeysReport(0, 0, List.of()));
    }
}
