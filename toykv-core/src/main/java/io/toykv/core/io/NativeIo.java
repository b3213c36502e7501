package io.toykv.core.io;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;

/**
 * The few libc calls the JDK lacks, bound with JNA, all in this one class. Every {@code off_t} is a
 * Java {@code long}. When JNA or libc is not available (another OS, a JNA load failure) {@link #available()}
 * is false and callers use their pure-Java fallback.
 */
final class NativeIo {
    static final int O_WRONLY = 1;
    static final int O_CREAT = 0100;
    static final int O_CLOEXEC = 02000000;

    static final int ENOSPC = 28;
    static final int EOPNOTSUPP = 95;
    static final int ENOSYS = 38;
    static final int MADV_WILLNEED = 3;
    static final int PRIO_PROCESS = 0;

    /** Direct JNA mapping of libc. Calls declared {@code throws LastErrorException} turn -1 plus errno into it. */
    interface LibC extends Library {
        /** open(2): returns a descriptor, or -1 and errno. */
        int open(String path, int flags, int mode) throws LastErrorException;

        /** close(2): returns 0, or -1 and errno. */
        int close(int fd) throws LastErrorException;

        /** fallocate(2): returns 0, or -1 and errno (ENOSPC, EOPNOTSUPP on file systems without it). */
        int fallocate(int fd, int mode, long offset, long length) throws LastErrorException;

        /** madvise(2): returns 0, or -1 and errno; advice only, so callers ignore failures. */
        int madvise(com.sun.jna.Pointer address, long length, int advice) throws LastErrorException;

        /** gettid(2) (glibc 2.30 and later): the calling thread's kernel id. */
        int gettid();

        /** getpriority(2): the nice value (-20 to 19; -1 is one, so failures show only as errno). */
        int getpriority(int which, int who) throws LastErrorException;

        /** setpriority(2): returns 0, or -1 and errno. On Linux, {@code PRIO_PROCESS} with a thread id sets that thread's nice value. */
        int setpriority(int which, int who, int prio) throws LastErrorException;
    }

    private static final LibC LIBC = load();

    private NativeIo() {}

    private static LibC load() {
        if (!Platform.isLinux() || Boolean.getBoolean("toykv.noNative")) {
            return null;
        }
        try {
            return Native.load("c", LibC.class);
        } catch (Throwable e) { // UnsatisfiedLinkError, NoClassDefFoundError: fall back to pure Java
            return null;
        }
    }

    static boolean available() {
        return LIBC != null;
    }

    static LibC libc() {
        if (LIBC == null) {
            throw new IllegalStateException("native I/O is not available");
        }
        return LIBC;
    }
}
