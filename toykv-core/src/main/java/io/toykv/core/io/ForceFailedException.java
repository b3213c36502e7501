package io.toykv.core.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A force of a file or directory to the device (fsync, fdatasync, msync) failed. Unlike a failed write
 * (a full disk, say), which changed nothing durable and can be tried again, a failed force cannot be
 * retried safely: the kernel may have dropped the dirty pages it could not write and report the next
 * force of the same file as a success ("fsyncgate", PostgreSQL 2018). What was written since the last
 * good force is of unknown state on the device, so the only safe course is to stop and recover at open.
 */
public class ForceFailedException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path path;

    public ForceFailedException(Path path, Throwable cause) {
        super("force of " + path + " failed: " + (cause == null ? "" : cause.getMessage()), cause);
        this.path = path;
    }

    /** The file or directory whose force failed. */
    public Path path() {
        return path;
    }

    /** Whether {@code t} or any of its causes is a failed force. */
    public static boolean isIn(Throwable t) {
        return in(t) != null;
    }

    /** The failed force that {@code t} is or was caused by, or null. */
    public static ForceFailedException in(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ForceFailedException f) {
                return f;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return null;
    }

    /**
     * What a write, sync or compaction of the store in {@code dir} throws once {@code failure} stopped its
     * writes: a failed force (or what it caused), or a change spanning stores or shards that failed part
     * way (a clear, a set of changes of several databases), which only a reopen finishes. Its cause is
     * the failed force, or the failure itself.
     */
    public static java.io.UncheckedIOException writesStopped(Path dir, Throwable failure) {
        ForceFailedException f = in(failure);
        IOException cause = f != null ? f : failure instanceof IOException io ? io : new IOException(failure);
        return new java.io.UncheckedIOException(
                "store " + dir + " takes no more writes after " + (f != null ? "a failed force" : "a failed change")
                        + " (" + failure.getMessage()
                        + "); close and reopen it to recover",
                cause);
    }
}
