package io.toykv.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.OpenProbe;
import io.toykv.core.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed second open in this process must leave the first one's OS lock alone: on Linux closing any
 * descriptor of the lock file drops the process's locks on it, after which another process could open
 * the live store.
 */
class DirectoryLockTest {
    @TempDir
    Path dir;

    /** Runs {@link OpenProbe} on {@code store} in a child JVM; returns its exit code and output. */
    private static String[] probe(Path store) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), OpenProbe.class.getName(),
                store.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "probe did not finish");
        return new String[] {String.valueOf(p.exitValue()), out};
    }

    @Test
    void failedSecondOpenInTheProcessKeepsOtherProcessesOut() throws Exception {
        Path link = Files.createSymbolicLink(dir.resolveSibling(dir.getFileName() + "-link"), dir);
        try {
            try (Store first = Store.open(dir)) {
                IOException again = assertThrows(IOException.class, () -> Store.open(dir));
                assertEquals("store " + dir + " is already open in this process", again.getMessage());
                // Another path to the same directory is the same store.
                IOException viaLink = assertThrows(IOException.class, () -> Store.open(link));
                assertTrue(viaLink.getMessage().contains("already open in this process"), viaLink.getMessage());
                assertTrue(DirectoryLock.isHeldByThisProcess(dir));

                String[] child = probe(dir);
                assertEquals("1", child[0], child[1]);
                assertTrue(child[1].contains("in use by another process (pid " + ProcessHandle.current().pid() + ")"),
                        child[1]);
            }
            assertFalse(DirectoryLock.isHeldByThisProcess(dir));
            String[] child = probe(dir);
            assertEquals("0", child[0], child[1]);
            assertTrue(child[1].contains("opened"), child[1]);
        } finally {
            Files.delete(link);
        }
    }

    @Test
    void closeTwiceReleasesOnceAndTheDirectoryCanBeLockedAgain() throws IOException {
        DirectoryLock lock = DirectoryLock.acquire(dir);
        assertThrows(IOException.class, () -> DirectoryLock.acquire(dir));
        lock.close();
        lock.close();
        DirectoryLock.acquire(dir).close();
    }
}
