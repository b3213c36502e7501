package io.toykv.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestWriterTest {

    @Test
    void writesAnArrayOfBulkStrings() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RequestWriter writer = new RequestWriter(out);
        writer.write(List.of(b("SET"), b("k1"), b(""), new byte[] {0, '\r', '\n'}));
        writer.flush();
        assertEquals(
                "*4\r\n$3\r\nSET\r\n$2\r\nk1\r\n$0\r\n\r\n$3\r\n\0\r\n\r\n", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void lengthsOfManyDigits() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new RequestWriter(out).write(List.of(new byte[1234]));
        assertEquals(
                "*1\r\n$1234\r\n", out.toString(StandardCharsets.ISO_8859_1).substring(0, 11));
    }

    @Test
    void emptyCommandIsRefused() {
        assertThrows(
                IllegalArgumentException.class, () -> new RequestWriter(new ByteArrayOutputStream()).write(List.of()));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
