package io.toykv.bench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {

    @Test
    void plainCellsAreNotQuoted() {
        assertEquals("a,b,1.5", Csv.line(List.of("a", "b", "1.5")));
    }

    @Test
    void cellsWithCommaOrQuoteAreQuotedAndQuotesDoubled() {
        assertEquals("\"a,b\",\"say \"\"hi\"\"\",c", Csv.line(List.of("a,b", "say \"hi\"", "c")));
    }

    @Test
    void splitUndoesLine() {
        List<String> cells = List.of("a,b", "say \"hi\"", "", "c");
        assertEquals(cells, Csv.split(Csv.line(cells)));
    }

    @Test
    void resultRowRoundTripsWithBlankUnknowns(@TempDir Path dir) throws IOException {
        Result r = new Result(
                "embedded",
                1,
                "toykv",
                "k8v256",
                2,
                "fillrandom",
                1000,
                0.5,
                1.25,
                10.5,
                99.75,
                264_000,
                300_000,
                -1,
                -1,
                Double.NaN,
                Double.NaN,
                Double.NaN);
        Path f = dir.resolve("x.csv");
        Csv.write(f, List.of(r));
        List<String> lines = Files.readAllLines(f);
        assertEquals(String.join(",", Result.COLUMNS), lines.get(0));
        assertEquals(
                "embedded,1,toykv,k8v256,2,fillrandom,1000,0.500,2000,1.25,10.50,99.75,264000,300000,1.14,,,,,,",
                lines.get(1));
        assertEquals(List.of(r), Csv.read(f));
    }

    @Test
    void readRejectsAForeignHeader(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("y.csv");
        Files.writeString(f, "a,b\n1,2\n");
        assertThrows(IOException.class, () -> Csv.read(f));
    }
}
