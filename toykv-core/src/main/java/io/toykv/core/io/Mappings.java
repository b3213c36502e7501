package io.toykv.core.io;

import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Unmaps memory mappings at once instead of waiting for the garbage collector. Only ever call it on a
 * mapping no thread can touch again: an access after unmapping crashes the JVM. Uses
 * {@code sun.misc.Unsafe.invokeCleaner} (module jdk.unsupported) where present, and otherwise leaves the
 * mapping to the garbage collector.
 */
public final class Mappings {
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;
    /** Forces left to fail, as an EIO from the device would ({@link #failNextForces}); 0 outside fault-injection tests. */
    private static final java.util.concurrent.atomic.AtomicInteger FORCES_TO_FAIL =
            new java.util.concurrent.atomic.AtomicInteger();

    static {
        Object unsafe = null;
        Method invoke = null;
        try {
            Class<?> c = Class.forName("sun.misc.Unsafe");
            Field f = c.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            unsafe = f.get(null);
            invoke = c.getMethod("invokeCleaner", java.nio.ByteBuffer.class);
        } catch (ReflectiveOperationException | RuntimeException e) {
            unsafe = null;
            invoke = null;
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = invoke;
    }

    private Mappings() {}

    /**
     * Forces [index, index + length) of a file's mapping to the device (msync), through the file's {@link FileIo}. A failure is an
     * {@code UncheckedIOException} (as from {@link MappedByteBuffer#force}) whose cause is a
     * {@link ForceFailedException} naming {@code path}.
     */
    public static void force(MappedByteBuffer map, int index, int length, Path path) {
        try {
            FileIo.of(path).force(map, path, index, length);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(new ForceFailedException(path, e.getCause()));
        }
    }

    /** Whether this force is one {@link #failNextForces} asked to fail. */
    static boolean injectFailure() {
        return FORCES_TO_FAIL.get() > 0 && FORCES_TO_FAIL.getAndDecrement() > 0;
    }

    /**
     * Makes the next {@code count} forces through {@link #force} or {@link FileIo#REAL}'s force of a
     * channel (fsync, fdatasync) fail, in this JVM, as an EIO from the
     * device would; later ones work again (a retry would succeed: the fsyncgate case). For
     * fault-injection tests only.
     */
    public static void failNextForces(int count) {
        FORCES_TO_FAIL.set(count);
    }

    public static void unmap(MappedByteBuffer buffer) {
        if (buffer == null || INVOKE_CLEANER == null) {
            return;
        }
        try {
            INVOKE_CLEANER.invoke(UNSAFE, buffer);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // leave it to the garbage collector
        }
    }
}
