package io.toykv.core.io;

import java.util.concurrent.ThreadFactory;

/**
 * Makes every background thread of the core, so that each is made the same way: named (the names are
 * listed in {@code io.toykv.core}'s package-info), a daemon (a store left open never keeps the JVM
 * alive), at a lowered CPU priority where asked ({@link ThreadPriority}), and with one uncaught-exception
 * handler. That handler does what the JVM's default would: hands the exception to the default handler
 * if one is set, else prints it with the thread's name. The engine's own failures never get that far:
 * each thread catches what its task throws and keeps it for the next foreground call.
 */
public final class BackgroundThreads {
    private static final Thread.UncaughtExceptionHandler UNCAUGHT = (t, e) -> {
        Thread.UncaughtExceptionHandler fallback = Thread.getDefaultUncaughtExceptionHandler();
        if (fallback != null) {
            fallback.uncaughtException(t, e);
        } else {
            System.err.print("Exception in thread \"" + t.getName() + "\" ");
            e.printStackTrace();
        }
    };

    private BackgroundThreads() {
    }

    /** A daemon thread, not started, that runs {@code task} at the normal priority. */
    public static Thread newThread(String name, Runnable task) {
        return newThread(name, 0, task);
    }

    /**
     * A daemon thread, not started, that first raises its own nice value by {@code nice} (0: leaves it;
     * best effort, see {@link ThreadPriority#lowerCurrentThread}), then runs {@code task}.
     */
    public static Thread newThread(String name, int nice, Runnable task) {
        Runnable body = nice <= 0 ? task : () -> {
            ThreadPriority.lowerCurrentThread(nice);
            task.run();
        };
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.setUncaughtExceptionHandler(UNCAUGHT);
        return t;
    }

    /** A factory for an executor whose threads all take {@code name}, made as {@link #newThread(String, Runnable)}. */
    public static ThreadFactory named(String name) {
        return r -> newThread(name, r);
    }
}
