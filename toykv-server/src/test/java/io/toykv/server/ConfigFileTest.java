package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** redis.conf's syntax as Redis's sdssplitargs reads it, and every kind of malformed file refused with its line. */
class ConfigFileTest {
    @TempDir
    Path dir;

    private List<ConfigFile.Directive> read(String text) throws IOException {
        return read(text.getBytes(StandardCharsets.UTF_8));
    }

    private List<ConfigFile.Directive> read(byte[] bytes) throws IOException {
        Path file = dir.resolve("toykv.conf");
        Files.write(file, bytes);
        return ConfigFile.read(file);
    }

    private String error(String text) {
        return error(text.getBytes(StandardCharsets.UTF_8));
    }

    private String error(byte[] bytes) {
        return assertThrows(IllegalArgumentException.class, () -> read(bytes)).getMessage();
    }

    @Test
    void directivesWithCommentsBlankLinesAndCaseInsensitiveNames() throws IOException {
        List<ConfigFile.Directive> d = read("# toykv\n\n   \nPORT 6380\r\n\tbind  127.0.0.1 \n  # indented comment\n"
                + "MaxClients 10 # not a comment: an argument\nbind ::1");
        assertEquals(
                List.of(
                        new ConfigFile.Directive("port", List.of("6380"), 4),
                        new ConfigFile.Directive("bind", List.of("127.0.0.1"), 5),
                        new ConfigFile.Directive(
                                "maxclients", List.of("10", "#", "not", "a", "comment:", "an", "argument"), 7),
                        new ConfigFile.Directive("bind", List.of("::1"), 8)),
                d);
    }

    @Test
    void quotedValuesTakeRedisEscapes() throws IOException {
        List<ConfigFile.Directive> d = read("requirepass \"a b\\\"c\\\\d\\n\\t\\x41\\xzz\"\n"
                + "requirepass 'it\\'s \"x\" \\n'\nrequirepass \"\"\nrequirepass \"p\u00e4ss\"\n");
        assertEquals(List.of("a b\"c\\d\n\tAxzz"), d.get(0).args());
        assertEquals(List.of("it's \"x\" \\n"), d.get(1).args());
        assertEquals(List.of(""), d.get(2).args());
        assertEquals(List.of("p\u00e4ss"), d.get(3).args());
    }

    @Test
    void anEmptyFileHasNoDirectives() throws IOException {
        assertEquals(List.of(), read(""));
        assertEquals(List.of(), read("\n\n# nothing\n"));
    }

    @Test
    void malformedLinesAreRefusedWithFileAndLine() {
        String file = dir.resolve("toykv.conf").toString();
        assertEquals(file + ", line 2: unbalanced quotes", error("port 1\nrequirepass \"abc\n"));
        assertEquals(file + ", line 1: unbalanced quotes", error("requirepass 'abc"));
        assertEquals(file + ", line 1: unbalanced quotes", error("requirepass \"abc\\\""));
        assertEquals(file + ", line 1: a closing quote must be followed by a blank", error("requirepass \"abc\"def"));
        assertEquals(file + ", line 1: a quote inside a word (quote the whole argument)", error("requirepass ab\"c\""));
        assertEquals(file + ", line 3: control character 0x00", error("\n\nport 1\0"));
        assertEquals(file + ", line 1: control character 0x1b", error("port \u001b[31m"));
        assertEquals(file + ", line 1: not UTF-8 text", error(new byte[] {'p', 'o', 'r', 't', ' ', (byte) 0xc3, '1'}));
        assertEquals(file + ", line 1: not UTF-8 text", error("requirepass \"\\xff\""));
    }

    @Test
    void aFileTooLargeOrMissingOrADirectoryIsRefused() {
        byte[] big = new byte[ConfigFile.MAX_BYTES + 1];
        Arrays.fill(big, (byte) '#');
        assertTrue(error(big).endsWith("larger than " + ConfigFile.MAX_BYTES + " bytes"));
        Path missing = dir.resolve("missing.conf");
        assertEquals(
                "cannot read configuration file " + missing + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(missing))
                        .getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConfigFile.read(dir))
                .getMessage()
                .startsWith("cannot read configuration file " + dir + ": "));
    }

    /** The characters that mean something to the splitter, and a few that do not. */
    private static final String SYNTAX = " \t\r\n\"'\\x#aZ0";

    /** Seeded garbage (half of it made of {@link #SYNTAX}): the only outcomes are directives or an IllegalArgumentException naming the file. */
    @Test
    void binaryGarbageIsDirectivesOrAnErrorNeverAnotherException() throws IOException {
        Random random = new Random(42);
        String file = dir.resolve("toykv.conf").toString();
        for (int i = 0; i < 2000; i++) {
            byte[] bytes = new byte[random.nextInt(200)];
            random.nextBytes(bytes);
            if (i % 2 == 0) {
                for (int j = 0; j < bytes.length; j++) {
                    bytes[j] = (byte) SYNTAX.charAt(Math.floorMod(bytes[j], SYNTAX.length()));
                }
            }
            try {
                read(bytes);
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().startsWith(file + ", line "), e.getMessage());
            }
        }
    }

    @Test
    void aPasswordFileGivesItsFirstLine() throws IOException {
        Path file = dir.resolve("pass");
        for (String text : List.of("s3cret", "s3cret\n", "s3cret\r\n", "s3cret\nsecond line\n")) {
            Files.writeString(file, text);
            assertEquals("s3cret", ConfigFile.readPassword(file), text);
        }
        Files.writeString(file, " spaces kept \n");
        assertEquals(" spaces kept ", ConfigFile.readPassword(file));
    }

    @Test
    void anEmptyUnreadableOrBinaryPasswordFileIsRefused() throws IOException {
        Path file = dir.resolve("pass");
        for (String text : List.of("", "\n", "\r\n", "\nsecond")) {
            Files.writeString(file, text);
            assertEquals(
                    "password file " + file + " is empty or its first line is",
                    assertThrows(IllegalArgumentException.class, () -> ConfigFile.readPassword(file))
                            .getMessage());
        }
        Files.write(file, new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        assertEquals(
                "password file " + file + ": the first line is not UTF-8 text",
                assertThrows(IllegalArgumentException.class, () -> ConfigFile.readPassword(file))
                        .getMessage());
        Files.write(file, new byte[70_000]);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ConfigFile.readPassword(file))
                .getMessage()
                .endsWith("larger than 65536 bytes"));
        Path missing = dir.resolve("missing");
        assertEquals(
                "cannot read password file " + missing + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> ConfigFile.readPassword(missing))
                        .getMessage());
    }
}
