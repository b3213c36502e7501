package io.toykv.cli;

/** {@code toykv-cli}: see {@link Cli} for the arguments. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(Cli.run(new Cli(), args, System.getenv()));
    }
}
