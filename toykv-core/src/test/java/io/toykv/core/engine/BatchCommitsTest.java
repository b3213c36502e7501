package io.toykv.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.CorruptionException;
import io.toykv.core.io.FileNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchCommitsTest {
    @TempDir
    Path dir;

    private void commitThree() throws IOException {
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            c.commit(5);
            c.commit(3);
            c.commit(9);
        }
    }

    @Test
    void commitsSurviveReopenInAnyOrder() throws IOException {
        commitThree();
        try (BatchCommits c = BatchCommits.open(dir, false)) {
            assertTrue(c.committed(3) && c.committed(5) && c.committed(9));
            assertFalse(c.committed(4));
            assertEquals(9, c.maxId());
        }
    }

    @Test
    void aMissingFileIsCreatedOnlyWhenAllowed() throws IOException {
        assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false));
        try (BatchCommits c = BatchCommits.open(dir, true)) {
            assertEquals(0, c.maxId());
        }
        assertEquals(BatchCommits.HEADER_SIZE, Files.size(FileNames.batchCommits(dir)));
    }

    @Test
    void aTornLastRecordIsIgnoredAtEveryLengthAndTheNextCommitOverwritesIt() throws IOException {
        commitThree();
        Path file = FileNames.batchCommits(dir);
        byte[] whole = Files.readAllBytes(file);
        for (int cut = 1; cut <= BatchCommits.RECORD_SIZE; cut++) {
            Files.write(file, Arrays.copyOf(whole, whole.length - cut));
            try (BatchCommits c = BatchCommits.open(dir, false)) {
                assertFalse(c.committed(9), "cut " + cut);
                assertTrue(c.committed(5) && c.committed(3), "cut " + cut);
                c.commit(11);
            }
            assertEquals(whole.length, Files.size(file), "the next commit takes the torn record's place");
            try (BatchCommits c = BatchCommits.open(dir, false)) {
                assertTrue(c.committed(11) && c.committed(5) && c.committed(3), "cut " + cut);
                assertFalse(c.committed(9), "cut " + cut);
            }
        }
    }

    @Test
    void aDamagedRecordBeforeTheLastIsCorruption() throws IOException {
        commitThree();
        Path file = FileNames.batchCommits(dir);
        byte[] bytes = Files.readAllBytes(file);
        bytes[BatchCommits.HEADER_SIZE + 2] ^= 1;
        Files.write(file, bytes);
        assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false));
    }

    @Test
    void aDamagedHeaderIsCorruption() throws IOException {
        commitThree();
        Path file = FileNames.batchCommits(dir);
        byte[] whole = Files.readAllBytes(file);
        for (int at : new int[] {0, 4, 8, 12}) {
            byte[] bad = whole.clone();
            bad[at] ^= 1;
            Files.write(file, bad);
            assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false), "byte " + at);
        }
        Files.write(file, Arrays.copyOf(whole, 7));
        assertThrows(CorruptionException.class, () -> BatchCommits.open(dir, false), "short header");
    }
}
