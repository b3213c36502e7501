package io.toykv.server;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server's main, plus a thread that dies of an {@link OutOfMemoryError} once the file named by
 * {@code -Dtoykv.test.trigger} exists: a stand-in for a background thread killed by an Error, run as
 * a real process by {@link ClientMemoryIT}.
 */
public final class ErrorInjectingServerMain {
    private ErrorInjectingServerMain() {}

    public static void main(String[] args) {
        Path trigger = Path.of(System.getProperty("toykv.test.trigger"));
        Thread t = new Thread(
                () -> {
                    while (!Files.exists(trigger)) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    throw new OutOfMemoryError("injected by the test");
                },
                "toykv-injected-background");
        t.setDaemon(true);
        t.start();
        ServerMain.main(args);
    }
}
