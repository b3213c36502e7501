package io.toykv.server.command;

import static io.toykv.server.command.Requests.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import io.toykv.resp.BufferBudget;
import io.toykv.resp.BufferLimitException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Queued commands and watched keys are charged to the client's memory account, and given back. */
class TransactionMemoryTest {
    @TempDir
    Path dir;

    /** Counts what is held; refuses a reservation past {@code limit}. */
    private static final class CountingBudget implements BufferBudget {
        final long limit;
        long held;

        CountingBudget(long limit) {
            this.limit = limit;
        }

        @Override
        public void reserve(long bytes) {
            if (held + bytes > limit) {
                throw new BufferLimitException("client evicted: all clients' buffers would pass maxmemory-clients");
            }
            held += bytes;
        }

        @Override
        public void release(long bytes) {
            held -= bytes;
        }
    }

    @Test
    void queuedCommandsAndWatchedKeysAreChargedUntilExecOrUnwatch() throws Exception {
        StoreOptions options = StoreOptions.defaults().shards(1);
        try (Store store = Store.open(dir, options)) {
            Dispatcher d = new Dispatcher(new StoreKeyspace(store, options), DispatcherTest.SERVER);
            Session s = new Session(1, "test", true);
            CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
            s.chargeTransactionsTo(budget);

            run(d, s, "WATCH", "w");
            long watched = budget.held;
            assertEquals(1 + Transaction.WATCHED_KEY_OVERHEAD, watched);
            run(d, s, "MULTI");
            String value = "v".repeat(10_000);
            assertEquals("+QUEUED\r\n", run(d, s, "SET", "k", value));
            assertTrue(budget.held >= watched + 10_000, "the value is charged: " + budget.held);
            run(d, s, "EXEC");
            assertEquals(0, budget.held, "EXEC gives back the queue and the watches");

            run(d, s, "WATCH", "a", "b");
            run(d, s, "UNWATCH");
            assertEquals(0, budget.held);
            run(d, s, "MULTI");
            run(d, s, "SET", "k", value);
            run(d, s, "DISCARD");
            assertEquals(0, budget.held);
        }
    }

    @Test
    void aQueuePastTheBudgetClosesTheClientWithoutAReply() throws Exception {
        StoreOptions options = StoreOptions.defaults().shards(1);
        try (Store store = Store.open(dir, options)) {
            Dispatcher d = new Dispatcher(new StoreKeyspace(store, options), DispatcherTest.SERVER);
            Session s = new Session(1, "test", true);
            s.chargeTransactionsTo(new CountingBudget(5_000));
            run(d, s, "MULTI");
            String value = "v".repeat(1_000);
            String reply = "";
            for (int i = 0; i < 10 && s.closeWithoutReply() == null; i++) {
                reply = run(d, s, "SET", "k" + i, value);
            }
            assertNotNull(s.closeWithoutReply(), "refused before ten values of 1,000 bytes were held");
            assertEquals("", reply, "no reply for the command that did not fit");
            assertNull(store.get("k0".getBytes(StandardCharsets.UTF_8)), "nothing ran");
        }
    }
}
