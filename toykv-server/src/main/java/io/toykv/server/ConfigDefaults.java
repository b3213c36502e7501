package io.toykv.server;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --config} file as picocli's defaults: an option not on the command line takes the file's
 * value, unless an environment variable sets it; failing both, its own default. So the precedence is
 * options, environment, file, defaults.
 *
 * <p>A directive is redis.conf's name for an option ({@link #REDIS_NAMES}) or the option's long name
 * without the dashes; it takes exactly one argument, yes or no for a flag. Each value is checked by
 * parsing it as the option's argument, so a bad one is reported with its file and line.
 */
final class ConfigDefaults implements CommandLine.IDefaultValueProvider {
    /** redis.conf's names for options named otherwise here; port, bind, dir, timeout, requirepass match. */
    static final Map<String, String> REDIS_NAMES = Map.of("maxclients", "--max-clients", "appendfsync", "--sync");
    /** Options a configuration file cannot set. */
    private static final Set<String> NOT_IN_FILE = Set.of("--config", "--requirepass-file", "--help", "--version");
    /** Environment variables that set an option, and so win over the file. */
    private static final Map<String, String> ENVIRONMENT = Map.of("--port", "SERVER_PORT", "--dir", "DB_DIR");

    private final Function<String, String> env;
    /** A scratch command line that checks one value at a time. */
    private final Supplier<CommandLine> checker;

    private final Map<String, ConfigFile.Directive> byOption = new HashMap<>();
    private Path file;

    ConfigDefaults(Function<String, String> env, Supplier<CommandLine> checker) {
        this.env = env;
        this.checker = checker;
    }

    /** Reads {@code file}'s directives for the options of {@code spec}; a ParameterException names file and line. */
    void read(Path file, CommandSpec spec) {
        this.file = file;
        List<ConfigFile.Directive> directives;
        try {
            directives = ConfigFile.read(file);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--config': " + e.getMessage());
        }
        for (ConfigFile.Directive d : directives) {
            String option = REDIS_NAMES.getOrDefault(d.name(), "--" + d.name());
            OptionSpec target =
                    NOT_IN_FILE.contains(option) ? null : spec.optionsMap().get(option); // exact name
            if (target == null) {
                throw error(spec, d, "unknown directive '" + d.name() + "'");
            }
            if (d.args().size() != 1) {
                throw error(
                        spec,
                        d,
                        "'" + d.name() + "' takes one argument, not " + d.args().size());
            }
            String value = d.args().get(0);
            if (target.arity().max() == 0) {
                value = switch (value.toLowerCase(Locale.ROOT)) {
                    case "yes" -> "true";
                    case "no" -> "false";
                    default -> throw error(spec, d, "'" + d.name() + "' takes yes or no, not '" + value + "'");
                };
            } else {
                try {
                    checker.get().parseArgs(option + "=" + value);
                } catch (ParameterException e) {
                    throw error(spec, d, e.getMessage());
                }
            }
            byOption.put(option, new ConfigFile.Directive(d.name(), List.of(value), d.line()));
        }
    }

    private ParameterException error(CommandSpec spec, ConfigFile.Directive d, String message) {
        return new ParameterException(
                spec.commandLine(), "Bad configuration file " + file + ", line " + d.line() + ": " + message);
    }

    /** Whether the file sets {@code option} (whatever the environment says). */
    boolean sets(String option) {
        return byOption.containsKey(option);
    }

    /** " (FILE, line N)" when the file gives {@code option} its value, else "". */
    String origin(String option) {
        ConfigFile.Directive d = directive(option);
        return d == null ? "" : " (" + file + ", line " + d.line() + ")";
    }

    private ConfigFile.Directive directive(String option) {
        String variable = ENVIRONMENT.get(option);
        return variable != null && env.apply(variable) != null ? null : byOption.get(option);
    }

    @Override
    public String defaultValue(ArgSpec arg) {
        ConfigFile.Directive d = arg instanceof OptionSpec o ? directive(o.longestName()) : null;
        return d == null ? null : d.args().get(0).replace("${", "$${"); // picocli interpolates defaults: escape
    }
}
