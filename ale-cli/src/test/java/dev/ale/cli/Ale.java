package dev.ale.cli;

import dev.ale.core.host.OwnTree;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/** Runs {@code ale} in this JVM against a data directory of its own, with stdin given and stdout/stderr captured. */
final class Ale implements AutoCloseable {

    record Result(int exit, String out, String err) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dataDir;

    private Ale(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** A fresh data directory under /tmp, searchable by the sandbox users as the backend requires. */
    static Ale withFreshDataDir() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "ale-cli-test-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        return new Ale(dir);
    }

    Path dataDir() {
        return dataDir;
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result runWithInput(String stdin, String... args) {
        List<String> all = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        all.addAll(List.of(args));
        return runIn(stdin, all.toArray(String[]::new));
    }

    /** For commands that need no sandbox, and so no data directory. */
    static Result runWithoutDataDir(String... args) {
        return runIn("", args);
    }

    private static Result runIn(String stdin, String[] args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = Main.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), o, e);
        }
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code ale sandbox run --json --stdin} of {@code script}, written to a file in the sandbox
     * and run by {@code bash bashOptions}: the pre-exec check sees only the file's name, so only
     * the run-time detectors can see what the script does. ALE itself must exit 0.
     */
    com.fasterxml.jackson.databind.JsonNode runScript(String script, String bashOptions, List<String> runOptions) throws IOException {
        List<String> args = new ArrayList<>(List.of("sandbox", "run", "--json", "--stdin", "--timeout", "120"));
        args.addAll(runOptions);
        args.addAll(List.of("--", "sh", "-c", "cat > /workspace/script.sh; exec bash " + bashOptions + " /workspace/script.sh"));
        Result r = runWithInput(script, args.toArray(String[]::new));
        if (r.exit() != 0) throw new AssertionError("ale sandbox run exited " + r.exit() + ": " + r.err());
        return JSON.readTree(r.out());
    }

    /** Ids of the sandboxes {@code ale sandbox ls} shows. */
    List<String> listed() throws IOException {
        Result ls = run("sandbox", "ls", "--json");
        if (ls.exit() != 0) throw new IllegalStateException("ale sandbox ls failed: " + ls.err());
        return JSON.readTree(ls.out()).get("sandboxes").valueStream().map(s -> s.get("id").asText()).toList();
    }

    /** Removes every sandbox still listed, then the directory; a test that leaked one fails in its own assertions. */
    @Override
    public void close() throws IOException {
        for (String id : listed()) run("sandbox", "rm", id);
        // a mount a failed teardown left below leaves the directory for gc: never walk into it
        if (listed().isEmpty()) OwnTree.delete(dataDir);
    }
}
