package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two hundred clients at once, each writing and reading its own keys, and SET NX racing on one key. */
class ConcurrentClientsTest {
    static final int CLIENTS = 200;
    static final int OPS = 100;

    @TempDir
    Path dir;

    @Test
    void twoHundredClientsEachSeeTheirOwnWrites() throws Exception {
        try (ToykvServer server = TestServers.start(dir)) {
            ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
            CountDownLatch allConnected = new CountDownLatch(CLIENTS);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int n = 0; n < CLIENTS; n++) {
                    int client = n;
                    results.add(pool.submit(() -> {
                        try (RespClient c = new RespClient(server.port(), 30_000)) {
                            allConnected.countDown();
                            allConnected.await(30, TimeUnit.SECONDS);
                            int winners = 0;
                            for (int i = 0; i < OPS; i++) {
                                String key = "c" + client + ":" + i;
                                assertEquals("+OK\r\n", c.call("SET", key, "v" + i));
                                assertEquals("$" + ("v" + i).length() + "\r\nv" + i + "\r\n", c.call("GET", key));
                            }
                            if (c.call("SET", "race", "c" + client, "NX").equals("+OK\r\n")) {
                                winners++;
                            }
                            return winners;
                        }
                    }));
                }
                int winners = 0;
                for (Future<Integer> f : results) {
                    winners += f.get(120, TimeUnit.SECONDS);
                }
                assertEquals(1, winners, "exactly one SET NX wins");
                try (RespClient c = new RespClient(server.port())) {
                    assertEquals(":" + (CLIENTS * OPS + 1) + "\r\n", c.call("DBSIZE"));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void serverCountsConnectedClients() throws IOException, InterruptedException {
        try (ToykvServer server = TestServers.start(dir);
                RespClient a = new RespClient(server.port())) {
            RespClient b = new RespClient(server.port());
            assertEquals("+PONG\r\n", a.call("PING"));
            assertEquals("+PONG\r\n", b.call("PING"));
            assertEquals(2, server.clients());
            b.close();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.clients() != 1 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(1, server.clients());
        }
    }
}
