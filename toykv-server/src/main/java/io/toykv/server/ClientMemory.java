package io.toykv.server;

import io.toykv.resp.BufferBudget;
import io.toykv.resp.BufferLimitException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The memory of all clients' buffers, against one budget ({@code maxmemory-clients}), as Redis's client
 * eviction does: each connection has an {@link Account} of the bytes its parser holds for the request
 * being read and its writers hold for replies not yet sent. Bytes are reserved before they are
 * allocated. When the total passes the budget, the clients with the largest accounts are evicted
 * (disconnected, logged, counted) until it is back under; if the one asking is the largest, its
 * reservation is refused instead ({@link BufferLimitException}) and it is evicted.
 *
 * <p>Each account also holds its client's reply bytes under {@code client-output-buffer-limit}: a
 * reservation past it is refused (the reply is dropped and the client closed without one, as Redis does). The query side's per-client limit is
 * the parser's request limit ({@code client-query-buffer-limit}).
 *
 * <p>Cost: a reservation is two atomic adds (the account's, the total's) under the account's
 * uncontended monitor, and a compare; eviction takes a lock, only when the budget is exceeded. Accounts are only touched by requests past
 * {@link io.toykv.resp.RequestParser#UNCHARGED_REQUEST_BYTES} and replies that grow a writer's
 * buffer or wait in a queue, so small requests cost nothing.
 *
 * <p>Thread-safety: every method may be called from any thread.
 */
final class ClientMemory {
    /**
     * What all clients' buffers may hold by default: an eighth of the heap, which the store's index
     * shares. With a quarter, 40 clients sending KEYS * without reading to a 1M-key store under -Xmx256m
     * ran the heap out (exit by -XX:+ExitOnOutOfMemoryError): a buffer of 1 MiB or more is a humongous
     * object in G1, rounded up to whole regions, and an evicted client's memory is garbage only once its
     * thread unwinds, so the heap holds up to about twice what is accounted. With an eighth the same
     * run kept PING under 50 ms and evicted all 40.
     */
    static final double DEFAULT_HEAP_SHARE = 0.125;

    private final long budget;
    private final long outputLimit;
    private final AtomicLong used = new AtomicLong();
    private final LongAdder evicted = new LongAdder();
    private final Set<Account> accounts = ConcurrentHashMap.newKeySet();
    private final Log log;

    ClientMemory(long budget, long outputLimit, Log log) {
        if (budget < 1 || outputLimit < 1) {
            throw new IllegalArgumentException(
                    "budget and output limit must be positive: " + budget + ", " + outputLimit);
        }
        this.budget = budget;
        this.outputLimit = outputLimit;
        this.log = log;
    }

    /** The default {@code maxmemory-clients}: {@link #DEFAULT_HEAP_SHARE} of the JVM's largest heap. */
    static long defaultBudget() {
        return (long) (Runtime.getRuntime().maxMemory() * DEFAULT_HEAP_SHARE);
    }

    long budget() {
        return budget;
    }

    /** Bytes all clients' buffers hold now. */
    long used() {
        return used.get();
    }

    /** Clients disconnected because the total passed the budget. */
    long evictedClients() {
        return evicted.sum();
    }

    /** A new client's account; {@code evict} disconnects it (it must {@link Account#close} the account). */
    Account open(String name, Runnable evict) {
        Account a = new Account(name, evict);
        accounts.add(a);
        return a;
    }

    /** Evicts the largest clients, other than {@code asking}, until the total is within the budget; false if {@code asking} is the largest. */
    private synchronized boolean makeRoom(Account asking) {
        long total;
        while ((total = used.get()) > budget) {
            Account largest = toEvict(accounts, asking, total, budget);
            if (largest == null) {
                return true;
            }
            if (largest == asking) {
                return false;
            }
            evict(largest, total, true);
        }
        return true;
    }

    /**
     * The client to evict while {@code total} is past {@code budget}: the one whose account holds the
     * most, {@code asking} on a tie (a new connection's base cost does not evict an older client of the
     * same size); null if none is to go.
     *
     * <p>The total may count bytes that no account shows any more: a close or a release, on its
     * client's thread and without the eviction lock, takes them out of the account (or the account out
     * of the set) a moment before it takes them out of the total, and the total is read before this
     * pass. Judged by the total alone, such bytes on their way out would evict whichever client remains
     * largest, down to an idle one holding only its reader's base charge. So a client goes only if the
     * bytes the accounts show in this one pass are past the budget too.
     */
    static Account toEvict(Iterable<Account> accounts, Account asking, long total, long budget) {
        Account largest = asking != null && !asking.closed ? asking : null;
        long largestBytes = largest == null ? 0 : largest.bytes();
        long shown = 0;
        for (Account a : accounts) {
            long bytes = a.bytes();
            shown += bytes;
            if (largest == null || bytes > largestBytes) {
                largest = a;
                largestBytes = bytes;
            }
        }
        if (Math.min(total, shown) <= budget || largestBytes == 0) {
            return null; // what is past the budget is someone's pending release
        }
        return largest;
    }

    /**
     * Counts and logs the eviction, takes the client's bytes out of the total, and disconnects it if
     * {@code disconnect} (otherwise its own thread replies with the reason, then closes).
     */
    private void evict(Account a, long total, boolean disconnect) {
        if (!a.evicted) {
            a.evicted = true;
            evicted.increment();
            log.warn("client(" + a.name + ") evicted: its buffers hold " + a.bytes() + " bytes and all clients' "
                    + total + ", past maxmemory-clients " + budget);
        }
        a.close();
        if (disconnect) {
            a.evict.run();
        }
    }

    /** One client's bytes: {@link #query} and {@link #output} are its parser's and its writers' budgets. */
    final class Account {
        private final String name;
        private final Runnable evict;
        private final AtomicLong queryBytes = new AtomicLong();
        private final AtomicLong outputBytes = new AtomicLong();
        private volatile boolean closed;
        private volatile boolean evicted;
        private volatile String outputLimitHit;

        final BufferBudget query = new Side(queryBytes, false);
        final BufferBudget output = new Side(outputBytes, true);

        private Account(String name, Runnable evict) {
            this.name = name;
            this.evict = evict;
        }

        long bytes() {
            return queryBytes.get() + outputBytes.get();
        }

        long queryBytes() {
            return queryBytes.get();
        }

        long outputBytes() {
            return outputBytes.get();
        }

        /** Whether the budget disconnected this client. */
        boolean evicted() {
            return evicted;
        }

        /** Why this client must be closed after its current replies (a buffer limit), or null. */
        String mustClose() {
            if (evicted) {
                return "evicted: all clients' buffers past maxmemory-clients";
            }
            return outputLimitHit;
        }

        /**
         * Reply bytes already allocated (a queued batch): counted, never refused (the caller checks its
         * queue against the limit itself). Only atomic adds: may be called under the connection's lock,
         * so that the count is in before the batch can be sent and released. Then {@link #enforceBudget}.
         */
        void addOutput(long bytes) {
            add(outputBytes, bytes);
        }

        /**
         * After {@link #addOutput}, without the connection's lock (it may close connections): evicts the
         * largest clients, this one too if it is the largest, while the total is past the budget.
         */
        void enforceBudget() {
            long total = used.get();
            if (total > budget && !makeRoom(this)) {
                evict(this, total, true); // its bytes are allocated already: only closing frees them
            }
        }

        void releaseOutput(long bytes) {
            release(outputBytes, bytes);
        }

        /**
         * The client is gone: its bytes leave the total, and later adds and releases of them do nothing.
         * Adds, releases and close hold the account's monitor (uncontended but for an eviction), so a
         * close can never take an add's bytes out of the account before the add has put them in the
         * total (they would stay in the total for good, and the budget would evict idle clients for them).
         */
        synchronized void close() {
            closed = true;
            accounts.remove(this);
            used.addAndGet(-queryBytes.getAndSet(0) - outputBytes.getAndSet(0));
        }

        private synchronized void add(AtomicLong side, long bytes) {
            if (closed) {
                return; // gone: nothing of it is counted any more
            }
            side.addAndGet(bytes);
            used.addAndGet(bytes);
        }

        private synchronized void release(AtomicLong side, long bytes) {
            // Never below zero: after close() zeroed the account, a late release gives back nothing.
            long before = side.getAndUpdate(v -> Math.max(0, v - bytes));
            used.addAndGet(-Math.min(before, bytes));
        }

        private final class Side implements BufferBudget {
            private final AtomicLong side;
            private final boolean isOutput;

            Side(AtomicLong side, boolean isOutput) {
                this.side = side;
                this.isOutput = isOutput;
            }

            @Override
            public void reserve(long bytes) {
                if (closed) {
                    throw new BufferLimitException("client is disconnected");
                }
                if (isOutput && side.get() + bytes > outputLimit) {
                    // As Redis does, the client is closed (after this error reply).
                    String why = "replies would pass client-output-buffer-limit (" + outputLimit + " bytes)";
                    outputLimitHit = why;
                    throw new BufferLimitException(why);
                }
                add(side, bytes);
                long total = used.get();
                if (total > budget && !makeRoom(Account.this)) {
                    Account.this.release(side, bytes);
                    evict(Account.this, total, false);
                    throw new BufferLimitException("client evicted: all clients' buffers would pass "
                            + "maxmemory-clients (" + budget + " bytes) and this client's are the largest");
                }
            }

            @Override
            public void release(long bytes) {
                Account.this.release(side, bytes);
            }
        }
    }
}
