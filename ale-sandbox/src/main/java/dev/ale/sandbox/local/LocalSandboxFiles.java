package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * File access that never has more reach than the agent: each operation is a fixed script run
 * inside the sandbox as its user. The path is resolved there (symlinks included) and refused
 * unless it ends under /workspace, /tmp or /tests (the verifier's, writable only in the verify
 * phase), so a symlink planted by the agent leads nowhere the agent could not already go, and
 * ALE's root never touches a path the agent controls. In a sandbox with a resident init, a read
 * and a write are one request to it instead: a call's process of its own does the same steps
 * (ale-init.c's WRITE and READ), with the same reasons, as the same user, in the same namespaces.
 */
final class LocalSandboxFiles implements SandboxFiles {

    /** How a read or a write reaches the sandbox: the resident init's own request, or the shell script. */
    enum Route { INIT, SHELL }

    private static final int ESCAPES = 86;
    private static final long MAX_FILE = 256L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** What is kept of a write's output: its reason, which names the path (up to PATH_MAX, twice in a mkdir's), whole. */
    static final int REASON_LIMIT = 64 << 10;

    /** Resolves $1 into $p, or exits 86. Scripts below append their action; $1 is data, never code. */
    private static final String RESOLVE = """
            case "$1" in /*) p=$1 ;; *) p=/workspace/$1 ;; esac
            p=$(realpath -m -- "$p") || exit 1
            case "$p" in /workspace|/workspace/*|/tmp|/tmp/*|/tests|/tests/*) ;;
              *) echo "leads outside /workspace, /tmp and /tests (to $p)" >&2; exit 86 ;; esac
            """;

    private final LocalSandbox sandbox;
    private final Route route;

    /** The files of {@code sandbox} by the init's requests when it has a resident init, else by the shell script. */
    LocalSandboxFiles(LocalSandbox sandbox) {
        this(sandbox, sandbox.hasResidentInit() ? Route.INIT : Route.SHELL);
    }

    /** {@code route} {@link Route#INIT} needs a sandbox with a resident init. */
    LocalSandboxFiles(LocalSandbox sandbox, Route route) {
        if (route == Route.INIT && !sandbox.hasResidentInit()) throw new IllegalArgumentException("sandbox " + sandbox.id() + " has no resident init");
        this.sandbox = sandbox;
        this.route = route;
    }

    @Override
    public byte[] read(String path) {
        checkPath(path);
        LocalSandbox.Raw r = route == Route.INIT
                ? checked(path, sandbox.residentRead(path, (int) MAX_FILE, TIMEOUT))
                : run(path, "exec cat -- \"$p\"", new byte[0], (int) MAX_FILE);
        if (r.result().outputTruncated()) throw new SandboxException(Fault.INPUT, path + ": larger than " + (MAX_FILE >> 20) + " MiB");
        return r.stdout();
    }

    @Override
    public void write(String path, byte[] content) {
        if (route == Route.INIT) {
            checkPath(path);
            checked(path, sandbox.residentWrite(path, content, TIMEOUT, REASON_LIMIT));
            return;
        }
        // $p is absolute and resolved, so its parent is ${p%/*}: no dirname, and mkdir only when it is missing (two processes less)
        run(path, "d=${p%/*}; [ -d \"${d:-/}\" ] || mkdir -p -- \"${d:-/}\" || exit 1; exec cat > \"$p\"", content, REASON_LIMIT);
    }

    @Override
    public void upload(Path hostPath, String sandboxPath) {
        try {
            if (Files.isDirectory(hostPath)) {
                byte[] tar = tar(hostPath);
                run(sandboxPath, "{ [ -d \"$p\" ] || mkdir -p -- \"$p\"; } && exec tar -x --no-same-owner --no-same-permissions -f - -C \"$p\"",
                        tar, REASON_LIMIT);
            } else {
                write(sandboxPath, Files.readAllBytes(hostPath));
            }
        } catch (IOException e) {
            throw new SandboxException(Fault.INPUT, "cannot read " + hostPath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void download(String sandboxPath, Path hostFile) {
        try {
            Files.write(hostFile, read(sandboxPath));
        } catch (IOException e) {
            throw new SandboxException(Fault.INPUT, "cannot write " + hostFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<FileEntry> list(String directory) {
        ExecResult r = run(directory, "exec find \"$p\" -mindepth 1 -maxdepth 1 -printf '%y %s %f\\0'", new byte[0], 16 << 20).result();
        List<FileEntry> entries = new ArrayList<>();
        for (String record : r.stdout().split("\0")) {
            if (record.isEmpty()) continue;
            String[] f = record.split(" ", 3);
            FileEntry.Type type = switch (f[0]) {
                case "f" -> FileEntry.Type.FILE;
                case "d" -> FileEntry.Type.DIRECTORY;
                case "l" -> FileEntry.Type.SYMLINK;
                default -> FileEntry.Type.OTHER;
            };
            entries.add(new FileEntry(f[2], type, Long.parseLong(f[1])));
        }
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        return List.copyOf(entries);
    }

    private LocalSandbox.Raw run(String path, String action, byte[] stdin, int captureLimit) {
        checkPath(path);
        ExecRequest request = ExecRequest.of("/bin/sh", "-c", RESOLVE + action, SCRIPT_NAME, path)
                .withStdin(stdin).withTimeout(TIMEOUT).withEnv(Map.of("LC_ALL", "C"));
        return checked(path, sandbox.execCapturing(request, captureLimit));
    }

    private static void checkPath(String path) {
        if (path.isEmpty() || path.indexOf('\0') >= 0) throw new SandboxException(Fault.INPUT, "invalid sandbox path: \"" + path + "\"");
    }

    /** The script's $0, which the shell puts before its own messages. */
    private static final String SCRIPT_NAME = "ale-files";

    /** What the script's shell (its name, the line) and tools put before their reasons: the reason is the same without, on either route. */
    private static final Pattern TOOL_PREFIX = Pattern.compile("^(" + SCRIPT_NAME + ": \\d+: |realpath: |mkdir: |cat: |find: )");

    private static LocalSandbox.Raw checked(String path, LocalSandbox.Raw raw) {
        ExecResult r = raw.result();
        if (r.exitCode() == ESCAPES) throw new SandboxException(Fault.INPUT, path + ": " + r.stderr().strip());
        if (r.exitCode() != 0) {
            throw new SandboxException(Fault.INPUT, path + ": " + (r.killed() ? "stopped (" + r.reason().orElse("?") + ")" : reason(r.stderr())));
        }
        return raw;
    }

    private static String reason(String stderr) {
        List<String> lines = new ArrayList<>();
        for (String line : stderr.strip().split("\n")) {
            lines.add(TOOL_PREFIX.matcher(line).replaceFirst(""));
        }
        return String.join("\n", lines);
    }

    private static byte[] tar(Path dir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("tar", "-C", dir.toString(), "-cf", "-", ".").redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().clear();
        pb.environment().put("PATH", HostCommands.PATH);
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        try {
            if (p.waitFor() != 0) throw new SandboxException(Fault.INPUT, "cannot pack " + dir + " (tar exit " + p.exitValue() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(Fault.ENVIRONMENT, "interrupted while packing " + dir, e);
        }
        return bytes;
    }
}
