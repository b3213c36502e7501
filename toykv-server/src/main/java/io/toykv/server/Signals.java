package io.toykv.server;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Handles SIGTERM and SIGINT with {@code sun.misc.Signal} (module jdk.unsupported, looked up
 * reflectively so the build has no internal-API warning), so the server can finish its shutdown and
 * exit 0 rather than 143. Where that API is missing, a shutdown hook still closes the store.
 */
final class Signals {
    private Signals() {}

    /** Runs {@code action} on its own thread at SIGTERM or SIGINT; false if signals cannot be handled. */
    static boolean onTermination(Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Constructor<?> signal = signalClass.getConstructor(String.class);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object handler = Proxy.newProxyInstance(
                    Signals.class.getClassLoader(),
                    new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            Thread t = new Thread(action, "toykv-signal");
                            t.start();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "toykv shutdown signal handler";
                        default -> null;
                    });
            for (String name : new String[] {"TERM", "INT"}) {
                handle.invoke(null, signal.newInstance(name), handler);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return false;
        }
    }
}
