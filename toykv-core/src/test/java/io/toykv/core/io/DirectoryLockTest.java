package io.toykv.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.OpenProbe;
import io.toykv.core.Store;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
        Process p = new ProcessBuilder(
                        java, "-cp", System.getProperty("java.class.path"), OpenProbe.class.getName(), store.toString())
                .redirectErrorStream(true)
                .start();
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
                assertTrue(
                        child[1].contains("in use by another process (pid "
                                + ProcessHandle.current().pid() + ")"),
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

    /** Collects garbage a few times, so that an unreferenced channel's cleaner would have run. */
    private static void collectGarbage() throws InterruptedException {
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
        }
    }

    /** Asserts that a child process cannot open the store in {@code store}. */
    private static void otherProcessesStayOut(Path store) throws Exception {
        String[] child = probe(store);
        assertEquals("1", child[0], "another process opened the store this one holds: " + child[1]);
    }

    @Test
    void aRenamedStoreDirectoryStaysLockedAfterAFailedSecondOpen() throws Exception {
        Path a = Files.createDirectory(dir.resolve("a"));
        Path b = dir.resolve("b");
        try (DirectoryLock first = DirectoryLock.acquire(a)) {
            Files.move(a, b);
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(b));
            assertEquals("store " + b + " is already open in this process", e.getMessage());
            collectGarbage();
            otherProcessesStayOut(b);
            // The registry still knows the holder: a third try fails the same way.
            assertThrows(IOException.class, () -> DirectoryLock.acquire(b));
            assertTrue(DirectoryLock.isHeldByThisProcess(b));
        }
        assertFalse(DirectoryLock.isHeldByThisProcess(b));
        DirectoryLock.acquire(b).close();
    }

    @Test
    void aLockOtherCodeInTheProcessTookSurvivesAFailedAcquire() throws Exception {
        try (FileChannel other = FileChannel.open(
                        dir.resolve(FileNames.LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock held = other.lock()) {
            IOException e = assertThrows(IOException.class, () -> DirectoryLock.acquire(dir));
            assertTrue(e.getMessage().contains("already locked in this process"), e.getMessage());
            collectGarbage();
            otherProcessesStayOut(dir);
        }
    }

    @Test
    void aCopyOfTheClassInAnotherClassLoaderCannotDropTheLock() throws Exception {
        try (DirectoryLock first = DirectoryLock.acquire(dir)) {
            acquireFromACopyOfTheClass(dir);
            // Nothing here refers to the copy, its loader or its registry now: the channel it opened
            // must not be collected (and closed) with them.
            collectGarbage();
            otherProcessesStayOut(dir);
        }
    }

    /** Tries {@link DirectoryLock#acquire} from a copy of the class in a new class loader, dropped on return. */
    private static void acquireFromACopyOfTheClass(Path store) throws Exception {
        URL classes = DirectoryLock.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
            Class<?> copy = loader.loadClass(DirectoryLock.class.getName());
            assertTrue(copy != DirectoryLock.class);
            InvocationTargetException e = assertThrows(
                    InvocationTargetException.class,
                    () -> copy.getMethod("acquire", Path.class).invoke(null, store));
            assertTrue(e.getCause() instanceof IOException, e.getCause().toString());
            assertTrue(
                    e.getCause().getMessage().contains("already locked in this process"),
                    e.getCause().getMessage());
        }
    }
}
