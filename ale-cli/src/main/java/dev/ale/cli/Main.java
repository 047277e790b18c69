package dev.ale.cli;

import dev.ale.cli.resident.ResidentClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Optional;

/**
 * The {@code ale} command's entry. It names only JDK types and the thin client, so that {@code ale sandbox
 * run} with a resident ALE up loads nothing else; every command is wired in {@link CommandTree}.
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // First, before picocli, Jackson or SQLite load: `sandbox run` with a resident ALE up is a thin client of it.
        ResidentClient.Outcome thin = ResidentClient.run(args, System.getenv(), System.in, System.out, System.err);
        if (thin instanceof ResidentClient.Ran ran) System.exit(ran.status());
        InputStream in = thin instanceof ResidentClient.InProcess local ? local.stdin() : System.in;
        System.exit(CommandTree.run(args, in, System.out, System.err));
    }

    /** Runs {@code ale args} in this process and returns its exit status: 0 ok, 2 bad usage or input, 3 environment or runtime. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return CommandTree.run(args, System.in, out, err);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return CommandTree.run(args, in, out, err);
    }

    /** The first word of {@code args} that is not an option of {@code ale} itself (or its value). */
    static Optional<String> commandName(String[] args) {
        return CommandTree.commandName(args);
    }
}
