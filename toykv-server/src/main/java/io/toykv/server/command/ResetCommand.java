package io.toykv.server.command;

/**
 * RESET: puts the connection back as it was when it connected, as Redis 6.2+ does: the transaction and
 * the watched keys dropped, RESP2, no name (the library name and version stay), and authenticated
 * again only if the server needs no password. Runs at once even inside MULTI. Replies {@code +RESET}.
 */
final class ResetCommand {
    private final ServerControl server;
    private final TransactionCommands transactions;

    ResetCommand(ServerControl server, TransactionCommands transactions) {
        this.server = server;
        this.transactions = transactions;
    }

    void register(CommandTable t) {
        t.add(new CommandSpec("reset", 1, true, false, "connection", "6.2.0", "Resets the connection.", this::reset));
    }

    private void reset(Call c) {
        Session s = c.session();
        transactions.finish(s.transaction());
        s.name("");
        s.protocol(2);
        s.database(0);
        c.out().protocol(2);
        s.authenticated(server.requirePass() == null);
        c.out().simple("RESET");
    }
}
