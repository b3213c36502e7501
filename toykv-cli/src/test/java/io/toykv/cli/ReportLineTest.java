package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReportLineTest {
    private static String print(boolean terminal) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ReportLine lines = new ReportLine(out, terminal)) {
            lines.title("keys  data");
            lines.report("1     10B");
            lines.report("2     20B");
            lines.title("keys  data");
            lines.report("3     30B");
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalEachReportReplacesTheLastAndTitlesComeOnce() throws IOException {
        assertEquals("keys  data\n\r\u001b[2K1     10B\r\u001b[2K2     20B\r\u001b[2K3     30B\n", print(true));
    }

    @Test
    void onAPipeEachReportIsALineAndTitlesRepeat() throws IOException {
        assertEquals("keys  data\n1     10B\n2     20B\nkeys  data\n3     30B\n", print(false));
    }

    @Test
    void closingWithoutAReportWritesNothing() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new ReportLine(out, true).close();
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }
}
