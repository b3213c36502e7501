package io.toykv.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.toykv.cli.ArgumentSplitter.InvalidArgumentsException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ArgumentSplitterTest {

    /** Words shown joined by '|', bytes outside printable ASCII as {hex}. */
    private static String show(List<byte[]> words) {
        return words.stream()
                .map(w -> {
                    StringBuilder s = new StringBuilder();
                    for (byte b : w) {
                        int c = b & 0xff;
                        s.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c) : String.format("{%02x}", c));
                    }
                    return s.toString();
                })
                .collect(Collectors.joining("|"));
    }

    @ParameterizedTest(name = "[{0}] -> [{1}]")
    @CsvSource(
            delimiter = '~',
            quoteCharacter = '`',
            value = {
                "get k1                      ~ get|k1",
                "`  put   k1   v1  `         ~ put|k1|v1",
                "`put\tk1\tv1`               ~ put|k1|v1",
                "put k \"hello world\"       ~ put|k|hello world",
                "put k 'hello world'         ~ put|k|hello world",
                "put k \"a\\nb\"             ~ put|k|a{0a}b",
                "put k \"a\\tb\"             ~ put|k|a{09}b",
                "put k \"say \\\"hi\\\"\"    ~ put|k|say \"hi\"",
                "put k \"back\\\\slash\"     ~ put|k|back\\slash",
                "put k \"\\x41\\x00\\xff\"   ~ put|k|A{00}{ff}",
                "put k \"\\x4\"              ~ put|k|x4",
                "put k \"\\q\"               ~ put|k|q",
                "put k 'it\\'s'              ~ put|k|it's",
                "put k 'a\\nb'               ~ put|k|a\\nb",
                "put k 'say \"hi\"'          ~ put|k|say \"hi\"",
                "put k \"\"                  ~ put|k|",
                "put k ''                    ~ put|k|",
                "put ab\"c d\"               ~ put|abc d",
                "put k -x                    ~ put|k|-x",
                "put k @file                 ~ put|k|@file",
                "put k don't                 ~ FAIL",
                "put k \"unclosed            ~ FAIL",
                "put k 'unclosed             ~ FAIL",
                "put k \"closed\"glued       ~ FAIL",
                "put k 'closed'glued         ~ FAIL",
                "put k \"ends\\\"            ~ FAIL",
                "put k héllo                 ~ put|k|h{c3}{a9}llo",
            })
    void splitsLikeRedisCli(String line, String expected) {
        if (expected.equals("FAIL")) {
            ArgumentSplitter.InvalidArgumentsException e =
                    assertThrows(ArgumentSplitter.InvalidArgumentsException.class, () -> ArgumentSplitter.split(line));
            assertEquals("Invalid argument(s)", e.getMessage());
        } else {
            assertEquals(expected, assertDoesNotFail(line));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t"})
    void blankLineHasNoWords(String line) throws Exception {
        assertEquals(List.of(), ArgumentSplitter.split(line));
    }

    @Test
    void hexEscapeGivesAnyByte() throws Exception {
        byte[] word = ArgumentSplitter.split("\"\\x80\\x7F\"").get(0);
        assertEquals(2, word.length);
        assertEquals((byte) 0x80, word[0]);
        assertEquals((byte) 0x7f, word[1]);
    }

    @Test
    void nulEndsTheLineAsInRedisCli() throws Exception {
        assertEquals("put|k|a", show(ArgumentSplitter.split("put k a\0b c")));
        InvalidArgumentsException e =
                assertThrows(InvalidArgumentsException.class, () -> ArgumentSplitter.split("put k \"a\0b\""));
        assertEquals("Invalid argument(s)", e.getMessage());
    }

    @Test
    void unicodeIsUtf8() throws Exception {
        assertEquals("日本", new String(ArgumentSplitter.split("get 日本").get(1), StandardCharsets.UTF_8));
    }

    private static String assertDoesNotFail(String line) {
        try {
            return show(ArgumentSplitter.split(line));
        } catch (ArgumentSplitter.InvalidArgumentsException e) {
            throw new AssertionError("rejected: " + line, e);
        }
    }
}
