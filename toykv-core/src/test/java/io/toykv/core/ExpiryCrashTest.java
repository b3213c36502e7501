package io.toykv.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills a child JVM ({@link ExpiryCrashWriter}) with SIGKILL while it writes keys with expiries in
 * {@code ALWAYS} mode, reopens the store, and checks every key against what was acknowledged: a key
 * whose acknowledged expiry has not passed has its value and that expiry; a key whose expiry passed
 * (before the kill, or since) never comes back.
 */
class ExpiryCrashTest {
    @TempDir
    Path dir;

    /** What was acknowledged of a key: the operation whose value it holds (-1: deleted) and its expiry (-1: none). */
    private record State(long op, long expiry) {
        static final State ABSENT = new State(-1, -1);

        boolean liveAt(long now) {
            return op >= 0 && (expiry == Store.NO_EXPIRY || expiry > now);
        }
    }

    @Test
    void acknowledgedExpiriesSurviveKillNineAndExpiredKeysNeverComeBack() throws Exception {
        runRounds(dir.resolve("default"), "default", 3);
    }

    @Test
    void acknowledgedExpiriesSurviveKillNineWithTinyFilesThatFlushAndRollOften() throws Exception {
        runRounds(dir.resolve("small"), "small", 3);
    }

    private void runRounds(Path store, String mode, int rounds) throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Map<Integer, State> model = new HashMap<>();
        long nextOp = 1;
        int expiredChecked = 0;
        int expiringChecked = 0;
        for (int round = 0; round < rounds; round++) {
            String ctx = "seed " + seed + " round " + round;
            List<String> lines = CrashTest.runAndKill(
                    ExpiryCrashWriter.class, store, random.nextLong(), nextOp, mode, 400 + random.nextInt(1200), ctx);
            Integer doubtfulKey = null;
            State doubtfulAfter = null;
            for (int i = 0; i < lines.size(); i++) {
                String[] f = lines.get(i).split(" ");
                if (f[0].equals("OK") || f[0].equals("READY")) {
                    continue;
                }
                int k = Integer.parseInt(f[1]);
                State before = model.getOrDefault(k, State.ABSENT);
                String ack = i + 1 < lines.size() && lines.get(i + 1).startsWith("OK") ? lines.get(i + 1) : null;
                State after;
                switch (f[0]) {
                    case "P":
                        after = new State(Long.parseLong(f[2]), Long.parseLong(f[3]));
                        nextOp = Math.max(nextOp, after.op() + 1);
                        break;
                    case "E":
                        after = ack == null || ack.equals("OK 1")
                                ? new State(before.op(), Long.parseLong(f[2]))
                                : before;
                        break;
                    case "X":
                        after = ack == null || ack.equals("OK 1") ? new State(before.op(), Store.NO_EXPIRY) : before;
                        break;
                    default:
                        after = State.ABSENT;
                }
                if (ack != null) {
                    model.put(k, after);
                } else {
                    doubtfulKey = k;
                    doubtfulAfter = after;
                }
            }
            try (Store s = Store.open(store, ExpiryCrashWriter.options(mode))) {
                int live = 0;
                for (int k = 0; k < 500; k++) {
                    State expected = model.getOrDefault(k, State.ABSENT);
                    long from = System.currentTimeMillis();
                    byte[] value = s.get(CrashWriter.key(k));
                    long expiry = s.expiry(CrashWriter.key(k));
                    long to = System.currentTimeMillis();
                    boolean ok = matches(expected, value, expiry, from, to)
                            || k == (doubtfulKey == null ? -1 : doubtfulKey)
                                    && matches(doubtfulAfter, value, expiry, from, to);
                    assertTrue(
                            ok,
                            ctx + ": key " + k + " expected " + expected + " (or, in doubt, " + doubtfulAfter + ") at "
                                    + from + ", found " + (value == null ? "nothing" : "a value") + " expiring "
                                    + expiry);
                    if (k == (doubtfulKey == null ? -1 : doubtfulKey) && !matches(expected, value, expiry, from, to)) {
                        model.put(k, doubtfulAfter);
                    }
                    live += value != null ? 1 : 0;
                    expiredChecked += expected.op() >= 0 && !expected.liveAt(from) ? 1 : 0;
                    expiringChecked += value != null && expiry > 0 ? 1 : 0;
                }
                assertTrue(live > 0 || round > 0, ctx + ": nothing live");
            }
        }
        assertTrue(
                expiredChecked > 0 && expiringChecked > 0,
                "seed " + seed + ": the run checked " + expiredChecked + " expired keys and " + expiringChecked
                        + " keys with an expiry still ahead");
    }

    /** Whether a key read between {@code from} and {@code to} shows {@code s}; an expiry passing in between may show either way. */
    private static boolean matches(State s, byte[] value, long expiry, long from, long to) {
        boolean liveFrom = s.liveAt(from);
        boolean liveTo = s.liveAt(to);
        if (value == null) {
            return expiry == Store.NO_KEY && (!liveTo || !liveFrom);
        }
        return liveFrom
                && Arrays.equals(CrashWriter.value(s.op()), value)
                && (expiry == s.expiry() || expiry == Store.NO_KEY);
    }
}
