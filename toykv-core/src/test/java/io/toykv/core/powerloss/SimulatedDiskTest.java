package io.toykv.core.powerloss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.toykv.core.powerloss.CrashImage.Mode;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedDiskTest {
    private static final int PAGE = SimulatedDisk.PAGE;

    @TempDir
    Path dir;

    private static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return b;
    }

    /** Random's first draws from nearby seeds are alike: spread the seeds first. */
    private static Random mixed(long seed) {
        return new Random(new java.util.SplittableRandom(seed).nextLong());
    }

    private static byte[] file(SimulatedDisk disk, Mode mode, long seed, String name) {
        return disk.capture().state(mode, new Random(seed)).file(name);
    }

    private static void write(SimulatedDisk disk, Path p, byte[] bytes, long at) throws Exception {
        try (FileChannel ch = disk.open(p, StandardOpenOption.WRITE)) {
            disk.write(ch, p, ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void filesPresentAtTheStartAreDurable() throws Exception {
        Files.write(dir.resolve("old"), filled(10, 7));
        SimulatedDisk disk = new SimulatedDisk(dir);
        assertArrayEquals(filled(10, 7), file(disk, Mode.ALL_LOST, 1, "old"));
        assertTrue(disk.capture().allDurable());
    }

    @Test
    void aCreationIsDurableOnlyAfterItsDirectoryIsForced() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = dir.resolve("f");
        disk.allocate(p, 2 * PAGE);
        assertNull(file(disk, Mode.ALL_LOST, 1, "f"));
        assertArrayEquals(new byte[2 * PAGE], file(disk, Mode.ALL_KEPT, 1, "f"));
        disk.forceDirectory(dir);
        assertArrayEquals(new byte[2 * PAGE], file(disk, Mode.ALL_LOST, 1, "f"));
    }

    @Test
    void anUnforcedWriteIsLostOrKeptAndAForcedOneSurvives() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = dir.resolve("f");
        disk.createFile(p);
        disk.forceDirectory(dir);
        try (FileChannel ch = disk.open(p, StandardOpenOption.WRITE)) {
            disk.write(ch, p, ByteBuffer.wrap(filled(100, 1)), 0);
            assertArrayEquals(new byte[0], file(disk, Mode.ALL_LOST, 1, "f"));
            assertArrayEquals(filled(100, 1), file(disk, Mode.ALL_KEPT, 1, "f"));
            disk.force(ch, p, false);
        }
        assertArrayEquals(filled(100, 1), file(disk, Mode.ALL_LOST, 1, "f"));
        assertTrue(disk.capture().allDurable());
    }

    @Test
    void aMappingsForceMakesOnlyThePagesItCoversDurable() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = dir.resolve("m");
        disk.allocate(p, 3 * PAGE);
        disk.forceDirectory(dir);
        try (FileChannel ch = disk.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = disk.mapReadWrite(ch, p, 3 * PAGE);
            map.put(5, (byte) 1).put(2 * PAGE + 5, (byte) 2);
            disk.force(map, p, 5, 1); // the whole of page 0, none of page 2
            byte[] lost = file(disk, Mode.ALL_LOST, 1, "m");
            assertEquals(1, lost[5]);
            assertEquals(0, lost[2 * PAGE + 5]);
            assertEquals(2, file(disk, Mode.ALL_KEPT, 1, "m")[2 * PAGE + 5]);
        }
    }

    @Test
    void sampledStatesKeepEachUnforcedPageApartAndTearSomeBySectors() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = dir.resolve("f");
        disk.allocate(p, 2 * PAGE);
        disk.forceDirectory(dir);
        write(disk, p, filled(2 * PAGE, 9), 0);
        CrashImage image = disk.capture();
        Set<String> pageOutcomes = new HashSet<>();
        boolean torn = false;
        for (long seed = 0; seed < 200; seed++) {
            byte[] b = image.state(Mode.SAMPLED, mixed(seed)).file("f");
            assertEquals(2 * PAGE, b.length);
            StringBuilder outcome = new StringBuilder();
            for (int page = 0; page < 2; page++) {
                int nines = 0;
                for (int sector = 0; sector < PAGE; sector += CrashImage.SECTOR) {
                    byte[] s = Arrays.copyOfRange(b, page * PAGE + sector, page * PAGE + sector + CrashImage.SECTOR);
                    boolean old = Arrays.equals(s, new byte[CrashImage.SECTOR]);
                    assertTrue(old || Arrays.equals(s, filled(CrashImage.SECTOR, 9)), "a sector is old or new, whole");
                    nines += old ? 0 : 1;
                }
                outcome.append(nines == 0 ? 'o' : nines == PAGE / CrashImage.SECTOR ? 'n' : 't');
                torn |= nines > 0 && nines < PAGE / CrashImage.SECTOR;
            }
            pageOutcomes.add(outcome.toString().replace('t', 'n'));
        }
        assertEquals(Set.of("oo", "on", "no", "nn"), pageOutcomes);
        assertTrue(torn);
    }

    @Test
    void aStateIsTheSameForTheSameSeed() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = dir.resolve("f");
        disk.allocate(p, 8 * PAGE);
        disk.forceDirectory(dir);
        write(disk, p, filled(8 * PAGE, 3), 0);
        CrashImage image = disk.capture();
        assertEquals(
                image.state(Mode.SAMPLED, new Random(42)).checksum(),
                image.state(Mode.SAMPLED, new Random(42)).checksum());
    }

    @Test
    void unforcedDirectoryChangesSurviveAsAPrefix() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path a = dir.resolve("a");
        disk.createFile(a);
        write(disk, a, filled(10, 1), 0);
        try (FileChannel ch = disk.open(a, StandardOpenOption.WRITE)) {
            disk.force(ch, a, true);
        }
        disk.forceDirectory(dir);
        Path temp = dir.resolve("b.tmp");
        disk.createFile(temp);
        write(disk, temp, filled(10, 2), 0);
        try (FileChannel ch = disk.open(temp, StandardOpenOption.WRITE)) {
            disk.force(ch, temp, true);
        }
        disk.move(temp, dir.resolve("b"));
        disk.delete(a);
        CrashImage image = disk.capture();
        Set<String> seen = new HashSet<>();
        for (long seed = 0; seed < 100; seed++) {
            CrashImage.CrashState s = image.state(Mode.SAMPLED, mixed(seed));
            String names = (s.file("a") != null ? "a" : "")
                    + (s.file("b.tmp") != null ? "t" : "")
                    + (s.file("b") != null ? "b" : "");
            seen.add(names);
            if (s.file("a") != null) {
                assertArrayEquals(filled(10, 1), s.file("a"), "an unlink not yet durable keeps the file whole");
            }
            if (s.file("b") != null) {
                assertArrayEquals(filled(10, 2), s.file("b"));
            }
        }
        assertEquals(Set.of("a", "at", "ab", "b"), seen); // never both gone, never a rename half done
        disk.forceDirectory(dir);
        CrashImage.CrashState after = disk.capture().state(Mode.ALL_LOST, new Random(1));
        assertNull(after.file("a"));
        assertArrayEquals(filled(10, 2), after.file("b"));
    }

    @Test
    void aRenameOverAFileKeepsTheOldOneUntilTheDirectoryIsForced() throws Exception {
        Files.write(dir.resolve("meta"), filled(4, 1));
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path temp = dir.resolve("meta.tmp");
        disk.createFile(temp);
        write(disk, temp, filled(4, 2), 0);
        disk.move(temp, dir.resolve("meta"));
        assertArrayEquals(filled(4, 1), file(disk, Mode.ALL_LOST, 1, "meta"));
        // the new file's bytes were never forced: kept whole, it is what was written; lost, it is empty
        assertArrayEquals(filled(4, 2), file(disk, Mode.ALL_KEPT, 1, "meta"));
    }

    @Test
    void aFileInALostDirectoryIsLostWithIt() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path sub = dir.resolve("shard-000");
        disk.createDirectories(sub);
        disk.allocate(sub.resolve("f"), PAGE);
        disk.forceDirectory(sub);
        CrashImage.CrashState lost = disk.capture().state(Mode.ALL_LOST, new Random(1));
        assertTrue(lost.entries().isEmpty());
        disk.forceDirectory(dir);
        assertArrayEquals(new byte[PAGE], file(disk, Mode.ALL_LOST, 1, "shard-000/f"));
    }

    @Test
    void writtenOutAStateIsTheTreeItDescribes() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(Files.createDirectories(dir.resolve("store")));
        Path sub = dir.resolve("store/d");
        disk.createDirectories(sub);
        disk.forceDirectory(dir.resolve("store"));
        disk.allocate(sub.resolve("f"), 100);
        disk.forceDirectory(sub);
        Path out = Files.createDirectories(dir.resolve("out"));
        disk.capture().state(Mode.ALL_LOST, new Random(1)).writeTo(out);
        assertArrayEquals(new byte[100], Files.readAllBytes(out.resolve("d/f")));
    }

    @Test
    void aFileMadeBehindItsBackIsRefused() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = Files.write(dir.resolve("stranger"), new byte[1]);
        assertThrows(IllegalStateException.class, () -> disk.delete(p));
        assertFalse(disk.deleteIfExists(dir.resolve("never")));
    }

    /**
     * A disk running concurrent syncs, with {@code m} allocated ({@code mappedSize} zero bytes) and
     * {@code o} holding ten unforced 5s, both named durably.
     */
    private SimulatedDisk diskForConcurrentSyncs(int mappedSize) throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        disk.concurrentSyncs(true);
        disk.allocate(dir.resolve("m"), mappedSize);
        disk.createFile(dir.resolve("o"));
        disk.forceDirectory(dir);
        write(disk, dir.resolve("o"), filled(10, 5), 0);
        return disk;
    }

    @Test
    void aConcurrentSyncForcesWhatItsForceCoversAndEveryOtherFileThenIsUndone() throws Exception {
        SimulatedDisk disk = diskForConcurrentSyncs(2 * PAGE);
        Path mapped = dir.resolve("m");
        Path other = dir.resolve("o");
        try (FileChannel ch = disk.open(mapped, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer map = disk.mapReadWrite(ch, mapped, 2 * PAGE);
            map.put(0, (byte) 1);
            map.put(PAGE, (byte) 2);
            byte[][] seen = new byte[2][];
            disk.crashPoints(point -> {
                assertEquals(CrashPoint.Kind.CONCURRENT_SYNC, point.kind());
                CrashImage.CrashState s = disk.capture().state(Mode.ALL_LOST, new Random(1));
                seen[0] = s.file("m");
                seen[1] = s.file("o");
            });
            disk.concurrentForcePoint(mapped, () -> disk.force(map, mapped, 0, PAGE)); // the first page only
            assertEquals(1, seen[0][0], "the page its force covers is durable at the point");
            assertEquals(0, seen[0][PAGE], "a page its force leaves out is not");
            assertArrayEquals(filled(10, 5), seen[1], "every other file is forced");
            disk.crashPoints(point -> {});
            assertArrayEquals(new byte[2 * PAGE], file(disk, Mode.ALL_LOST, 1, "m"), "undone after the point");
            assertArrayEquals(new byte[0], file(disk, Mode.ALL_LOST, 1, "o"));
        }
    }

    @Test
    void aConcurrentSyncStartsBeforeItReadsAnyFileAndKeepsNothingWrittenWhileItRuns() throws Exception {
        SimulatedDisk disk = diskForConcurrentSyncs(PAGE);
        Path mapped = dir.resolve("m");
        Path other = dir.resolve("o");
        List<String> events = new ArrayList<>();
        byte[][] seen = new byte[1][];
        disk.crashPoints(new SimulatedDisk.CrashPoints() {
            @Override
            public void at(CrashPoint point) {
                events.add("point");
                seen[0] = disk.capture().state(Mode.ALL_LOST, new Random(1)).file("o");
            }

            @Override
            public void syncStarting() {
                events.add("start");
            }
        });
        disk.concurrentForcePoint(mapped, () -> {
            events.add("force");
            // another thread's write after the sync read the files, made as through a mapping: no call to the disk
            try (FileChannel ch = FileChannel.open(other, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(filled(10, 6)), 0);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        assertEquals(List.of("start", "force", "point"), events);
        assertArrayEquals(filled(10, 5), seen[0], "what was written while the sync ran is not what it forced");
    }

    @Test
    void aConcurrentSyncIsNoPointUnlessAsked() throws Exception {
        SimulatedDisk disk = new SimulatedDisk(dir);
        Path p = dir.resolve("f");
        disk.allocate(p, PAGE);
        boolean[] ran = {false};
        disk.crashPoints(point -> fail("no crash point expected, got " + point));
        disk.concurrentForcePoint(p, () -> ran[0] = true);
        assertFalse(ran[0]);
    }
}
