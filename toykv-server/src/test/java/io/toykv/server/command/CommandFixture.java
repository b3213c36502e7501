package io.toykv.server.command;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.resp.ReplyWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** A dispatcher over a real store, called as a client would, each reply as its exact RESP text. */
final class CommandFixture implements AutoCloseable {
    final Store store;
    final Dispatcher dispatcher;
    final Session session = new Session(1, "127.0.0.1:5000", true);

    CommandFixture(Path dir, StoreOptions options) {
        try {
            store = Store.open(dir, options);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        dispatcher = new Dispatcher(new StoreKeyspace(store, options), new QuietServer());
    }

    CommandFixture(Path dir) {
        this(dir, StoreOptions.defaults().shards(1));
    }

    /** The reply to one command, in the session's protocol. */
    String call(String... args) {
        ReplyWriter out = new ReplyWriter(64);
        out.protocol(session.protocol());
        dispatcher.execute(
                session,
                Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList(),
                out);
        return new String(out.take(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        store.close();
    }
}
