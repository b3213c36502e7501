package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The windowed scan checked against what was appended, over many laps of a small
 * ring, with covered points that are not lap-aligned, SKIPs and zero gaps at lap ends, and windows down
 * to one record header.
 */
class JournalScanWindowTest {
    private static final long MAX_RECORD = 1600;

    @TempDir
    Path dir;

    private record Appended(long position, byte kind, int shard, byte[] key, byte[] value) {}

    @Test
    void windowedScanMatchesWhatWasAppendedAcrossLapsAndWraps() throws IOException {
        for (long seed = 1; seed <= 40; seed++) {
            Path d = dir.resolve("s" + seed);
            java.nio.file.Files.createDirectories(d);
            Random rnd = new Random(seed);
            List<Appended> live = new ArrayList<>();
            try (CommitJournal j = CommitJournal.open(d, MAX_RECORD, 1024, true)) {
                int n = 300 + rnd.nextInt(600);
                for (int i = 0; i < n; i++) {
                    byte[] key = new byte[1 + rnd.nextInt(30)];
                    rnd.nextBytes(key);
                    boolean put = rnd.nextInt(4) != 0;
                    byte[] value = put ? new byte[rnd.nextInt(rnd.nextBoolean() ? 40 : 1500)] : null;
                    if (value != null) {
                        rnd.nextBytes(value);
                    }
                    byte kind = put ? CommitJournal.PUT : CommitJournal.DELETE;
                    int shard = rnd.nextInt(4);
                    long end = j.tryAppend(kind, shard, key, value, 0);
                    if (end < 0) {
                        // Full: force and cover some of it (not lap-aligned), then retry.
                        long upTo = j.appended();
                        j.syncTo(upTo);
                        long coverAt = live.isEmpty()
                                ? upTo
                                : live.get(rnd.nextInt(live.size())).position();
                        if (rnd.nextBoolean()) {
                            coverAt = upTo;
                        }
                        j.cover(coverAt);
                        long c = coverAt;
                        live.removeIf(a -> a.position() < c);
                        end = j.tryAppend(kind, shard, key, value, 0);
                        if (end < 0) {
                            j.cover(upTo);
                            live.clear();
                            end = j.tryAppend(kind, shard, key, value, 0);
                        }
                    }
                    assertEquals(true, end > 0);
                    live.add(new Appended(end - CommitJournal.recordSize(key, value), kind, shard, key, value));
                }
                j.syncTo(j.appended());
            }
            try (CommitJournal j = CommitJournal.open(d, MAX_RECORD, 1024, false)) {
                for (int window : new int[] {20, 21, 33, 64, 1000, 4096, JournalScan.WINDOW}) {
                    List<CommitJournal.Record> r = j.readRecords(4, window);
                    assertEquals(live.size(), r.size(), "seed " + seed + " window " + window);
                    for (int i = 0; i < r.size(); i++) {
                        Appended a = live.get(i);
                        assertEquals(a.position(), r.get(i).position(), "seed " + seed + " window " + window);
                        assertEquals(a.kind(), r.get(i).kind());
                        assertEquals(a.shard(), r.get(i).shard());
                        assertArrayEquals(a.key(), r.get(i).key());
                        assertArrayEquals(a.value(), r.get(i).value());
                    }
                }
            }
        }
    }
}
