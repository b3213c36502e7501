package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A bounded chaos run against the packaged jar under a 256 MiB heap: for {@link #RUN_SECONDS} s, clients
 * send unfinished huge requests, pipeline large GETs without reading, send KEYS without reading, sit
 * idle, and write a model's keys. Afterwards the server answers, INFO adds up (no buffer bytes left
 * once the clients are gone, idle clients untouched), every acknowledged write of the model is there
 * with its value, and again after a restart.
 */
class ClientChaosIT extends SmallHeapProcessTest {
    static final int RUN_SECONDS = 20;
    static final int MODEL_WRITERS = 3;
    static final int HOGS = 3;
    static final int SLOW_READERS = 3;
    static final int KEYS_CLIENTS = 2;
    static final int IDLE = 40;

    ServerProcessIT.Server start(Path data) throws IOException, InterruptedException {
        return startSmallHeap(data, "--maxmemory-clients", "48mb", "--client-output-buffer-limit", "8mb");
    }

    static byte[] valueOf(String key, int version) {
        Random r = new Random(key.hashCode() * 31L + version);
        byte[] v = new byte[1 + r.nextInt(20_000)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) ('a' + r.nextInt(26));
        }
        return v;
    }

    static String bulk(byte[] v) {
        return "$" + v.length + "\r\n" + new String(v, StandardCharsets.ISO_8859_1) + "\r\n";
    }

    @Test
    void chaosLeavesTheServerHealthyAndEveryAcknowledgedWriteInPlace() throws Exception {
        Path data = dir.resolve("data");
        ServerProcessIT.Server server = start(data);
        int port = server.port();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RUN_SECONDS);
        Map<String, Integer> model = new ConcurrentHashMap<>(); // key -> version of its acknowledged value
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong hogConnections = new AtomicLong();
        AtomicLong slowConnections = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        try (RespClient c = new RespClient(port)) {
            assertEquals("+OK\r\n", c.call("SET", "big", "b".repeat(512 * 1024)));
        }
        List<RespClient> idle = new ArrayList<>();
        for (int i = 0; i < IDLE; i++) {
            idle.add(new RespClient(port, 30_000));
        }
        for (int w = 0; w < MODEL_WRITERS; w++) {
            int writer = w;
            threads.add(new Thread(
                    () -> {
                        Random r = new Random(writer);
                        try (RespClient c = new RespClient(port, 30_000)) {
                            for (int i = 0; System.nanoTime() < deadline; i++) {
                                String key = "m" + writer + ":" + r.nextInt(500);
                                int version = i;
                                String reply = c.call(
                                        "SET", key, new String(valueOf(key, version), StandardCharsets.ISO_8859_1));
                                if (!reply.equals("+OK\r\n")) {
                                    failures.add("SET " + key + " replied " + reply);
                                    return;
                                }
                                model.put(key, version);
                            }
                        } catch (IOException e) {
                            failures.add("model writer " + writer + " lost its connection: " + e);
                        }
                    },
                    "model-" + w));
        }
        byte[] mb = new byte[1 << 20];
        Arrays.fill(mb, (byte) 'h');
        for (int h = 0; h < HOGS; h++) {
            threads.add(new Thread(
                    () -> {
                        while (System.nanoTime() < deadline) {
                            hogConnections.incrementAndGet();
                            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                                OutputStream out = s.getOutputStream();
                                out.write("*201\r\n$4\r\nMSET\r\n".getBytes(StandardCharsets.US_ASCII));
                                for (int k = 0; k < 100 && System.nanoTime() < deadline; k++) {
                                    out.write(("$5\r\nhog" + (k % 10) + "k\r\n$" + mb.length + "\r\n")
                                            .getBytes(StandardCharsets.US_ASCII));
                                    out.write(mb);
                                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                                }
                                Thread.sleep(200); // unfinished: hold it a while
                            } catch (IOException e) {
                                // evicted
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    },
                    "hog-" + h));
        }
        for (int sr = 0; sr < SLOW_READERS; sr++) {
            threads.add(new Thread(
                    () -> sendWithoutReading(
                            port, deadline, RespClient.encode("GET", "big"), 200, 500, slowConnections),
                    "slow-" + sr));
        }
        for (int k = 0; k < KEYS_CLIENTS; k++) {
            threads.add(new Thread(
                    () -> sendWithoutReading(port, deadline, RespClient.encode("KEYS", "*"), 3, 1000, new AtomicLong()),
                    "keys-" + k));
        }
        try (ClientMemoryIT.Probe probe = new ClientMemoryIT.Probe(port)) {
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(RUN_SECONDS + 60));
                assertTrue(!t.isAlive(), t.getName() + " did not finish");
            }
            System.out.println("chaos: " + probe.summary() + "; " + model.size() + " model keys, " + hogConnections
                    + " hog and " + slowConnections + " slow-reader connections");
            assertTrue(failures.isEmpty(), () -> failures + "; the server's warnings:\n" + warnings(server));
            probe.assertServed(server);
        }
        assertTrue(server.process().isAlive(), server.log());
        try (RespClient c = new RespClient(port, 30_000)) {
            assertEquals("+PONG\r\n", c.call("PING"));
            // What the idle clients and this one hold: a reader's base charge each, and this reply.
            long left = (IDLE + 1L) * Connection.READER_BYTES + ClientMemoryIT.OWN_BUFFER;
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while ((ClientMemoryIT.infoField(c, "connected_clients") != IDLE + 1
                            || ClientMemoryIT.infoField(c, "client_buffers_bytes") > left)
                    && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            assertEquals(
                    IDLE + 1,
                    ClientMemoryIT.infoField(c, "connected_clients"),
                    () -> "every gone client closed, every idle one kept; the server's warnings:\n" + warnings(server));
            assertTrue(
                    ClientMemoryIT.infoField(c, "client_buffers_bytes") <= left,
                    "buffer bytes left accounted after the clients left");
            long evicted = ClientMemoryIT.infoField(c, "evicted_clients");
            System.out.println("chaos: evicted_clients " + evicted);
            assertTrue(evicted > 0, "the hogs were never evicted");
            for (RespClient i : idle) {
                assertEquals("+PONG\r\n", i.call("PING"), "an idle client was disconnected");
                i.close();
            }
            checkModel(c, model);
        }
        server.process().destroy();
        assertTrue(server.process().waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, server.process().exitValue(), server.log());
        ServerProcessIT.Server again = start(data);
        try (RespClient c = new RespClient(again.port(), 30_000)) {
            checkModel(c, model);
        }
    }

    /**
     * Until the deadline: connects, sends {@code request} {@code times} times without reading a reply,
     * holds the connection {@code holdMillis}, and again (the server closes it past its limits).
     */
    private static void sendWithoutReading(
            int port, long deadline, byte[] request, int times, long holdMillis, AtomicLong connections) {
        while (System.nanoTime() < deadline) {
            connections.incrementAndGet();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                s.setReceiveBufferSize(4096);
                OutputStream out = s.getOutputStream();
                for (int k = 0; k < times && System.nanoTime() < deadline; k++) {
                    out.write(request);
                }
                Thread.sleep(holdMillis);
            } catch (IOException e) {
                // closed past its output limit, or evicted
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void checkModel(RespClient c, Map<String, Integer> model) throws IOException {
        assertTrue(model.size() > 100, "too few model writes to mean anything: " + model.size());
        for (Map.Entry<String, Integer> e : model.entrySet()) {
            assertEquals(bulk(valueOf(e.getKey(), e.getValue())), c.call("GET", e.getKey()), e.getKey());
        }
    }

    /** The server's warning lines (evictions, closes), for a failure's message. */
    private static String warnings(ServerProcessIT.Server server) {
        return server.log()
                .lines()
                .filter(l -> l.contains("WARN"))
                .limit(300)
                .collect(java.util.stream.Collectors.joining("\n"));
    }
}
