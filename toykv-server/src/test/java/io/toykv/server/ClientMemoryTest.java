package io.toykv.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.toykv.resp.BufferBudget;
import io.toykv.resp.BufferLimitException;
import io.toykv.resp.ProtocolException;
import io.toykv.resp.ReplyWriter;
import io.toykv.resp.RequestParser;
import io.toykv.resp.RespLimits;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The accounting of client buffers: per client, in total, eviction of the largest, and the parser's and writer's use of it. */
class ClientMemoryTest {
    static final Log QUIET = new Log(new PrintStream(OutputStream.nullOutputStream()), true);

    @Test
    void reserveAndReleaseKeepTheTotal() {
        ClientMemory m = new ClientMemory(1000, 1000, QUIET);
        ClientMemory.Account a = m.open("1", () -> {});
        a.query.reserve(300);
        a.output.reserve(200);
        assertEquals(500, m.used());
        assertEquals(500, a.bytes());
        a.query.release(300);
        a.output.release(200);
        assertEquals(0, m.used());
    }

    @Test
    void outputPastThePerClientLimitIsRefusedAndClosesTheClient() {
        ClientMemory m = new ClientMemory(10_000, 1000, QUIET);
        ClientMemory.Account a = m.open("1", () -> {});
        a.output.reserve(900);
        assertThrows(BufferLimitException.class, () -> a.output.reserve(200));
        assertEquals(900, m.used(), "a refused reservation is not counted");
        assertTrue(a.mustClose().contains("client-output-buffer-limit"), a.mustClose());
        assertFalse(a.evicted());
    }

    @Test
    void pastTheBudgetTheLargestOtherClientIsEvicted() {
        ClientMemory m = new ClientMemory(1000, 10_000, QUIET);
        AtomicInteger disconnected = new AtomicInteger();
        ClientMemory.Account big = m.open("big", disconnected::incrementAndGet);
        ClientMemory.Account small = m.open("small", () -> {});
        big.query.reserve(700);
        small.query.reserve(200);
        small.query.reserve(200); // 1100 > 1000: big goes
        assertEquals(1, disconnected.get());
        assertTrue(big.evicted());
        assertNull(small.mustClose());
        assertEquals(400, m.used());
        assertEquals(1, m.evictedClients());
        big.query.release(700); // its thread unwinds later: gives back nothing twice
        assertEquals(400, m.used());
        assertThrows(BufferLimitException.class, () -> big.query.reserve(1));
    }

    @Test
    void askingClientThatIsTheLargestIsRefusedAndEvicted() {
        ClientMemory m = new ClientMemory(1000, 10_000, QUIET);
        AtomicInteger disconnected = new AtomicInteger();
        ClientMemory.Account a = m.open("a", disconnected::incrementAndGet);
        ClientMemory.Account b = m.open("b", () -> {});
        b.query.reserve(100);
        a.query.reserve(800);
        assertThrows(BufferLimitException.class, () -> a.query.reserve(300));
        assertTrue(a.evicted());
        assertEquals(0, disconnected.get(), "the asking client replies with the reason, then closes itself");
        assertEquals(100, m.used());
        assertFalse(b.evicted());
    }

    @Test
    void onATieTheAskingClientIsRefused() {
        ClientMemory m = new ClientMemory(1000, 10_000, QUIET);
        AtomicInteger disconnected = new AtomicInteger();
        ClientMemory.Account old = m.open("old", disconnected::incrementAndGet);
        ClientMemory.Account young = m.open("young", () -> {});
        old.query.reserve(600);
        assertThrows(BufferLimitException.class, () -> young.query.reserve(600));
        assertFalse(old.evicted());
        assertTrue(young.evicted());
        assertEquals(0, disconnected.get());
    }

