package io.toykv.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reading what the server is told in files: a password file ({@link #readPassword}) and a configuration
 * file in redis.conf's syntax, split into directives; what each directive means is
 * {@link ServerMain}'s business.
 *
 * <p>One directive a line: a name, then arguments, separated by spaces or tabs. Names are case-insensitive
 * (returned in lower case). A line whose first non-blank character is {@code #} is a comment, as is a
 * blank line. An argument may be quoted as Redis's {@code sdssplitargs} does: {@code "..."} with the
 * escapes {@code \n \r \t \b \a \\ \"} and {@code \xHH}, or {@code '...'} where only {@code \'} is an
 * escape; a closing quote must be followed by a blank or the end of the line. Stricter than Redis: a
 * quote may only open an argument (Redis also takes {@code ab"c d"} as {@code abc d}), and an unquoted
 * control character is an error (Redis ends the argument at a NUL). Lines end with LF or CRLF.
 * The file must be UTF-8 text (so must each argument after its escapes are applied), at most
 * {@link #MAX_BYTES}; any other input is refused with the file and line.
 */
final class ConfigFile {
    /** Far more than any configuration needs; a larger file is refused before it is read whole. */
    static final int MAX_BYTES = 1 << 20;

    /** One line's directive: its name in lower case, its arguments, and its line number (from 1). */
    record Directive(String name, List<String> args, int line) {}

    private ConfigFile() {}

    /** The file's directives in order; IllegalArgumentException names the file (and line) on any error. */
    static List<Directive> read(Path file) {
        byte[] bytes = readSmallFile(file, MAX_BYTES, "configuration file");
        List<Directive> directives = new ArrayList<>();
        int line = 0;
        for (int start = 0; start < bytes.length; start = lineEnd(bytes, start) + 1) {
            line++;
            int end = lineEnd(bytes, start);
            List<String> words;
            try {
                words = split(bytes, start, end > start && bytes[end - 1] == '\r' ? end - 1 : end);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ", line " + line + ": " + e.getMessage());
            }
            if (!words.isEmpty()) {
                directives.add(
                        new Directive(words.get(0).toLowerCase(Locale.ROOT), words.subList(1, words.size()), line));
            }
        }
        return directives;
    }

    /** The index of the LF that ends the line starting at {@code start}, or the length. */
    private static int lineEnd(byte[] b, int start) {
        int end = start;
        while (end < b.length && b[end] != '\n') {
            end++;
        }
        return end;
    }

    /** The words of one line, or none for a blank line or a comment. */
    static List<String> split(byte[] b, int from, int to) {
        List<String> words = new ArrayList<>();
        int p = from;
        while (true) {
            while (p < to && isBlank(b[p])) {
                p++;
            }
            if (p == to || words.isEmpty() && b[p] == '#') {
                return words;
            }
            ByteArrayOutputStream word = new ByteArrayOutputStream();
            byte quote = 0;
            if (b[p] == '"' || b[p] == '\'') {
                quote = b[p++];
            }
            while (true) {
                if (quote == 0) {
                    if (p == to || isBlank(b[p])) {
                        break;
                    }
                    if (b[p] == '"' || b[p] == '\'') {
                        throw new IllegalArgumentException("a quote inside a word (quote the whole argument)");
                    }
                    if ((b[p] & 0xff) < 0x20 || b[p] == 0x7f) {
                        throw new IllegalArgumentException(String.format("control character 0x%02x", b[p] & 0xff));
                    }
                    word.write(b[p++]);
                } else if (p == to) {
                    throw new IllegalArgumentException("unbalanced quotes");
                } else if (b[p] == quote) {
                    p++;
                    if (p < to && !isBlank(b[p])) {
                        throw new IllegalArgumentException("a closing quote must be followed by a blank");
                    }
                    break;
                } else if (b[p] == '\\' && p + 1 < to) {
                    p = escape(b, p, to, quote, word);
                } else {
                    word.write(b[p++]);
                }
            }
            words.add(utf8(word.toByteArray()));
        }
    }

    /** Appends the escape at {@code b[p]} (a backslash) to {@code word}; returns the position after it. */
    private static int escape(byte[] b, int p, int to, byte quote, ByteArrayOutputStream word) {
        byte next = b[p + 1];
        if (quote == '\'') {
            word.write(next == '\'' ? '\'' : '\\');
            return next == '\'' ? p + 2 : p + 1;
        }
        if (next == 'x' && p + 3 < to && hex(b[p + 2]) >= 0 && hex(b[p + 3]) >= 0) {
            word.write(hex(b[p + 2]) * 16 + hex(b[p + 3]));
            return p + 4;
        }
        word.write(
                switch (next) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    case 'a' -> 7;
                    default -> next;
                });
        return p + 2;
    }

    private static boolean isBlank(byte c) {
        return c == ' ' || c == '\t' || c == '\r' || c == 0x0b || c == '\f';
    }

    private static int hex(byte c) {
        return Character.digit(c, 16);
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not UTF-8 text");
        }
    }

    /**
     * A whole small file, refused if it is longer than {@code max} bytes (without reading past that).
     * IllegalArgumentException says which file ({@code what}) and why, in words.
     */
    static byte[] readSmallFile(Path file, int max, String what) {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new IllegalArgumentException(
                        "cannot use " + what + " " + file + ": larger than " + max + " bytes");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + what + " " + file + ": " + e.getMessage());
        }
    }

    /** The first line of a password file (without its LF or CRLF), checked to be UTF-8 and not empty. */
    static String readPassword(Path file) {
        byte[] bytes = readSmallFile(file, 64 * 1024, "password file");
        int end = lineEnd(bytes, 0);
        if (end > 0 && bytes[end - 1] == '\r') {
            end--;
        }
        if (end == 0) {
            throw new IllegalArgumentException("password file " + file + " is empty or its first line is");
        }
        try {
            return utf8(Arrays.copyOf(bytes, end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("password file " + file + ": the first line is not UTF-8 text");
        }
    }

    /** Whether users other than the owner may read {@code file}; false where POSIX permissions do not exist. */
    static boolean readableByOthers(Path file) {
        try {
            var permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
