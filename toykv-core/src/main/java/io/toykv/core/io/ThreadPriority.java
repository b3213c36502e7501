package io.toykv.core.io;

import com.sun.jna.LastErrorException;

/**
 * Lowers the CPU priority of a background thread, as RocksDB lowers its compaction threads': Java
 * thread priorities are ignored on Linux, so this raises the calling thread's nice value with
 * {@code getpriority(2)} and {@code setpriority(2)}. Only ever lowers it, so it needs no privilege and
 * cannot put a background thread above the process's others. Best effort: where JNA or {@code gettid}
 * is missing it does nothing.
 */
public final class ThreadPriority {
    /** The lowest priority: the highest nice value. */
    public static final int MAX_NICE = 19;

    private ThreadPriority() {}

    /** Whether {@link #lowerCurrentThread} can work here (Linux, with JNA and libc). */
    public static boolean supported() {
        return NativeIo.available();
    }

    /**
     * Raises the calling thread's nice value by {@code by} (at most to {@value #MAX_NICE}), so the
     * scheduler runs it after the process's other threads; returns whether it did.
     */
    public static boolean lowerCurrentThread(int by) {
        if (!NativeIo.available() || by <= 0) {
            return false;
        }
        try {
            NativeIo.LibC libc = NativeIo.libc();
            int tid = libc.gettid();
            int nice = libc.getpriority(NativeIo.PRIO_PROCESS, tid);
            return libc.setpriority(NativeIo.PRIO_PROCESS, tid, Math.min(MAX_NICE, nice + by)) == 0;
        } catch (LastErrorException | UnsatisfiedLinkError e) {
            return false;
        }
    }
}
