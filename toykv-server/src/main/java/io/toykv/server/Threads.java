package io.toykv.server;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread factories for connections: virtual threads when the running JVM has them (found through
 * method handles, so the code still compiles for Java 17), platform daemon threads otherwise.
 */
final class Threads {
    private static final MethodHandle OF_VIRTUAL = findOfVirtual();

    private Threads() {
    }

    /** Whether this JVM can start virtual threads. */
    static boolean virtualAvailable() {
        return OF_VIRTUAL != null;
    }

    /** A factory naming threads {@code prefix + n}; virtual ones if asked and available. */
    static ThreadFactory factory(String prefix, boolean virtual) {
        if (virtual && OF_VIRTUAL != null) {
            try {
                return (ThreadFactory) OF_VIRTUAL.invoke(prefix);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot create a virtual thread factory", e);
            }
        }
        AtomicLong n = new AtomicLong();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** {@code prefix -> Thread.ofVirtual().name(prefix, 1).factory()}, or null before Java 21. */
    private static MethodHandle findOfVirtual() {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            Class<?> builder = Class.forName("java.lang.Thread$Builder");
            Class<?> ofVirtual = Class.forName("java.lang.Thread$Builder$OfVirtual");
            MethodHandle create = lookup.findStatic(Thread.class, "ofVirtual", MethodType.methodType(ofVirtual));
            MethodHandle name = lookup.findVirtual(ofVirtual, "name",
                    MethodType.methodType(ofVirtual, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            // prefix -> factory(name(ofVirtual(), prefix, 1))
            MethodHandle named = MethodHandles.insertArguments(name, 2, 1L); // (OfVirtual, String) -> OfVirtual
            MethodHandle withBuilder = MethodHandles.foldArguments(named, create); // (String) -> OfVirtual
            MethodHandle asBuilder = withBuilder.asType(MethodType.methodType(builder, String.class));
            MethodHandle result = MethodHandles.filterReturnValue(asBuilder, factory);
            // Start one to be sure the JVM allows it (a preview-only JDK 19/20 would throw).
            ThreadFactory probe = (ThreadFactory) result.invoke("toykv-probe-");
            Thread t = probe.newThread(() -> { });
            t.start();
            t.join();
            return result;
        } catch (Throwable e) {
            return null;
        }
    }
}
