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
    /** The JDK's property for the number of platform threads that carry virtual threads. */
    static final String CARRIERS_PROPERTY = "jdk.virtualThreadScheduler.parallelism";

    private Threads() {}

    /** Found on first use, so {@link #configureCarriers} can run before any virtual thread exists. */
    private static final class Virtual {
        static final MethodHandle OF_VIRTUAL = findOfVirtual();
    }

    /** Whether this JVM can start virtual threads. */
    static boolean virtualAvailable() {
        return Virtual.OF_VIRTUAL != null;
    }

    /**
     * Sets how many carrier threads run the virtual threads, if {@code requested} is given; otherwise
     * the JVM's own setting stands ({@value #CARRIERS_PROPERTY}, one per CPU by default). Must run
     * before the first virtual thread is created: the JDK reads the property once, when its scheduler
     * starts.
     *
     * <p>Why the default stays one per CPU: one carrier saves carrier wake-ups at -P 1 but becomes the
     * bottleneck at -P 16, and a request waits behind every other connection's on it (a higher p99);
     * measure with scripts/bench-server.sh before changing it.
     */
    static void configureCarriers(Integer requested) {
        if (requested != null) {
            if (requested < 1) {
                throw new IllegalArgumentException("must be at least 1, was " + requested);
            }
            System.setProperty(CARRIERS_PROPERTY, requested.toString());
        }
    }

    /** The carrier count virtual threads get: the property if set and valid, else one per CPU. */
    static int carriers() {
        try {
            String value = System.getProperty(CARRIERS_PROPERTY);
            if (value != null) {
                return Integer.parseInt(value.trim());
            }
        } catch (NumberFormatException e) {
            // the JDK falls back to its default too
        }
        return Runtime.getRuntime().availableProcessors();
    }

    /** A factory naming threads {@code prefix + n}; virtual ones if asked and available. */
    static ThreadFactory factory(String prefix, boolean virtual) {
        if (virtual && virtualAvailable()) {
            try {
                return (ThreadFactory) Virtual.OF_VIRTUAL.invoke(prefix);
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
            MethodHandle name =
                    lookup.findVirtual(ofVirtual, "name", MethodType.methodType(ofVirtual, String.class, long.class));
            MethodHandle factory = lookup.findVirtual(builder, "factory", MethodType.methodType(ThreadFactory.class));
            // prefix -> factory(name(ofVirtual(), prefix, 1))
            MethodHandle named = MethodHandles.insertArguments(name, 2, 1L); // (OfVirtual, String) -> OfVirtual
            MethodHandle withBuilder = MethodHandles.foldArguments(named, create); // (String) -> OfVirtual
            MethodHandle asBuilder = withBuilder.asType(MethodType.methodType(builder, String.class));
            MethodHandle result = MethodHandles.filterReturnValue(asBuilder, factory);
            // Create (not start: its code would wait for this class's initialisation) one thread, to be sure
            // the JVM allows it: a preview-only JDK 19/20 throws here.
            ThreadFactory probe = (ThreadFactory) result.invoke("toykv-probe-");
            probe.newThread(Thread::yield);
            return result;
        } catch (Throwable e) {
            return null;
        }
    }
}
