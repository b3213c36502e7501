/**
 * toykv-cli, a terminal and script client for toykv-server. It speaks RESP2 (RESP3 with -3) over one
 * socket ({@link io.toykv.cli.resp.ServerConnection}, with toykv-resp's codec {@link io.toykv.resp}) and never
 * sees the engine.
 *
 * <p>Modes: {@code Cli} reads the process arguments and picks one; {@code ClientSession} runs commands one at
 * a time (interactive, one-shot); {@code ScriptRunner} pipelines a script read from a pipe;
 * {@code KeyScanner} ({@code --scan}) and {@code Monitors} ({@code --latency}, {@code --stat},
 * {@code --bigkeys}) run on one connection of their own. Printers ({@code TerminalPrinter}, and for
 * scripts {@code RawPrinter}, {@code JsonPrinter}, {@code CsvPrinter}) only format. {@code RangeCommand}
 * holds every assumption about the server's range command, {@code ServerDocs} what is read from its
 * COMMAND DOCS.
 *
 * <p>Threads: the main thread, plus {@code toykv-cli-replies} while a script runs, plus JLine's signal
 * thread (the JVM's, for SIGINT on a dumb terminal), which may call {@code ClientSession.interrupt()} during a
 * command. Tab completion, hints and highlighting run on the main thread between commands, so their
 * use of the session's connection (COMMAND DOCS, the SCAN for key completion) never overlaps a command.
 */
package io.toykv.cli;
