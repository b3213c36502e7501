package io.toykv.core.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentTableTest {
    @TempDir
    Path dir;

    /** Adds and removals in random order, ids near and far apart (past 2^31), against a TreeMap. */
    @Test
    void behavesAsAnOrderedMapOfSegments() throws IOException {
        Path file = dir.resolve("00000001.v");
        Files.write(file, new byte[4096]);
        Random r = new Random(4);
        List<Long> pool = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            pool.add(i < 60 ? (long) i : (1L << 31) - 30 + i + (long) r.nextInt(1 << 20) * 4096);
        }
        TreeMap<Long, Segment> model = new TreeMap<>();
        SegmentTable t = SegmentTable.EMPTY;
        List<Segment> opened = new ArrayList<>();
        try {
            for (int step = 0; step < 3000; step++) {
                long id = pool.get(r.nextInt(pool.size()));
                if (r.nextInt(3) > 0) {
                    Segment s = Segment.open(file, id);
                    opened.add(s);
                    t = t.with(s);
                    model.put(id, s);
                } else {
                    t = t.without(id);
                    model.remove(id);
                }
                for (long p : pool) {
                    Segment expected = model.get(p);
                    if (expected == null) {
                        assertNull(t.get(p), "step " + step + ", id " + p);
                    } else {
                        assertSame(expected, t.get(p), "step " + step + ", id " + p);
                    }
                }
                assertEquals(new ArrayList<>(model.values()), t.all());
                assertEquals(model.size(), t.size());
                if (step % 100 == 0) {
                    List<Segment> shuffled = new ArrayList<>(model.values());
                    java.util.Collections.shuffle(shuffled, r);
                    SegmentTable bulk = SegmentTable.of(shuffled);
                    assertEquals(t.all(), bulk.all(), "built at once, step " + step);
                    for (long p : pool) {
                        assertSame(t.get(p), bulk.get(p), "built at once, step " + step + ", id " + p);
                    }
                }
            }
        } finally {
            for (Segment s : opened) {
                s.retire();
            }
        }
    }
}
