package io.toykv.core.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;

/**
 * An exclusive OS lock on {@code dir/LOCK}, held while the store is open, so a second process (or a
 * second open in this one) fails at once instead of corrupting the files. The lock file holds the pid
 * of the holder, for the error message only.
 *
 * <p>The OS lock is a POSIX record lock on Linux, and those belong to the process, not to the channel:
 * closing <em>any</em> descriptor of {@code LOCK} in the process drops it, so a second process could
 * then open the live store. A second open in this process must therefore fail before it opens the
 * file at all: {@link #acquire} first claims the directory in a process-wide set, keyed by the
 * directory's file key (device and inode, so another path to it, a symbolic link or a bind mount,
 * counts as the same), and only the holder of that claim ever opens {@code LOCK}. A claim whose
 * directory is gone (deleted while held, by a store never closed) no longer counts: the file system
 * may give its inode number to a new directory.
 */
public final class DirectoryLock implements AutoCloseable {
    /** The directories locked by this process, by {@link #identity}: each one's claim. Guarded by itself. */
    private static final Map<Object, Claim> HELD = new HashMap<>();

    /** A directory as this process locked it; compared by identity. */
    private static final class Claim {
        final Path dir;

        Claim(Path dir) {
            this.dir = dir;
        }

        /** Whether the claimed directory is still the one with {@code identity}. */
        boolean stillHolds(Object identity) {
            try {
                return identity.equals(identity(dir));
            } catch (IOException e) {
                return false; // gone
            }
        }
    }

    private final Object identity;
    private final Claim claim;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Object identity, Claim claim, FileChannel channel, FileLock lock) {
        this.identity = identity;
        this.claim = claim;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Locks {@code dir}, which must exist.
     *
     * @throws IOException the store is open in this process or another one (the message says which), or
     *     the lock file cannot be opened
     */
    public static DirectoryLock acquire(Path dir) throws IOException {
        Object identity = identity(dir);
        Claim claim = new Claim(dir);
        synchronized (HELD) {
            Claim held = HELD.get(identity);
            if (held != null && held.stillHolds(identity)) {
                throw new IOException("store " + dir + " is already open in this process");
            }
            HELD.put(identity, claim);
        }
        try {
            return lock(dir, identity, claim);
        } catch (IOException | RuntimeException | Error e) {
            release(identity, claim);
            throw e;
        }
    }

    private static void release(Object identity, Claim claim) {
        synchronized (HELD) {
            HELD.remove(identity, claim);
        }
    }

    /** Whether this process holds the lock of {@code dir} (a tool reading a store's files checks first). */
    public static boolean isHeldByThisProcess(Path dir) throws IOException {
        Object identity = identity(dir);
        synchronized (HELD) {
            Claim held = HELD.get(identity);
            return held != null && held.stillHolds(identity);
        }
    }

    private static Object identity(Path dir) throws IOException {
        Object key = Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
        return key != null ? key : dir.toRealPath();
    }

    private static DirectoryLock lock(Path dir, Object identity, Claim claim) throws IOException {
        Path file = dir.resolve(FileNames.LOCK);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            // Something in this process locked the file without going through acquire. Closing this
            // channel would drop that lock (see the class comment): leave it open instead.
            throw new IOException("store " + dir + " is already locked in this process (not by a toykv open)");
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            String holder = readHolder(channel);
            channel.close();
            throw new IOException("store " + dir + " is in use by another process" + holder + " (lock file "
                    + file + " is held)");
        }
        try {
            byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
        } catch (IOException e) {
            lock.release();
            channel.close();
            throw e;
        }
        return new DirectoryLock(identity, claim, channel, lock);
    }

    private static String readHolder(FileChannel channel) {
        try {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String pid = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            return pid.isEmpty() ? "" : " (pid " + pid + ")";
        } catch (IOException e) {
            return "";
        }
    }

    /** Releases the lock. A second call does nothing. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                lock.release();
            } finally {
                try {
                    channel.close();
                } finally {
                    // Only now may another open in this process open LOCK: this channel is closed.
                    release(identity, claim);
                }
            }
        }
    }
}
