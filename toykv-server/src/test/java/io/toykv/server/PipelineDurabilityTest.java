package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.core.SyncMode;
import io.toykv.core.io.FileIo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --sync always} the replies to a pipeline of writes are sent once all its writes are on the
 * device, after one group commit for the whole read rather than one each; if that fails, none is sent.
 */
class PipelineDurabilityTest {
    private static final int PIPELINE = 50;

    @TempDir
    Path dir;

    /** The real file system, counting the forces of commit journals, and failing them once asked to. */
    private static final class JournalForces {
        final AtomicInteger forces = new AtomicInteger();
        volatile boolean failing;

        FileIo fileIo() {
            return (FileIo) Proxy.newProxyInstance(
                    FileIo.class.getClassLoader(), new Class<?>[] {FileIo.class}, (proxy, method, args) -> {
                        if (method.getName().equals("force")
                                && args[1] instanceof Path p
                                && p.getFileName().toString().equals("journal.log")) {
                            if (failing) {
                                throw new IOException("simulated device error");
                            }
                            forces.incrementAndGet();
                        }
                        try {
                            return method.invoke(FileIo.REAL, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }

    private ToykvServer start(JournalForces io) throws IOException {
        return TestServers.start(TestServers.config(dir)
                .storeOptions(TestServers.smallStore().syncMode(SyncMode.ALWAYS).fileIo(io.fileIo())));
    }

    private static byte[] pipelineOfSets(String prefix) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < PIPELINE; i++) {
            b.writeBytes(RespClient.encode("SET", prefix + i, "v" + i));
        }
        return b.toByteArray();
    }

    @Test
    void aPipelineOfWritesSharesItsForces() throws IOException {
        JournalForces io = new JournalForces();
        try (ToykvServer server = start(io);
                RespClient c = new RespClient(server.port())) {
            c.call("SET", "warm", "up");
            int before = io.forces.get();
            c.send(pipelineOfSets("k"));
            for (int i = 0; i < PIPELINE; i++) {
                assertEquals("+OK\r\n", c.readReply());
            }
            int forces = io.forces.get() - before;
            // One read of the pipeline, one group commit (the socket may split it into a few reads, and the
            // once-a-second checkpoint may force the journal too): far fewer than a force for each SET.
            assertTrue(forces >= 1 && forces <= PIPELINE / 5, forces + " journal forces for " + PIPELINE + " SETs");
            assertEquals("$2\r\nv7\r\n", c.call("GET", "k7"));
        }
    }

    @Test
    void whenTheForceFailsNoWriteOfThePipelineIsAcknowledged() throws IOException {
        JournalForces io = new JournalForces();
        try (ToykvServer server = start(io);
                RespClient c = new RespClient(server.port())) {
            assertEquals("+OK\r\n", c.call("SET", "before", "1"));
            io.failing = true;
            c.send(pipelineOfSets("k"));
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            try {
                for (int b = c.in().read(); b >= 0; b = c.in().read()) {
                    received.write(b);
                }
            } catch (SocketException e) {
                // reset by the server: closed too
            }
            String replies = received.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(!replies.contains("+OK"), "a write that is not on the device was acknowledged: " + replies);
        }
    }
}
