package io.toykv.server.command;

import static io.toykv.server.command.Requests.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While an EXEC runs, other clients' key commands wait for it; commands that touch no key do not. */
class IsolationLockTest {
    @TempDir
    Path dir;

    /** The store's get of key {@code "block"} waits until {@link #release} is counted down. */
    private static final class BlockingKeyspace extends ForwardingKeyspace {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        BlockingKeyspace(Keyspace store) {
            super(store);
        }

        @Override
        public byte[] get(byte[] key) {
            if (Arrays.equals(key, "block".getBytes(StandardCharsets.UTF_8))) {
                entered.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.get(key);
        }
    }

    @Test
    void keyCommandsWaitForARunningExecAndPingDoesNot() throws Exception {
        StoreOptions options = StoreOptions.defaults().shards(1);
        try (Store store = Store.open(dir, options)) {
            BlockingKeyspace keyspace = new BlockingKeyspace(new StoreKeyspace(store, options));
            Dispatcher d = new Dispatcher(keyspace, DispatcherTest.SERVER);
            Session tx = new Session(1, "tx", true);
            run(d, tx, "MULTI");
            run(d, tx, "SET", "a", "1");
            run(d, tx, "GET", "block"); // EXEC stops here, holding the lock, until released
            run(d, tx, "SET", "b", "1");
            CompletableFuture<String> exec = CompletableFuture.supplyAsync(() -> run(d, tx, "EXEC"));
            keyspace.entered.await();

            Session other = new Session(2, "other", true);
            assertEquals(
                    "+PONG\r\n",
                    CompletableFuture.supplyAsync(() -> run(d, other, "PING")).get(1, TimeUnit.MINUTES));
            Thread[] reader = new Thread[1];
            CompletableFuture<String> mget = new CompletableFuture<>();
            reader[0] = new Thread(() -> mget.complete(run(d, new Session(3, "reader", true), "MGET", "a", "b")));
            reader[0].start();
            while (reader[0].getState() != Thread.State.WAITING && !mget.isDone()) {
                Thread.onSpinWait(); // until parked on the isolation lock (or done, if it took none)
            }
            assertEquals(false, mget.isDone(), "a reader ran while the EXEC held the lock");
            keyspace.release.countDown();
            assertEquals("*3\r\n+OK\r\n$-1\r\n+OK\r\n", exec.get(1, TimeUnit.MINUTES));
            assertEquals("*2\r\n$1\r\n1\r\n$1\r\n1\r\n", mget.get(1, TimeUnit.MINUTES), "the whole EXEC, after it");
        }
    }
}