    @Test
    void bytesOnTheirWayOutOfTheTotalEvictNoClient() {
        ClientMemory m = new ClientMemory(1000, 10_000, QUIET);
        ClientMemory.Account idle = m.open("idle", () -> {});
        ClientMemory.Account other = m.open("other", () -> {});
        idle.query.reserve(100);
        other.query.reserve(200);
        // The total as another thread can read it while a client of 1,200 bytes closes: the account
        // has left the set, its bytes are still in the total.
        long total = m.used() + 1200;
        List<ClientMemory.Account> shown = List.of(idle, other);
        assertNull(ClientMemory.toEvict(shown, null, total, m.budget()), "nobody to evict for it");
        assertNull(ClientMemory.toEvict(shown, other, total, m.budget()), "the asking client is not refused for it");
        other.addOutput(800); // queued replies, not yet checked against the budget: 1,100 the accounts show
        assertEquals(
                other,
                ClientMemory.toEvict(shown, idle, m.used(), m.budget()),
                "past the budget by what the accounts hold, the largest goes");
    }

    /**
     * Clients that fill the budget and leave, concurrently with idle clients that hold their reader's base
     * charge and new ones that reserve it, as ClientChaosIT's hogs and idle clients do: only the hogs go.
     * It meets the race of {@link ClientMemory#toEvict} in some runs, not in every one (the test above
     * pins the rule); it cannot fail for a correct rule, which never picks a client of the base charge
     * while the accounts shown hold tens of MiB.
     */
    @Test
    void clientsLeavingWhileOthersReserveNeverEvictAnIdleClient() throws InterruptedException {
        ClientMemory m = new ClientMemory(48L << 20, 8L << 20, QUIET);
        ConcurrentLinkedQueue<String> wronged = new ConcurrentLinkedQueue<>();
        List<ClientMemory.Account> idle = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            ClientMemory.Account a = m.open("idle-" + i, () -> wronged.add("an idle client was evicted"));
            a.query.reserve(Connection.READER_BYTES);
            idle.add(a);
        }
        AtomicBoolean hogsDone = new AtomicBoolean();
        List<Thread> hogs = new ArrayList<>();
        for (int h = 0; h < 3; h++) {
            Random random = new Random(h);
            hogs.add(new Thread(() -> {
                for (int round = 0; round < 20_000; round++) {
                    AtomicReference<ClientMemory.Account> self = new AtomicReference<>();
                    self.set(m.open("hog", () -> self.get().close())); // as the connection's forced close
                    try {
                        self.get().query.reserve(Connection.READER_BYTES);
                        for (int mib = random.nextInt(60); mib >= 0; mib--) {
                            self.get().query.reserve(1 << 20);
                        }
                    } catch (BufferLimitException e) {
                        // refused: it is the largest
                    }
                    self.get().close(); // evicted, or its client went away
                }
            }));
        }
        List<Thread> newcomers = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            newcomers.add(new Thread(() -> {
                while (!hogsDone.get()) {
                    ClientMemory.Account a = m.open("new", () -> wronged.add("a new idle client was evicted"));
                    try {
                        a.query.reserve(Connection.READER_BYTES);
                    } catch (BufferLimitException e) {
                        wronged.add("a new idle client was refused: " + e.getMessage());
                    }
                    a.close();
                }
            }));
        }
        hogs.forEach(Thread::start);
        newcomers.forEach(Thread::start);
        for (Thread t : hogs) {
            t.join();
        }
        hogsDone.set(true);
        for (Thread t : newcomers) {
            t.join();
        }
        assertTrue(m.evictedClients() > 0, "the hogs were never evicted");
        assertEquals(List.of(), wronged.stream().distinct().toList(), wronged.size() + " times");
        assertTrue(idle.stream().noneMatch(ClientMemory.Account::evicted));
        assertEquals(40L * Connection.READER_BYTES, m.used(), "what the idle clients hold, and nothing else");
    }

    @Test
    void parserChargesInlineLineGrowthAndReleasesItWhenTheLineIsDone() throws ProtocolException {
        CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
        RequestParser parser = new RequestParser(RespLimits.defaults(), budget);
        byte[] line = ("SET k " + "x".repeat(40_000)).getBytes(StandardCharsets.US_ASCII);
        parser.feed(line, 0, line.length, args -> true);
        assertTrue(
                budget.held.get() >= 40_006 - 64,
                "an unfinished line is charged past its first 64 bytes: " + budget.held.get());
        assertEquals(budget.held.get(), parser.chargedBytes());
        List<Long> heldDuringRequest = new ArrayList<>();
        parser.feed(new byte[] {'\r', '\n'}, 0, 2, args -> heldDuringRequest.add(budget.held.get()));
        assertEquals(1, heldDuringRequest.size());
        assertEquals(0, budget.held.get(), "released once the line is done");
        byte[] small = "PING\r\n".getBytes(StandardCharsets.US_ASCII);
        parser.feed(small, 0, small.length, args -> true);
        assertEquals(0, budget.held.get(), "a short line costs no accounting");
    }

    @Test
    void parserRefusedAnInlineLineByTheBudgetIsAProtocolErrorAndHoldsNothing() {
        CountingBudget budget = new CountingBudget(10_000);
        RequestParser parser = new RequestParser(RespLimits.defaults(), budget);
        byte[] line = ("SET k " + "x".repeat(40_000)).getBytes(StandardCharsets.US_ASCII);
        assertThrows(ProtocolException.class, () -> parser.feed(line, 0, line.length, args -> true));
        assertEquals(0, budget.held.get());
    }

    @Test
    void queuedRepliesCountAndCanEvictButAreNeverRefused() {
        ClientMemory m = new ClientMemory(1000, 10_000, QUIET);
        AtomicInteger disconnected = new AtomicInteger();
        ClientMemory.Account slow = m.open("slow", disconnected::incrementAndGet);
        slow.addOutput(1500);
        assertEquals(1500, m.used(), "counted at once, evicted only when asked");
        slow.enforceBudget();
        assertTrue(slow.evicted());
        assertEquals(1, disconnected.get());
        assertEquals(0, m.used());
    }

    @Test
    void closeTakesTheClientOutOfTheTotal() {
        ClientMemory m = new ClientMemory(1000, 1000, QUIET);
        ClientMemory.Account a = m.open("1", () -> {});
        a.query.reserve(100);
        a.addOutput(50);
        a.close();
        assertEquals(0, m.used());
        a.releaseOutput(50);
        a.query.release(100);
        assertEquals(0, m.used());
    }

    /** Counts what is reserved and released, refusing past {@code limit}. */
    static final class CountingBudget implements BufferBudget {
        final AtomicLong held = new AtomicLong();
        final AtomicLong peak = new AtomicLong();
        final long limit;

        CountingBudget(long limit) {
            this.limit = limit;
        }

        @Override
        public void reserve(long bytes) {
            if (held.get() + bytes > limit) {
                throw new BufferLimitException("over " + limit);
            }
            peak.accumulateAndGet(held.addAndGet(bytes), Math::max);
        }

        @Override
        public void release(long bytes) {
            held.addAndGet(-bytes);
        }
    }

    @Test
    void parserChargesLargeRequestsBeforeAllocatingAndReleasesAfterTheRequestRan() throws ProtocolException {
        CountingBudget budget = new CountingBudget(Long.MAX_VALUE);
        RequestParser parser = new RequestParser(RespLimits.defaults(), budget);
        List<Long> heldDuringRequest = new ArrayList<>();
        byte[] small = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII);
        parser.feed(small, 0, small.length, args -> heldDuringRequest.add(budget.held.get()));
        assertEquals(List.of(0L), heldDuringRequest, "a small request costs no accounting");
        String value = "x".repeat(100_000);
        byte[] big = ("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + value + "\r\n").getBytes(StandardCharsets.US_ASCII);
        parser.feed(big, 0, 40, args -> true); // the length line is read: the bulk is reserved already
        assertTrue(budget.held.get() > 100_000 - RequestParser.UNCHARGED_REQUEST_BYTES, "held " + budget.held.get());
        parser.feed(big, 40, big.length - 40, args -> heldDuringRequest.add(budget.held.get()));
        assertTrue(heldDuringRequest.get(1) > 0, "held while the request runs");
        assertEquals(0, budget.held.get(), "released once it ran");
    }

    @Test
    void parserRefusedByTheBudgetIsAProtocolErrorAndHoldsNothing() {
        CountingBudget budget = new CountingBudget(50_000);
        RequestParser parser = new RequestParser(RespLimits.defaults(), budget);
        StringBuilder sb = new StringBuilder("*10\r\n");
        for (int i = 0; i < 10; i++) {
            sb.append("$10000\r\n").append("y".repeat(10_000)).append("\r\n");
        }
        byte[] b = sb.toString().getBytes(StandardCharsets.US_ASCII);
        ProtocolException e = assertThrows(ProtocolException.class, () -> parser.feed(b, 0, b.length, args -> true));
        assertTrue(e.getMessage().contains("over 50000"), e.getMessage());
        assertEquals(0, budget.held.get());
    }

    @Test
    void writerChargesGrowthBeforeAllocatingAndReleasesWhenItShrinks() {
        CountingBudget budget = new CountingBudget(10 << 20);
        ReplyWriter w = new ReplyWriter(1024, budget);
        w.bulk(new byte[100]);
        assertEquals(0, budget.held.get(), "within the initial capacity: no accounting");
        w.bulk(new byte[3 << 20]);
        assertEquals(w.chargedBytes(), budget.held.get());
        assertTrue(budget.held.get() >= (3 << 20) - 1024, "the growth past the first 1 KiB: " + budget.held.get());
        int before = w.size();
        assertThrows(BufferLimitException.class, () -> w.bulk(new byte[8 << 20]));
        assertTrue(w.size() >= before, "what was written stays until the caller truncates it");
        w.clear();
        assertEquals(0, budget.held.get());
    }

    @Test
    void writerKeepsAModestBufferCountedUntilReleased() {
        CountingBudget budget = new CountingBudget(1 << 20);
        ReplyWriter w = new ReplyWriter(1024, budget);
        w.bulk(new byte[30_000]); // grows to 30,008 bytes, then to 60,016 for the CRLF
        w.clear();
        assertTrue(budget.held.get() > 0, "a buffer of 64 KiB or less is kept for the next replies, and stays counted");
        w.release();
        assertEquals(0, budget.held.get());
        w.bulk("still usable");
        assertEquals(0, budget.held.get());
    }

    @Test
    void writerShrinksAfterAReplyPast64KiBSoAnIdleClientIsNotChargedForIt() throws java.io.IOException {
        CountingBudget budget = new CountingBudget(10 << 20);
        ReplyWriter w = new ReplyWriter(1024, budget);
        w.bulk(new byte[900_000]);
        assertTrue(budget.held.get() >= 900_000);
        w.writeTo(OutputStream.nullOutputStream());
        assertEquals(0, budget.held.get(), "sent: the buffer is back to its initial size");
        w.bulk(new byte[100_000]);
        w.clear();
        assertEquals(0, budget.held.get());
    }

    @Test
    void insertedHeaderAndCursorPrecedeTheElements() {
        ReplyWriter w = new ReplyWriter(16);
        w.arrayHeader(2);
        int mark = w.size();
        w.bulk("a").bulk("bc");
        w.insertArrayHeader(mark, 2);
        w.insertBulk(mark, "17");
        assertEquals(
                "*2\r\n$2\r\n17\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n", new String(w.take(), StandardCharsets.US_ASCII));
    }

    @Test
    void sizesReadRedisUnits() {
        assertEquals(1000, Sizes.parse("1k", 0));
        assertEquals(1024, Sizes.parse("1kb", 0));
        assertEquals(64L << 20, Sizes.parse("64MB", 0));
        assertEquals(1L << 30, Sizes.parse("1gb", 0));
        assertEquals(12345, Sizes.parse("12345", 0));
        assertEquals(250, Sizes.parse("25%", 1000));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("25%", 0));
        assertThrows(IllegalArgumentException.class, () -> Sizes.parse("lots", 0));
    }
}
