package dev.ale.cli;

import dev.ale.core.AleException;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns a failure into one line on stderr and an exit status: 2 when the user has to fix the
 * command line or an input file, 3 when the machine or ALE itself failed. Stack traces only
 * with {@code ALE_DEBUG=1}.
 */
final class Failures {

    static final int OK = 0;
    /** {@code ale run --policy replay}: a reference solution did not pass its own verifier. */
    static final int SOLUTION_FAILED = 1;
    static final int INPUT = 2;
    static final int ENVIRONMENT = 3;

    private Failures() {
    }

    static int usage(ParameterException e, PrintStream err) {
        CommandSpec spec = e.getCommandLine().getCommandSpec();
        err.println("ale: " + oneLine(unknownCommand(e, spec).orElse(e.getMessage())) + " (see: " + spec.qualifiedName() + " --help)");
        debug(e, err);
        return INPUT;
    }

    /** "unknown command 'x'" rather than picocli's "Unmatched argument at index 2", where a command was expected. */
    private static Optional<String> unknownCommand(ParameterException e, CommandSpec spec) {
        if (!(e instanceof UnmatchedArgumentException unmatched) || spec.subcommands().isEmpty()) return Optional.empty();
        List<String> words = unmatched.getUnmatched();
        if (words.isEmpty() || words.getFirst().startsWith("-")) return Optional.empty();
        List<String> suggestions = unmatched.getSuggestions();
        return Optional.of("unknown command '" + words.getFirst() + "'"
                + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?"));
    }

    static int report(Exception e, PrintStream err) {
        if (e instanceof AleException ale) {
            err.println("ale: " + oneLine(ale.getMessage()));
            debug(e, err);
            return exitCode(ale);
        }
        String what = Optional.ofNullable(e.getMessage()).map(m -> ": " + oneLine(m)).orElse("");
        err.println("ale: unexpected " + e.getClass().getSimpleName() + what
                + (debugging() ? "" : " (run with ALE_DEBUG=1 for the stack trace)"));
        debug(e, err);
        return ENVIRONMENT;
    }

    /** The exit status for a failure, for commands that report several and go on. */
    static int exitCode(AleException e) {
        return e.fault() == AleException.Fault.INPUT ? INPUT : ENVIRONMENT;
    }

    static String oneLine(String message) {
        return message == null ? "" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
    }

    private static void debug(Exception e, PrintStream err) {
        if (debugging()) e.printStackTrace(err);
    }

    private static boolean debugging() {
        return "1".equals(System.getenv("ALE_DEBUG"));
    }
}
