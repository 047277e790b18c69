package dev.ale.cli.demo;

import dev.ale.core.passport.ByteSize;
import dev.ale.core.passport.DurationText;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.Resources;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The steps of the demo, in the order a newcomer reads them: who the agent is, what it sees,
 * what it cannot reach, and what happens when it tries to exhaust the machine. Every command
 * is a fixed argument list; the fork and memory bombs need a shell and get a fixed script.
 */
final class ContainmentTour {

    /** What ALE puts in every sandbox's environment; anything else from the host must not appear. */
    static final Set<String> SANDBOX_ENVIRONMENT =
            Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "TERM", "TMPDIR", "PWD", "ALE_SANDBOX");

    /** A documentation address (RFC 5737): nothing answers there, so only the sandbox can stop the attempt. */
    private static final String OUTSIDE = "203.0.113.1";

    private static final Duration STEP_LIMIT = Duration.ofSeconds(20);
    private static final Duration SHORT_WALL_TIME = Duration.ofSeconds(2);

    private static final String FORK_BOMB = ":(){ :|:& };:; sleep 60";
    /** Perl grows fastest (about a second to 1 GiB); bash string doubling works everywhere. */
    private static final String MEMORY_BOMB =
            "if command -v perl >/dev/null; then exec perl -e 'my @a; push @a, \"x\" x 2**24 while 1'; fi; "
                    + "a=x; while :; do a=$a$a; done";

    private final SandboxBackend backend;
    private final Progress progress;
    private final List<Check> checks = new ArrayList<>();
    private final List<String> made = new ArrayList<>();

    ContainmentTour(SandboxBackend backend, Progress progress) {
        this.backend = backend;
        this.progress = progress;
    }

    List<Check> run() {
        Passport passport = Passport.defaults();
        progress.note("ALE demo: three sandboxes under the default passport (" + describe(passport.resources())
                + ") try to get out.");

        try (Sandbox sandbox = create(passport, "the default passport")) {
            sandboxView(sandbox);
            networkAndFiles(sandbox);
            step(sandbox, "memory bomb", "killed: memory", this::memoryBomb);
        }
        try (Sandbox sandbox = create(passport, "a fork bomb")) {
            step(sandbox, "fork bomb", "killed: pids", this::forkBomb);
        }
        Passport shortLived = passport.withResources(passport.resources().withWallTime(SHORT_WALL_TIME));
        try (Sandbox sandbox = create(shortLived, "wall time cut to " + DurationText.format(SHORT_WALL_TIME))) {
            step(sandbox, "wall time (" + DurationText.format(SHORT_WALL_TIME) + ")",
                    "killed: timeout at " + DurationText.format(SHORT_WALL_TIME), this::outlive);
        }
        progress.heading("Afterwards");
        step(null, "nothing left behind", made.size() + " sandboxes gone", ignored -> leftovers());
        return List.copyOf(checks);
    }

    private void sandboxView(Sandbox sandbox) {
        step(sandbox, "who am I inside", "uid 1000 (agent), not root", s -> {
            ExecResult r = exec(s, "id");
            String who = Arrays.stream(r.stdout().strip().split(" ")).limit(2).collect(Collectors.joining(" "));
            return new Observation(who, r.exitCode() == 0 && who.startsWith("uid=1000("));
        });
        step(sandbox, "hostname", "its own: the sandbox id", s -> {
            String name = exec(s, "hostname").stdout().strip();
            return new Observation(name, name.equals(s.id()));
        });
        step(sandbox, "what / holds", "host files, own /workspace", s -> {
            List<String> entries = exec(s, "ls", "/").stdout().lines().toList();
            return new Observation(String.join(" ", entries), entries.contains("workspace") && !entries.contains("root"));
        });
        for (String secret : List.of("/etc/shadow", "/root")) {
            step(sandbox, secret, "absent", s -> absent(s, secret));
        }
        step(sandbox, "host environment", "no host variable inside", this::hostEnvironment);
    }

    private void networkAndFiles(Sandbox sandbox) {
        step(sandbox, "network interfaces", "lo only", s -> {
            List<String> links = exec(s, "ip", "-o", "link").stdout().lines()
                    .map(line -> line.split(":\\s+", 3))
                    .filter(parts -> parts.length > 1)
                    .map(parts -> parts[1].replaceFirst("@.*", ""))
                    .toList();
            return new Observation(links.isEmpty() ? "none" : String.join(" ", links), links.equals(List.of("lo")));
        });
        step(sandbox, "connect " + OUTSIDE + ":443", "fails", s -> {
            ExecResult r = exec(s, "bash", "-c", "exec 3<>/dev/tcp/" + OUTSIDE + "/443");
            String why = r.killed() ? "no answer (" + r.reason().orElse("killed") + ")" : lastReason(r.stderr());
            return new Observation(r.exitCode() == 0 ? "connected" : why, r.exitCode() != 0);
        });
        step(sandbox, "write outside /workspace", "refused", s -> {
            String path = "/usr/ale-demo-" + s.id();
            ExecResult r = exec(s, "touch", path);
            boolean onHost = Files.exists(Path.of(path));
            return new Observation(r.exitCode() == 0 ? "written" : lastReason(r.stderr()), r.exitCode() != 0 && !onHost);
        });
        step(sandbox, "write in /workspace", "allowed", s -> {
            ExecResult r = exec(s, "sh", "-c", "echo hello > /workspace/hello.txt && cat /workspace/hello.txt");
            return new Observation(r.exitCode() == 0 ? "wrote and read back " + r.stdout().strip() : lastReason(r.stderr()),
                    r.exitCode() == 0 && r.stdout().strip().equals("hello"));
        });
    }

    private Observation absent(Sandbox s, String path) {
        ExecResult r = exec(s, "ls", "-d", path);
        return r.exitCode() == 0 ? new Observation("present", false)
                : new Observation("absent (" + lastReason(r.stderr()) + ")", r.stderr().contains("No such file"));
    }

    private Observation hostEnvironment(Sandbox s) {
        Map<String, String> inside = exec(s, "env").stdout().lines()
                .filter(line -> line.contains("="))
                .collect(Collectors.toMap(l -> l.substring(0, l.indexOf('=')), l -> l.substring(l.indexOf('=') + 1), (a, b) -> b));
        Set<String> hostOnly = new TreeSet<>(System.getenv().keySet());
        hostOnly.removeAll(SANDBOX_ENVIRONMENT);
        Set<String> visible = new TreeSet<>(hostOnly);
        visible.retainAll(inside.keySet());
        if (!visible.isEmpty()) return new Observation("visible: " + String.join(" ", visible), false);
        String example = hostOnly.contains("JAVA_HOME") ? "JAVA_HOME" : hostOnly.stream().findFirst().orElse("");
        String home = "HOME=" + inside.getOrDefault("HOME", "unset") + " (host: " + System.getenv().getOrDefault("HOME", "unset") + ")";
        return new Observation((example.isEmpty() ? "" : "none of " + hostOnly.size() + ", e.g. " + example + "; ") + home, true);
    }

    private Observation memoryBomb(Sandbox s) {
        return killedFor("memory", exec(s, "bash", "-c", MEMORY_BOMB));
    }

    private Observation forkBomb(Sandbox s) {
        return killedFor("pids", exec(s, "bash", "-c", FORK_BOMB));
    }

    private Observation outlive(Sandbox s) {
        ExecResult r = s.exec(ExecRequest.of("sleep", "60"));
        Observation killed = killedFor("timeout", r);
        return new Observation(killed.observed(), killed.held() && r.duration().compareTo(SHORT_WALL_TIME.plusSeconds(5)) < 0);
    }

    private Observation leftovers() {
        Set<String> listed = backend.list().stream().map(SandboxInfo::id).collect(Collectors.toSet());
        List<String> left = made.stream().filter(listed::contains).toList();
        return left.isEmpty()
                ? new Observation("all " + made.size() + " destroyed, 0 listed", true)
                : new Observation("still listed: " + String.join(" ", left), false);
    }

    private static Observation killedFor(String reason, ExecResult r) {
        String seen = r.killed()
                ? "killed (" + r.reason().orElse("?") + ") after " + seconds(r.duration())
                : "not killed: exit " + r.exitCode() + " after " + seconds(r.duration());
        return new Observation(seen, r.killed() && r.reason().filter(reason::equals).isPresent());
    }

    private Sandbox create(Passport passport, String what) {
        Sandbox sandbox = backend.create(SandboxRequest.of(passport));
        made.add(sandbox.id());
        progress.heading("Sandbox " + sandbox.id() + " (" + what + ")");
        return sandbox;
    }

    private record Observation(String observed, boolean held) {
    }

    /** Runs one step; a step that throws did not show containment, and the tour goes on. */
    private void step(Sandbox sandbox, String name, String expected, Function<Sandbox, Observation> body) {
        progress.started(name);
        Observation seen;
        try {
            seen = body.apply(sandbox);
        } catch (RuntimeException e) {
            seen = new Observation("error: " + e.getMessage(), false);
        }
        Check check = new Check(name, expected, seen.observed(), seen.held());
        checks.add(check);
        progress.finished(check);
    }

    private static ExecResult exec(Sandbox s, String... argv) {
        return s.exec(ExecRequest.of(argv).withTimeout(STEP_LIMIT));
    }

    /** The last "…: reason" of a tool's error line, e.g. "Read-only file system". */
    private static String lastReason(String stderr) {
        String line = stderr.strip().lines().reduce((a, b) -> b).orElse("");
        int colon = line.lastIndexOf(": ");
        return colon >= 0 ? line.substring(colon + 2) : line;
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String describe(Resources r) {
        return BigDecimal.valueOf(r.cpus()).stripTrailingZeros().toPlainString() + " CPU, "
                + ByteSize.format(r.memoryBytes()) + " memory, " + r.pids() + " processes, "
                + DurationText.format(r.wallTime()) + " wall time";
    }
}
