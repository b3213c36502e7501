package io.toykv.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FileNamesTest {
    private final Path dir = Path.of("shard-000");

    @Test
    void segmentNamesRoundTripUpTo2To32() {
        for (long id : new long[] {1, 99_999_999L, 100_000_000L, 1L << 31, 4_294_967_295L}) {
            String name = FileNames.segment(dir, id).getFileName().toString();
            assertEquals(id, FileNames.parseSegment(name), name);
        }
        assertEquals("00000007.v", FileNames.segment(dir, 7).getFileName().toString());
        assertEquals(
                "4294967295.v",
                FileNames.segment(dir, 4_294_967_295L).getFileName().toString());
    }

    @Test
    void onlyTheCanonicalNameOfANumberParses() {
        assertEquals(-1, FileNames.parseSegment("0000007.v"), "seven digits");
        assertEquals(-1, FileNames.parseSegment("000000007.v"), "a leading zero past eight digits");
        assertEquals(-1, FileNames.parseSegment("12345678901.v"), "eleven digits");
        assertEquals(-1, FileNames.parseSegment("1234567a.v"));
        assertEquals(-1, FileNames.parseSegment("12345678.k"));
        assertEquals(12345678, FileNames.parseKeysFile("12345678.k"));
        assertEquals(123456789, FileNames.parseKeysFile("123456789.k"));
    }
}
