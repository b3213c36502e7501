package io.toykv.bench.chart;

import io.toykv.bench.metrics.Result;
import io.toykv.bench.metrics.Summary;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.imageio.ImageIO;

/**
 * Draws summary rows as horizontal bars of throughput relative to RocksDB (log scale, RocksDB = 1), one
 * panel per suite, shape and thread count, one bar per engine and workload. Java2D, headless, no fonts
 * beyond the JDK's logical ones.
 */
public final class RatioChart {
    private static final int WIDTH = 1000;
    private static final int LEFT = 200;
    private static final int RIGHT = 90;
    private static final int BAR = 14;
    private static final int GAP = 8;
    private static final double MIN_RATIO = 1.0 / 16;
    private static final double MAX_RATIO = 64;
    private static final Color[] COLORS = {
        new Color(0xD9, 0x5F, 0x02),
        new Color(0x75, 0x70, 0xB3),
        new Color(0x1B, 0x9E, 0x77),
        new Color(0xE7, 0x29, 0x8A)
    };

    private RatioChart() {}

    /** Writes the chart of {@code rows} (summary rows) as a PNG to {@code png}. */
    public static void draw(List<Result> rows, String title, Path png) throws IOException {
        Summary summary = Summary.of(rows);
        Map<String, List<Result>> panels = new LinkedHashMap<>();
        Set<String> engines = new LinkedHashSet<>();
        for (Result r : summary.rows()) {
            if (r.workload().contains(":") || r.engine().equals(Summary.BASELINE) || Double.isNaN(summary.ratio(r))) {
                continue;
            }
            String panel =
                    r.suite() + ", " + r.shape() + ", " + r.threads() + " thread" + (r.threads() == 1 ? "" : "s");
            panels.computeIfAbsent(panel, k -> new ArrayList<>()).add(r);
            engines.add(r.engine());
        }
        List<String> engineList = new ArrayList<>(engines);
        int height = 70;
        for (List<Result> p : panels.values()) {
            height += panelHeight(p, engineList.size());
        }
        BufferedImage img = new BufferedImage(WIDTH, height + 30, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawString(
                "throughput relative to RocksDB (default options) = 1, log scale; right of the line is faster"
                        + "; for reopen, open time",
                20,
                48);
        int lx = WIDTH - RIGHT - 20 - 150 * engineList.size();
        for (int i = 0; i < engineList.size(); i++) {
            g.setColor(COLORS[i % COLORS.length]);
            g.fillRect(lx + 150 * i, 56, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(engineList.get(i), lx + 150 * i + 18, 67);
        }
        int y = 80;
        for (Map.Entry<String, List<Result>> p : panels.entrySet()) {
            y = drawPanel(g, p.getKey(), p.getValue(), engineList, summary, y);
        }
        g.dispose();
        Files.createDirectories(png.toAbsolutePath().getParent());
        ImageIO.write(img, "png", png.toFile());
    }

    private static int panelHeight(List<Result> rows, int engines) {
        long workloads = rows.stream().map(Result::workload).distinct().count();
        return 50 + (int) workloads * (engines * BAR + GAP);
    }

    private static int drawPanel(
            Graphics2D g, String name, List<Result> rows, List<String> engines, Summary summary, int top) {
        List<String> workloads = rows.stream().map(Result::workload).distinct().toList();
        int plotTop = top + 24;
        int plotHeight = workloads.size() * (engines.size() * BAR + GAP);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.drawString(name, 20, top + 16);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double tick = MIN_RATIO; tick <= MAX_RATIO; tick *= 2) {
            int x = xOf(tick);
            g.setColor(tick == 1 ? Color.BLACK : new Color(0xDD, 0xDD, 0xDD));
            g.setStroke(new BasicStroke(tick == 1 ? 2f : 1f));
            g.drawLine(x, plotTop, x, plotTop + plotHeight);
            g.setColor(Color.DARK_GRAY);
            String label = tick >= 1 ? String.format(Locale.ROOT, "%.0fx", tick) : "1/" + Math.round(1 / tick);
            g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, plotTop + plotHeight + 14);
        }
        g.setStroke(new BasicStroke(1f));
        int y = plotTop;
        for (String w : workloads) {
            g.setColor(Color.BLACK);
            g.drawString(w, LEFT - 10 - g.getFontMetrics().stringWidth(w), y + engines.size() * BAR / 2 + 5);
            for (int e = 0; e < engines.size(); e++) {
                String engine = engines.get(e);
                for (Result r : rows) {
                    if (r.workload().equals(w) && r.engine().equals(engine)) {
                        double ratio = summary.ratio(r);
                        int x0 = xOf(1);
                        int x1 = xOf(Math.max(MIN_RATIO, Math.min(MAX_RATIO, ratio)));
                        g.setColor(COLORS[e % COLORS.length]);
                        g.fillRect(Math.min(x0, x1), y + e * BAR + 1, Math.max(1, Math.abs(x1 - x0)), BAR - 2);
                        g.setColor(Color.BLACK);
                        String label = String.format(Locale.ROOT, ratio >= 10 ? "%.0fx" : "%.2fx", ratio);
                        int lx = x1 >= x0 ? x1 + 4 : x1 - 4 - g.getFontMetrics().stringWidth(label);
                        g.drawString(label, lx, y + e * BAR + BAR - 3);
                    }
                }
            }
            y += engines.size() * BAR + GAP;
        }
        return plotTop + plotHeight + 26;
    }

    private static int xOf(double ratio) {
        double span = Math.log(MAX_RATIO / MIN_RATIO);
        return LEFT + (int) Math.round((WIDTH - LEFT - RIGHT) * Math.log(ratio / MIN_RATIO) / span);
    }
}
