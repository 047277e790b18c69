package dev.ale.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that only groups others ({@code ale sandbox}, {@code ale passport}); alone it prints its help. */
abstract class GroupCommand implements Runnable {

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "sandbox", description = "Make, use and remove sandboxes.")
    static final class Sandbox extends GroupCommand {
    }

    @Command(name = "passport", description = "Check passports, the security policy each sandbox runs under.")
    static final class Passport extends GroupCommand {
    }

    @Command(name = "image", description = "Pull, import, list and remove the OCI images sandboxes can be rooted in.")
    static final class Image extends GroupCommand {
    }

    @Command(name = "cluster", description = "Prepare a cluster of ale serve nodes behind a front (docs/cluster.md).")
    static final class Cluster extends GroupCommand {
    }

    @Command(name = "bench", description = "Measure ALE on this machine.")
    static final class Bench extends GroupCommand {
    }
}
