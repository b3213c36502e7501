package io.toykv.server.command;

import java.util.Map;

/** A server for dispatcher tests: no password, no settings, nothing to log, no shutdown. */
class QuietServer implements ServerControl {
    @Override
    public String requirePass() {
        return null;
    }

    @Override
    public Map<String, String> config() {
        return Map.of();
    }

    @Override
    public Map<String, Object> serverInfo() {
        return Map.of();
    }

    @Override
    public Map<String, Object> clientsInfo() {
        return Map.of();
    }

    @Override
    public Map<String, Object> statsInfo() {
        return Map.of();
    }

    @Override
    public void requestShutdown(String reason) {}

    @Override
    public boolean verbose() {
        return false;
    }

    @Override
    public void wrongPassword(Session session, String command) {}

    @Override
    public void log(String line) {}
}
