package io.toykv.server.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.resp.BufferBudget;
import io.toykv.resp.BufferLimitException;
import io.toykv.resp.ReplyWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DispatcherTest {
    @TempDir
    Path dir;

    /** A budget that refuses every growth, as one past client-output-buffer-limit or evicted does. */
    private static final BufferBudget REFUSING = new BufferBudget() {
        @Override
        public void reserve(long bytes) {
            if (bytes > 0) {
                throw new BufferLimitException("replies would pass client-output-buffer-limit (16 bytes)");
            }
        }

        @Override
        public void release(long bytes) {}
    };

    static final ServerControl SERVER = new QuietServer();
    private static final StoreOptions OPTIONS = StoreOptions.defaults().shards(1);

    private static List<byte[]> args(String... a) {
        return java.util.Arrays.stream(a)
                .map(s -> s.getBytes(StandardCharsets.UTF_8))
                .toList();
    }

    /**
     * A write whose reply finds no room ran: it is never answered with an error. Its reply is dropped and
     * the session is marked to close without one, as Redis closes a client past its output limit.
     */
    @Test
    void writeWhoseReplyPassesALimitIsAppliedAndClosesWithoutAnErrorReply() throws Exception {
        try (Store store = Store.open(dir, OPTIONS)) {
            Dispatcher d = new Dispatcher(new StoreKeyspace(store, OPTIONS), SERVER);
            Session session = new Session(1, "test", true);
            ReplyWriter out = new ReplyWriter(16, REFUSING);
            out.simple("0123456789ab"); // 15 of the 16 bytes: an earlier reply of the same read
            d.execute(session, args("SET", "k", "v"), out);
            assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), store.get("k".getBytes(StandardCharsets.UTF_8)));
            assertEquals(15, out.size(), "no reply, no error reply");
            assertNotNull(session.closeWithoutReply());
            assertTrue(session.closeAfterReply());

            Session other = new Session(2, "test", true);
            ReplyWriter full = new ReplyWriter(16, REFUSING);
            full.simple("0123456789ab");
            d.execute(other, args("NOSUCHCOMMAND"), full); // an error reply that finds no room either
            assertEquals(15, full.size());
            assertNotNull(other.closeWithoutReply());
        }
    }

    /**
     * A session bound to the thread (as a connection's reader binds its own) is the one the thread's
     * commands see, before, during and after each command, until the binding is closed; a command of
     * another session on that thread sees its own and puts the bound one back.
     */
    @Test
    void aSessionBoundToTheThreadStaysBoundAcrossCommandsUntilClosed() throws Exception {
        try (Store store = Store.open(dir, OPTIONS)) {
            Dispatcher d = new Dispatcher(new StoreKeyspace(store, OPTIONS), SERVER);
            Session session = new Session(1, "test", true);
            session.database(3);
            Session other = new Session(2, "test", true);
            other.database(5);
            ReplyWriter out = new ReplyWriter(64);
            assertEquals(0, SelectedKeyspace.currentDatabase(), "nothing bound");
            try (SessionBinding bound = d.bindToThread(session)) {
                assertEquals(3, SelectedKeyspace.currentDatabase());
                d.execute(session, args("PING"), out);
                assertEquals(3, SelectedKeyspace.currentDatabase(), "the command left the binding alone");
                try (SessionBinding inner = SelectedKeyspace.bind(other)) {
                    assertEquals(5, SelectedKeyspace.currentDatabase());
                }
                assertEquals(3, SelectedKeyspace.currentDatabase(), "the other session's binding put this one back");
            }
            assertEquals(0, SelectedKeyspace.currentDatabase(), "closing unbound it");
            assertEquals("+PONG\r\n", new String(out.take(), StandardCharsets.UTF_8));
        }
    }
}
