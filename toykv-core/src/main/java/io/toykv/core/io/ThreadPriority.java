package io.toykv.core.io;

import com.sun.jna.LastErrorException;

/**
 * Lowers the CPU priority of a background thread, as RocksDB lowers its compaction threads': Java
 * thread priorities are ignored on Linux, so this sets the calling thread's nice value with
 * {@code setpriority(2)}. Best effort: where JNA, {@code gettid} or the permission is missing it does
 * nothing.
 */
public final class ThreadPriority {
    private ThreadPriority() {
    }

    /** Sets the calling thread's nice value to {@code nice} (0 to 19; higher yields more); returns whether it did. */
    public static boolean niceCurrentThread(int nice) {
        if (!NativeIo.available()) {
            return false;
        }
        try {
            NativeIo.LibC libc = NativeIo.libc();
            return libc.setpriority(NativeIo.PRIO_PROCESS, libc.gettid(), nice) == 0;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return false;
        }
    }
}
