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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An exclusive OS lock on {@code dir/LOCK}, held while the store is open, so a second process (or a
 * second open in this one) fails at once instead of corrupting the files. The lock file holds the pid
 * of the holder, for the error message only.
 *
 * <p>The OS lock is a POSIX record lock on Linux, and those belong to the process, not to the channel:
 * closing <em>any</em> descriptor of {@code LOCK} in the process drops it, so a second process could
 * then open the live store. So this class never closes a descriptor of a {@code LOCK} that something in
 * the process may have locked:
 *
 * <ul>
 *   <li>A second open in this process fails before it opens the file at all: {@link #acquire} looks
 *       the file up in a process-wide registry of the open locks, keyed by the lock file's file key
 *       (device and inode, so another path to it, a symbolic link, a bind mount or a renamed store
 *       directory, finds it). While a lock is open its channel keeps the file's inode allocated, so the
 *       key cannot be given to another file: a lock counts until it is closed, whatever happened to
 *       its directory.
 *   <li>When the file is locked in this process by something that is not a lock of this registry
 *       (other code, or this class loaded by another class loader, whose registry is its own: the
 *       JDK's record of the locks is per process, so the lock attempt fails), the channel opened for
 *       the attempt is kept open for the life of the process, never closed: closing it, or leaving it
 *       to be closed when collected, would drop that lock. Each such failed attempt costs a descriptor.
 * </ul>
 *
 * The lock is on the file: deleting or replacing {@code LOCK} while the store is open lets another
 * open, in this process or another one, lock the new file.
 */
public final class DirectoryLock implements AutoCloseable {
    /** The open locks of this class loader's copy of this class, by {@link #identity} of their lock file. Guarded by itself. */
    private static final Map<Object, DirectoryLock> HELD = new HashMap<>();
    /**
     * Channels of failed attempts that must never be closed (see the class comment). Guarded by {@link
     * #HELD}. Reachable from the JDK's registry of shutdown hooks once the first is kept ({@link #keep}),
     * so that they outlive this class loader too.
     */
    private static final List<FileChannel> KEPT_OPEN = new ArrayList<>();

    private final Object identity;
    private final FileChannel channel;
    private final FileLock lock;

    private DirectoryLock(Object identity, FileChannel channel, FileLock lock) {
        this.identity = identity;
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
        Path file = dir.resolve(FileNames.LOCK);
        synchronized (HELD) {
            if (Files.exists(file) && HELD.containsKey(identity(file))) {
                throw new IOException("store " + dir + " is already open in this process");
            }
            FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Object identity;
            FileLock lock;
            try {
                identity = identity(file);
                if (HELD.containsKey(identity)) {
                    // Renamed into place since the check above: the file a lock of this registry holds.
                    throw new IOException("store " + dir + " is already open in this process");
                }
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                keep(channel);
                throw new IOException("store " + dir + " is already locked in this process (not by a toykv open of"
                        + " this class loader)");
            } catch (IOException | RuntimeException | Error e) {
                // Whether something in the process locks the file is unknown: keep the channel open.
                keep(channel);
                throw e;
            }
            if (lock == null) {
                // Another process holds it; nothing in this one does (tryLock would have thrown), so
                // closing drops no lock.
                String holder = readHolder(channel);
                channel.close();
                throw new IOException("store " + dir + " is in use by another process" + holder + " (lock file " + file
                        + " is held)");
            }
            try {
                byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(pid), 0);
            } catch (IOException e) {
                lock.release();
                channel.close(); // this channel held the process's only lock on the file
                throw e;
            }
            DirectoryLock held = new DirectoryLock(identity, channel, lock);
            HELD.put(identity, held);
            return held;
        }
    }

    /** Keeps {@code channel} open for the life of the process. Under {@link #HELD}. */
    private static void keep(FileChannel channel) {
        if (KEPT_OPEN.isEmpty()) {
            // A hook that does nothing: the JDK holds it, it holds this class, and so the channels.
            Thread hook = new Thread(() -> KEPT_OPEN.forEach(kept -> {}), "toykv-kept-lock-channels");
            try {
                Runtime.getRuntime().addShutdownHook(hook);
            } catch (IllegalStateException exiting) {
                // The process is exiting: its locks go with it.
            }
        }
        KEPT_OPEN.add(channel);
    }

    /** Whether this process holds the lock of {@code dir} (a tool reading a store's files checks first). */
    public static boolean isHeldByThisProcess(Path dir) throws IOException {
        Path file = dir.resolve(FileNames.LOCK);
        synchronized (HELD) {
            return Files.exists(file) && HELD.containsKey(identity(file));
        }
    }

    /** The lock file's file key, or its real path where the file system has none. */
    private static Object identity(Path file) throws IOException {
        Object key = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        return key != null ? key : file.toRealPath();
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
        synchronized (HELD) {
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
                    HELD.remove(identity, this);
                }
            }
        }
    }
}
