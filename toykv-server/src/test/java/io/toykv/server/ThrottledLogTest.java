package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThrottledLogTest {

    @Test
    void oneLineAPeriodAndTheNextCountsTheLinesHeldBack() throws InterruptedException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ThrottledLog log = new ThrottledLog(
                new Log(new PrintStream(bytes, true, StandardCharsets.UTF_8), true), 200, TimeUnit.MILLISECONDS);
        for (int i = 0; i < 5; i++) {
            log.warn("wrong password " + i);
        }
        Thread.sleep(250);
        log.warn("wrong password 5");
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, String.join("\n", lines));
        assertTrue(lines[0].endsWith(" WARNING wrong password 0"), lines[0]);
        assertTrue(
                lines[1].endsWith(" WARNING wrong password 5 (4 more like it since the last line not logged)"),
                lines[1]);
    }
}
