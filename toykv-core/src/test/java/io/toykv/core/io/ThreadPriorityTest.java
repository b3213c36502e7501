package io.toykv.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

public class ThreadPriorityTest {
    /** The nice value of a thread, field 19 of its /proc stat line (counted after the command name's closing parenthesis). */
    public static int niceOf(Path stat) throws IOException {
        String line = Files.readString(stat);
        String[] after = line.substring(line.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(after[19 - 3]);
    }

    @Test
    void lowersOnlyTheCallingThread() throws Exception {
        assumeTrue(
                Files.isDirectory(Path.of("/proc/thread-self")) && ThreadPriority.supported(), "Linux with JNA only");
        int before = niceOf(Path.of("/proc/thread-self/stat"));
        AtomicReference<Object> seen = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                boolean done = ThreadPriority.lowerCurrentThread(7);
                int once = niceOf(Path.of("/proc/thread-self/stat"));
                ThreadPriority.lowerCurrentThread(ThreadPriority.MAX_NICE); // never past the lowest priority
                seen.set(new int[] {done ? 1 : 0, once, niceOf(Path.of("/proc/thread-self/stat"))});
            } catch (IOException | RuntimeException e) {
                seen.set(e);
            }
        });
        t.start();
        t.join();
        assertTrue(seen.get() instanceof int[], () -> "failed: " + seen.get());
        int[] result = (int[]) seen.get();
        assertEquals(1, result[0], "setpriority refused");
        assertEquals(Math.min(ThreadPriority.MAX_NICE, before + 7), result[1], "the thread's nice value, raised by 7");
        assertEquals(ThreadPriority.MAX_NICE, result[2], "raised as far as it goes, and no further");
        assertEquals(before, niceOf(Path.of("/proc/thread-self/stat")), "the caller's is unchanged");
    }
}
