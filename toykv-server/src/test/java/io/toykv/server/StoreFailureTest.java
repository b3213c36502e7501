package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.toykv.core.ScanIterator;
import io.toykv.core.Store;
import io.toykv.server.command.Keyspace;
import io.toykv.server.command.StoreKeyspace;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A failing store (disk full, closed) gives error replies; the server and the connection live on. */
class StoreFailureTest {
    @TempDir
    Path dir;

    /** A keyspace whose writes fail with "No space left on device" while {@link #full} is set. */
    static final class FullDisk implements Keyspace {
        final Keyspace inner;
        final AtomicBoolean full = new AtomicBoolean();
        /** Thrown by writes while set: an Error such as an OutOfMemoryError. */
        volatile Error error;

        FullDisk(Keyspace inner) {
            this.inner = inner;
        }

        private void maybeFail() {
            Error e = error;
            if (e != null) {
                throw e;
            }
            if (full.get()) {
                throw new UncheckedIOException(new IOException("No space left on device"));
            }
        }

        @Override
        public void put(byte[] key, byte[] value) {
            maybeFail();
            inner.put(key, value);
        }

        @Override
        public void check(byte[] key, byte[] value) {
            inner.check(key, value);
        }

        @Override
        public byte[] get(byte[] key) {
            return inner.get(key);
        }

        @Override
        public boolean delete(byte[] key) {
            maybeFail();
            return inner.delete(key);
        }

        @Override
        public ScanIterator scan(byte[] from, byte[] to) {
            return inner.scan(from, to);
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public void clear() {
            maybeFail();
            inner.clear();
        }

        @Override
        public void sync() {
            inner.sync();
        }

        @Override
        public Map<String, Object> stats() {
            return inner.stats();
        }

        @Override
        public long now() {
            return inner.now();
        }

        @Override
        public void put(byte[] key, byte[] value, long expireAtMillis) {
            maybeFail();
            inner.put(key, value, expireAtMillis);
        }

        @Override
        public boolean putIfAbsent(byte[] key, byte[] value, long expireAtMillis) {
            maybeFail();
            return inner.putIfAbsent(key, value, expireAtMillis);
        }

        @Override
        public boolean putIfPresent(byte[] key, byte[] value, long expireAtMillis) {
            maybeFail();
            return inner.putIfPresent(key, value, expireAtMillis);
        }

        @Override
        public boolean expireAt(byte[] key, long expireAtMillis) {
            maybeFail();
            return inner.expireAt(key, expireAtMillis);
        }

        @Override
        public boolean persist(byte[] key) {
            maybeFail();
            return inner.persist(key);
        }

        @Override
        public long expiry(byte[] key) {
            return inner.expiry(key);
        }

        @Override
        public long version(byte[] key) {
            return inner.version(key);
        }

        @Override
        public long expiringKeys() {
            return inner.expiringKeys();
        }
    }

    @Test
    void diskFullBecomesAnErrorReply() throws IOException {
        Store store = Store.open(dir, TestServers.smallStore());
        FullDisk keyspace = new FullDisk(new StoreKeyspace(store, TestServers.smallStore()));
        try (ToykvServer server = ToykvServer.start(
                        TestServers.config(dir), keyspace, store, new PrintStream(OutputStream.nullOutputStream()));
                RespClient c = new RespClient(server.port())) {
            assertEquals("+OK\r\n", c.call("SET", "a", "1"));
            keyspace.full.set(true);
            assertEquals("-ERR store I/O error: No space left on device\r\n", c.call("SET", "b", "2"));
            assertEquals("-ERR store I/O error: No space left on device\r\n", c.call("DEL", "a"));
            assertEquals("$1\r\n1\r\n", c.call("GET", "a"));
            keyspace.full.set(false);
            assertEquals("+OK\r\n", c.call("SET", "b", "2"));
        }
    }

    @Test
    void closedStoreBecomesAnErrorReply() throws IOException {
        Store store = Store.open(dir, TestServers.smallStore());
        try (ToykvServer server = ToykvServer.start(
                        TestServers.config(dir),
                        new StoreKeyspace(store, TestServers.smallStore()),
                        store,
                        new PrintStream(OutputStream.nullOutputStream()));
                RespClient c = new RespClient(server.port())) {
            store.close();
            assertEquals("-ERR store is closed\r\n", c.call("GET", "a"));
            assertEquals("+PONG\r\n", c.call("PING"));
        }
    }

    /** An Error is not an error reply: the server logs it and runs its fatal action (the process halts). */
    @Test
    void errorInAConnectionThreadRunsTheFatalAction() throws Exception {
        Store store = Store.open(dir, TestServers.smallStore());
        FullDisk keyspace = new FullDisk(new StoreKeyspace(store, TestServers.smallStore()));
        java.util.concurrent.CountDownLatch fatal = new java.util.concurrent.CountDownLatch(1);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        try (ToykvServer server = ToykvServer.start(
                        TestServers.config(dir).fatalAction(fatal::countDown),
                        keyspace,
                        store,
                        new PrintStream(log, true));
                RespClient c = new RespClient(server.port())) {
            assertEquals("+OK\r\n", c.call("SET", "a", "1"));
            keyspace.error = new OutOfMemoryError("injected");
            c.send(RespClient.encode("SET", "b", "2"));
            org.junit.jupiter.api.Assertions.assertTrue(
                    fatal.await(5, java.util.concurrent.TimeUnit.SECONDS), "no fatal action: " + log);
            org.junit.jupiter.api.Assertions.assertTrue(log.toString().contains("FATAL client("), log.toString());
            keyspace.error = null;
        }
    }
}
