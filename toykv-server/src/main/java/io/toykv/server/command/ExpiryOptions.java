package io.toykv.server.command;

import io.toykv.core.Store;

/**
 * The options of SET ({@code NX XX GET KEEPTTL EX PX EXAT PXAT}) and GETEX ({@code EX PX EXAT PXAT
 * PERSIST}), parsed as Redis 7 does: an option that conflicts with one before it, or an EX/PX/EXAT/PXAT
 * without a value after it, is a syntax error; the same expiry option twice keeps the last value.
 */
final class ExpiryOptions {
    boolean nx;
    boolean xx;
    boolean get;
    boolean keepTtl;
    boolean persist;
    /** EX, PX, EXAT or PXAT; null when none was given. */
    String unit;
    /** The argument after {@link #unit}. */
    byte[] time;

    private ExpiryOptions() {}

    /** SET's options from argument {@code from} on. */
    static ExpiryOptions forSet(Call c, int from) {
        return parse(c, from, false);
    }

    /** GETEX's options from argument {@code from} on. */
    static ExpiryOptions forGetex(Call c, int from) {
        return parse(c, from, true);
    }

    private static ExpiryOptions parse(Call c, int from, boolean getex) {
        ExpiryOptions o = new ExpiryOptions();
        for (int i = from; i < c.argc(); i++) {
            String opt = c.upper(i);
            boolean hasNext = i + 1 < c.argc();
            if (!getex && opt.equals("NX") && !o.xx) {
                o.nx = true;
            } else if (!getex && opt.equals("XX") && !o.nx) {
                o.xx = true;
            } else if (!getex && opt.equals("GET")) {
                o.get = true;
            } else if (!getex && opt.equals("KEEPTTL") && o.unit == null) {
                o.keepTtl = true;
            } else if (getex && opt.equals("PERSIST") && o.unit == null) {
                o.persist = true;
            } else if (isUnit(opt) && !o.keepTtl && !o.persist && (o.unit == null || o.unit.equals(opt)) && hasNext) {
                o.unit = opt;
                o.time = c.arg(++i);
            } else {
                throw new ReplyException(Args.SYNTAX_ERROR);
            }
        }
        return o;
    }

    private static boolean isUnit(String opt) {
        return opt.equals("EX") || opt.equals("PX") || opt.equals("EXAT") || opt.equals("PXAT");
    }

    /**
     * The expiry a write gets: {@link Store#KEEP_EXPIRY} for KEEPTTL, {@link Store#NO_EXPIRY} without
     * EX/PX/EXAT/PXAT, else the absolute time in milliseconds. Redis refuses a time that is not above 0
     * or that overflows once made absolute, naming the command.
     */
    long expireAt(Call c, long now) {
        if (unit == null) {
            return keepTtl ? Store.KEEP_EXPIRY : Store.NO_EXPIRY;
        }
        boolean seconds = unit.equals("EX") || unit.equals("EXAT");
        return expireAt(c, time, seconds, unit.equals("EX") || unit.equals("PX"), now);
    }

    /** {@code time} in seconds or milliseconds, relative to {@code now} or absolute, checked as above. */
    static long expireAt(Call c, byte[] time, boolean seconds, boolean relative, long now) {
        long t = Args.parseLong(time);
        if (t <= 0 || (seconds && t > Long.MAX_VALUE / 1000)) {
            throw invalidExpireTime(c);
        }
        if (seconds) {
            t *= 1000;
        }
        if (relative) {
            if (t > Long.MAX_VALUE - now) {
                throw invalidExpireTime(c);
            }
            t += now;
        }
        return t;
    }

    static ReplyException invalidExpireTime(Call c) {
        return new ReplyException("ERR invalid expire time in '" + c.spec().name() + "' command");
    }
}
