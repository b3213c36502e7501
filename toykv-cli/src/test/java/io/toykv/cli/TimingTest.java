package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** --timing and the session's :timing toggle. */
class TimingTest {
    @Test
    void elapsedIsMillisecondsBelowASecondThenSeconds() {
        assertEquals("(0.42 ms)", ClientSession.elapsed(420_000));
        assertEquals("(999.99 ms)", ClientSession.elapsed(999_990_000));
        assertEquals("(1.25 s)", ClientSession.elapsed(1_250_000_000));
    }

    @Test
    void eachSentCommandPrintsItsTimeToErrAndHelpDoesNot() throws IOException {
        try (FakeRespServer server = new FakeRespServer()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try (ClientSession session = new ClientSession(
                    new ServerAddress("127.0.0.1", server.port()),
                    null,
                    new RawPrinter(),
                    out,
                    new PrintStream(err, true, StandardCharsets.UTF_8),
                    new KnownKeys())) {
                session.setTiming(true);
                session.execute(List.of("ping".getBytes(StandardCharsets.UTF_8)));
                session.execute(List.of("help".getBytes(StandardCharsets.UTF_8)));
                session.setTiming(false);
                session.execute(List.of("ping".getBytes(StandardCharsets.UTF_8)));
            }
            assertTrue(
                    err.toString(StandardCharsets.UTF_8).matches("\\(\\d+\\.\\d\\d ms\\)\n"),
                    err.toString(StandardCharsets.UTF_8));
            assertTrue(out.toString(StandardCharsets.UTF_8).startsWith("PONG\n"));
            assertTrue(out.toString(StandardCharsets.UTF_8).endsWith("PONG\n"));
        }
    }

    @Test
    void timingSettingTogglesAndReports() {
        try (ClientSession session = new ClientSession(
                new ServerAddress("127.0.0.1", 1),
                null,
                new RawPrinter(),
                new ByteArrayOutputStream(),
                new PrintStream(new ByteArrayOutputStream()),
                new KnownKeys())) {
            assertEquals("timing is off\n", Repl.clientSetting(session, null, ":timing"));
            assertEquals("timing is on\n", Repl.clientSetting(session, null, ":timing ON"));
            assertTrue(session.isTiming());
            assertEquals("usage: :timing [on|off]\n", Repl.clientSetting(session, null, ":timing maybe"));
            assertEquals("timing is off\n", Repl.clientSetting(session, null, ":timing off"));
            assertFalse(session.isTiming());
            assertEquals(
                    "unknown setting :colour; the settings are: :timing [on|off], :pager [on|off]\n",
                    Repl.clientSetting(session, null, ":colour on"));
        }
    }
}
