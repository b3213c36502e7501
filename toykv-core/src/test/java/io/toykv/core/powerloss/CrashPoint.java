package io.toykv.core.powerloss;

/** The moment after one effect on a {@link SimulatedDisk}: its number (from 1), kind and file (relative to the root). */
public record CrashPoint(long number, Kind kind, String file) {
    public enum Kind {
        CREATE,
        WRITE,
        FORCE,
        RENAME,
        UNLINK,
        DIRECTORY_FORCE,
        /**
         * Another thread's sync returned here ({@link io.toykv.core.io.FileIo#concurrentForcePoint}): the
         * store's own force of the file named, then every other file forced; a variant, undone after.
         */
        CONCURRENT_SYNC;

        /** A force of a file, a mapping or a directory: the points an explorer visits every time. */
        public boolean isForce() {
            return this == FORCE || this == DIRECTORY_FORCE || this == CONCURRENT_SYNC;
        }
    }

    @Override
    public String toString() {
        return "#" + number + " " + kind + " " + file;
    }
}
