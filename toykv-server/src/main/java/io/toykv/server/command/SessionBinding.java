package io.toykv.server.command;

/**
 * A session bound to the current thread ({@link Dispatcher#bindToThread}): the commands the thread runs
 * work on the database that session selected. Closing puts back the session the thread had bound
 * before.
 */
public interface SessionBinding extends AutoCloseable {
    @Override
    void close();
}
