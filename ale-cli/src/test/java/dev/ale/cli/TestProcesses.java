package dev.ale.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** How tests start an {@code ale} process of their own. */
public final class TestProcesses {

    private TestProcesses() {
    }

    /**
     * The command with SIGINT back at its default, as Ctrl-C at a terminal finds it: a shell without job
     * control (as in {@code nohup ./run-tests &}) starts its jobs with SIGINT ignored, children keep that,
     * and a JVM that starts with it ignored never handles it.
     */
    public static List<String> withDefaultSigint(String... command) {
        if (!Files.isExecutable(Path.of("/usr/bin/python3"))) return List.of(command); // no python: as started, then
        List<String> argv = new ArrayList<>(List.of("/usr/bin/python3", "-c",
                "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"));
        argv.addAll(List.of(command));
        return argv;
    }
}
