package io.toykv.core.log;

import io.toykv.core.io.Directories;
import io.toykv.core.io.FileIo;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Deletes the segment files of one values log that garbage collection detached, and tries again, on
 * every later call, the unlinks that failed, so that a file the OS once refused to remove does not stay
 * until the next open. Needs no lock of the caller's.
 */
final class SegmentDeleter {
    private final Path dir;
    /**
     * Files of detached segments whose unlink failed (retired already). Their ids are never used again
     * while open. Guarded by itself.
     */
    private final List<Path> unlinkPending = new ArrayList<>();

    SegmentDeleter(Path dir) {
        this.dir = dir;
    }

    /**
     * Deletes detached segments ({@link ValuesLog#detachSegment}): readers that still hold one finish first (it
     * is unmapped when the last one lets go), then the files go and the directory is forced once.
     * Needs no lock. A crash before the unlink leaves a segment nothing points at, which the next
     * collection deletes. An unlink that fails is tried again by every later call (an empty list
     * retries only those); the first failure of each file is thrown, after the others were deleted.
     */
    void delete(List<Segment> detached) throws IOException {
        IOException failure = null;
        List<Path> retries;
        synchronized (unlinkPending) {
            retries = new ArrayList<>(unlinkPending);
            unlinkPending.clear();
        }
        List<Path> paths = new ArrayList<>();
        for (Segment s : detached) {
            try {
                s.retire();
            } catch (IOException e) {
                failure = firstOf(failure, e); // the file can go all the same: it is out of the log
            }
            paths.add(s.path());
        }
        paths.addAll(retries);
        boolean deleted = false;
        for (Path p : paths) {
            try {
                FileIo.of(p).deleteIfExists(p);
                deleted = true;
            } catch (IOException e) {
                synchronized (unlinkPending) {
                    unlinkPending.add(p);
                }
                if (!retries.contains(p)) {
                    failure = firstOf(failure, e); // reported once, then retried quietly
                }
            }
        }
        if (deleted) {
            Directories.force(dir);
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Whether a segment file's unlink failed and is waiting to be tried again ({@link #delete}). */
    boolean unlinkPending() {
        synchronized (unlinkPending) {
            return !unlinkPending.isEmpty();
        }
    }

    private static IOException firstOf(IOException first, IOException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
