package io.toykv.server.command;

import io.toykv.core.Store;

/**
 * EXPIRE's NX, XX, GT and LT, with Redis 7's errors: XX may go with GT or LT; a key without an expiry
 * counts as never expiring (GT refuses it, LT accepts it).
 */
record ExpireCondition(boolean nx, boolean xx, boolean gt, boolean lt) {

    static ExpireCondition parse(Call c, int from) {
        boolean nx = false;
        boolean xx = false;
        boolean gt = false;
        boolean lt = false;
        for (int i = from; i < c.argc(); i++) {
            switch (c.upper(i)) {
                case "NX" -> nx = true;
                case "XX" -> xx = true;
                case "GT" -> gt = true;
                case "LT" -> lt = true;
                default -> throw new ReplyException("ERR Unsupported option " + c.string(i));
            }
        }
        if (nx && (xx || gt || lt)) {
            throw new ReplyException("ERR NX and XX, GT or LT options at the same time are not compatible");
        }
        if (gt && lt) {
            throw new ReplyException("ERR GT and LT options at the same time are not compatible");
        }
        return new ExpireCondition(nx, xx, gt, lt);
    }

    /** Whether a key whose expiry is {@code current} (or {@link Store#NO_EXPIRY}) gets {@code expireAt}. */
    boolean allows(long current, long expireAt) {
        boolean none = current == Store.NO_EXPIRY;
        if ((nx && !none) || (xx && none)) {
            return false;
        }
        if (gt && (none || expireAt <= current)) {
            return false;
        }
        return !(lt && !none && expireAt >= current);
    }
}
