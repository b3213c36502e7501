package io.toykv.bench.metrics;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV of {@link Result} rows: a header line, then one line per row, appended and flushed as each
 * phase ends so that a run cut short keeps what it measured. Cells are quoted only when they need it.
 */
public final class Csv implements AutoCloseable {
    private final BufferedWriter out;

    private Csv(BufferedWriter out) {
        this.out = out;
    }

    /** Creates {@code file} (and its directory), replacing an older one, and writes the header. */
    public static Csv create(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Csv csv = new Csv(Files.newBufferedWriter(file, StandardCharsets.UTF_8));
        csv.writeLine(Result.COLUMNS);
        return csv;
    }

    public void append(Result r) throws IOException {
        writeLine(r.cells());
    }

    private void writeLine(List<String> cells) throws IOException {
        out.write(line(cells));
        out.write('\n');
        out.flush();
    }

    static String line(List<String> cells) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String c = cells.get(i);
            if (c.contains(",") || c.contains("\"") || c.contains("\n") || c.contains("\r")) {
                sb.append('"').append(c.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Splits one CSV line (no embedded line breaks) into cells. */
    static List<String> split(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cell.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    /** Reads the rows of a file this class wrote. */
    public static List<Result> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !split(lines.get(0)).equals(Result.COLUMNS)) {
            throw new IOException(file + ": not a toykv-bench CSV (header differs from " + Result.COLUMNS + ")");
        }
        List<Result> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                try {
                    rows.add(Result.parse(split(lines.get(i))));
                } catch (RuntimeException e) {
                    throw new IOException(file + " line " + (i + 1) + ": " + e.getMessage(), e);
                }
            }
        }
        return rows;
    }

    /** Writes all rows to {@code file} at once. */
    public static void write(Path file, List<Result> rows) throws IOException {
        try (Csv csv = create(file)) {
            for (Result r : rows) {
                csv.append(r);
            }
        }
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
