package io.toykv.core.io;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.MappedByteBuffer;

/**
 * Asks the kernel to read a range of a mapping into the page cache in the background
 * ({@code madvise(MADV_WILLNEED)}). Values reach their segment with O_DIRECT, which bypasses the page
 * cache, so without this the first get of each value waits for the device; with it, a chunk is cached
 * shortly after it is flushed. Off unless {@code -Dtoykv.readahead=true}: side-by-side runs on a loaded
 * 2-core machine did not yet show a consistent gain. Advice only: where JNA is missing it does nothing.
 */
public final class Readahead {
    private static final boolean ENABLED =
            NativeIo.available() && Boolean.parseBoolean(System.getProperty("toykv.readahead", "false"));

    private Readahead() {}

    /** Advises that {@code [offset, offset + length)} of {@code map} will be read; offset is page-aligned. */
    public static void willNeed(MappedByteBuffer map, long offset, long length) {
        if (!ENABLED || length <= 0) {
            return;
        }
        try {
            Pointer base = Native.getDirectBufferPointer(map);
            NativeIo.libc().madvise(base.share(offset), length, NativeIo.MADV_WILLNEED);
        } catch (LastErrorException | UnsupportedOperationException | IllegalArgumentException e) {
            // advice only: a refusal costs the first reads a trip to the device, nothing more
        }
    }
}
