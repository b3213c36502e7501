/**
 * toykv-cli, a terminal and script client for toykv-server. It speaks RESP2 over one socket
 * ({@link io.toykv.cli.resp}) and never sees the engine.
 *
 * <p>Modes: {@code Cli} reads the process arguments and picks one; {@code Session} runs commands one at
 * a time (interactive, one-shot); {@code ScriptRunner} pipelines a script read from a pipe. Printers
 * ({@code TerminalPrinter}, {@code RawPrinter}) only format. {@code RangeCommand} holds every assumption
 * about the server's range command.
 *
 * <p>Threads: the main thread, plus {@code toykv-cli-replies} while a script runs, plus JLine's signal
 * thread (the JVM's, for SIGINT on a dumb terminal), which may call {@code Session.interrupt()} during a
 * command.
 */
package io.toykv.cli;
