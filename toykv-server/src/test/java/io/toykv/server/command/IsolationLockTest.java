package io.toykv.server.command;

import static io.toykv.server.command.Requests.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.Store;
import io.toykv.core.StoreOptions;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
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

    /**
     * A keyspace passing every call to {@code real}, except that a get of key {@code "block"} first waits
     * until {@code release} is counted down (a proxy, so that it forwards every method the interface has).
     */
    private static Keyspace blockingGet(Keyspace real, CountDownLatch entered, CountDownLatch release) {
        byte[] blocked = "block".getBytes(StandardCharsets.UTF_8);
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getName().equals("get") && Arrays.equals((byte[]) args[0], blocked)) {
                entered.countDown();
                release.await();
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Keyspace)
                Proxy.newProxyInstance(Keyspace.class.getClassLoader(), new Class<?>[] {Keyspace.class}, handler);
    }

    @Test
    void keyCommandsWaitForARunningExecAndPingDoesNot() throws Exception {
        StoreOptions options = StoreOptions.defaults().shards(1);
        try (Store store = Store.open(dir, options)) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Keyspace keyspace = blockingGet(new StoreKeyspace(store, options), entered, release);
            Dispatcher d = new Dispatcher(keyspace, DispatcherTest.SERVER);
            Session tx = new Session(1, "tx", true);
            run(d, tx, "MULTI");
            run(d, tx, "SET", "a", "1");
            run(d, tx, "GET", "block"); // EXEC stops here, holding the lock, until released
            run(d, tx, "SET", "b", "1");
            CompletableFuture<String> exec = CompletableFuture.supplyAsync(() -> run(d, tx, "EXEC"));
            entered.await();

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
            release.countDown();
            assertEquals("*3\r\n+OK\r\n$-1\r\n+OK\r\n", exec.get(1, TimeUnit.MINUTES));
            assertEquals("*2\r\n$1\r\n1\r\n$1\r\n1\r\n", mget.get(1, TimeUnit.MINUTES), "the whole EXEC, after it");
        }
    }
}
