package io.toykv.core.io;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Makes every background thread of the core, so that each is made the same way: named (the names are
 * listed in {@code io.toykv.core}'s package-info), a daemon (a store left open never keeps the JVM
 * alive), at a lowered CPU priority where asked ({@link ThreadPriority}), and with one uncaught-exception
 * handler. That handler does what the JVM's default would: hands the exception to the default handler
 * if one is set, else prints it with the thread's name. The engine's own failures never get that far:
 * each thread catches what its task throws and keeps it for the next foreground call.
 *
 * <p>It also owns the waits on them. Background threads are stopped by a latch, never by an interrupt:
 * an interrupt during a write to a {@link java.nio.channels.FileChannel} closes the channel. And a wait
 * for background work that writes (a flush, a thread's last round) does not end early when the waiting
 * thread is interrupted, since the work goes on regardless and the caller must not act as if it were
 * done: it waits on, then sets the interrupt flag again for the caller to see.
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

    private BackgroundThreads() {}

    /** A daemon thread, not started, that runs {@code task} at the normal priority. */
    public static Thread newThread(String name, Runnable task) {
        return newThread(name, 0, task);
    }

    /**
     * A daemon thread, not started, that first raises its own nice value by {@code nice} (0: leaves it;
     * best effort, see {@link ThreadPriority#lowerCurrentThread}), then runs {@code task}.
     */
    public static Thread newThread(String name, int nice, Runnable task) {
        Runnable body = nice <= 0
                ? task
                : () -> {
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

    /** Sleeps up to {@code millis}; returns true if {@code stop} was released, or the thread interrupted (time to stop). */
    public static boolean sleepUnlessStopped(CountDownLatch stop, long millis) {
        try {
            return stop.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Waits for {@code thread} to end, even if interrupted meanwhile (the interrupt is kept). */
    public static void join(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        restoreInterrupt(interrupted);
    }

    /** Shuts {@code executor} down and waits for its running task to end, even if interrupted meanwhile (the interrupt is kept). */
    public static void shutdownAndWait(ExecutorService executor) {
        executor.shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (executor.awaitTermination(1, TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        restoreInterrupt(interrupted);
    }

    /**
     * The result of {@code done}, waiting for it even if interrupted meanwhile (the interrupt is kept).
     * What the task threw is thrown as it was (an {@link IOException}, a runtime exception or an error);
     * a checked exception of another kind comes wrapped in an {@code IOException}.
     */
    public static <T> T await(Future<T> done) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return done.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof IOException io) {
                        throw io;
                    }
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    if (cause instanceof Error error) {
                        throw error;
                    }
                    throw new IOException(cause);
                }
            }
        } finally {
            restoreInterrupt(interrupted);
        }
    }

    private static void restoreInterrupt(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
