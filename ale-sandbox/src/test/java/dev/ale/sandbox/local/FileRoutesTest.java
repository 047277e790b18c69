package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.ale.sandbox.local.TestBackend.bash;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resident init's own WRITE and READ do what the shell script (sh, realpath, cat) does, case by
 * case, in one sandbox: the same bytes, the same files left behind, the same refusals with the same
 * reasons, for symlinks in and out, loops, `..`, /proc links, parents that are files, and what the
 * sandbox's user may not write. And the process doing a write is as far out of the agent's reach as the init.
 */
@Tag("root")
class FileRoutesTest {

    @RegisterExtension
    static final TestBackend tb = TestBackend.perClass(LocalSandboxBackend.ExecPath.RESIDENT_INIT);

    /** A tree with every kind of trap in /workspace/t and /tmp/t, made afresh before each operation. */
    private static final String TREE = """
            chmod -f u+w /workspace/t/ro; rm -rf /workspace/t /tmp/t && mkdir -p /workspace/t/d/e /tmp/t && cd /workspace/t || exit 1
            ln -s b a; ln -s c b; ln -s a c; ln -s self self
            ln -s d/e rel; ln -s /workspace/t/d abs; ln -s ../t/d up; ln -s /tmp/t totmp
            echo old > f; ln -s f lf; ln -s nowhere dangling
            ln -s /etc/passwd pw; ln -s / root; ln -s /proc/self/fd/1 out; ln -s /proc/1/mem mem; ln -s /proc/self/root selfroot
            mkdir ro; echo kept > ro/file; chmod 555 ro
            """;

    /** What is in the two trees: names, kinds, modes, sizes, link targets and contents. */
    private static final String SNAPSHOT = """
            cd / && find /workspace/t /tmp/t -printf '%p %y %m %s %l\\n' | LC_ALL=C sort
            find /workspace/t /tmp/t -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
            """;

    private static final List<String> PATHS = List.of(
            "t/new.txt", "t/d/e/deep/er/new", "t/a", "t/a/z", "t/self", "t/self/z", "t/rel/../k", "t/abs/e/..", "t/up/./e//g",
            "t/f", "t/f/x", "t/f/x/y", "t/lf", "t/lf/x", "t/dangling", "t/pw", "t/root/tmp/../etc/ale-probe", "t/out", "t/mem",
            "t/selfroot/workspace/t/via-proc", "t/totmp/q", "/tmp/t/../../etc/ale-probe", "t/ro/x", "t/ro/file", "t/ro/sub/x",
            "/tests/x", "/tests", "/workspace", "..", "t/", "t/d/e/", "/", "t/./././d/../f", "t/sp ace", "t/new\nline",
            "/workspace/t/d/e/../../../t/f", "t/missing", "t/missing/..", "t/d");

    @Test
    void theInitsWriteAndReadDoWhatTheShellScriptDoesCaseByCase() {
        LocalSandbox s = (LocalSandbox) tb.sandbox();
        SandboxFiles init = new LocalSandboxFiles(s, LocalSandboxFiles.Route.INIT);
        SandboxFiles shell = new LocalSandboxFiles(s, LocalSandboxFiles.Route.SHELL);
        byte[] content = "written\n".getBytes(StandardCharsets.UTF_8);
        List<String> mismatches = new ArrayList<>();
        int refused = 0;
        for (String path : PATHS) {
            for (String op : List.of("write", "read")) {
                Function<SandboxFiles, String> run = f -> outcome(() -> {
                    if (op.equals("write")) {
                        f.write(path, content);
                        return "ok";
                    }
                    return "ok " + new String(f.read(path), StandardCharsets.UTF_8);
                });
                String byShell = fresh(s, shell, run);
                String byInit = fresh(s, init, run);
                if (!byShell.equals(byInit)) mismatches.add(op + " " + path + ":\n  shell: " + byShell + "\n  init:  " + byInit);
                if (byInit.startsWith("refused")) refused++;
            }
        }
        assertThat(mismatches).as(String.join("\n", mismatches)).isEmpty();
        // the cases do reach the refusals they are there for (outside, a file as parent, no permission, loops)
        assertThat(refused).isGreaterThan(20);
        assertThat(bash(s, "ls /etc/ale-probe 2>/dev/null; ls -la /workspace/t 2>/dev/null | grep -c via-proc").stdout().strip()).isEqualTo("0");
    }

    @Test
    void theProcessOfAWriteCanNeitherBeInspectedNorFedNorTracedFromInside() throws Exception {
        LocalSandbox s = (LocalSandbox) tb.sandbox();
        assertThat(bash(s, "mkfifo /workspace/fifo").exitCode()).isZero();
        byte[] content = "from ALE\n".getBytes(StandardCharsets.UTF_8);
        // the write's process blocks opening the FIFO (as `cat >` would), holding its stdin with the data behind it
        CompletableFuture<Void> write = CompletableFuture.runAsync(() -> s.files().write("fifo", content));
        ExecResult attack = s.exec(ExecRequest.of("/bin/bash", "-c", """
                try() { if "$@" >/dev/null 2>&1; then echo "REACHED: $*"; else echo "refused: $*"; fi; }
                for i in $(seq 200); do
                  for d in /proc/[0-9]*; do
                    p=${d#/proc/}
                    [ "$p" != 1 ] && [ "$p" != $$ ] && [ "$p" != $PPID ] && [ "$(cat $d/comm 2>/dev/null)" = ale-call ] && w=$p
                  done
                  [ -n "$w" ] && break; sleep 0.05
                done
                [ -n "$w" ] || { echo "no write process"; exit 1; }
                try ls /proc/$w/fd
                try sh -c "echo injected > /proc/$w/fd/0"
                try cat /proc/$w/environ
                try dd if=/proc/$w/mem bs=1 count=1 skip=4194304
                try readlink /proc/$w/cwd
                try python3 -c 'import ctypes, sys; sys.exit(0 if ctypes.CDLL(None).ptrace(16, int(sys.argv[1]), 0, 0) == 0 else 1)' $w
                cat /workspace/fifo > /workspace/got
                echo end
                """).withTimeout(Duration.ofSeconds(60)));
        write.get(60, TimeUnit.SECONDS);
        assertThat(attack.stdout()).as(attack.toString()).contains("end").doesNotContain("REACHED");
        assertThat(attack.stdout().lines().filter(l -> l.startsWith("refused")).count()).isEqualTo(6);
        assertThat(s.files().read("got")).isEqualTo(content);
    }

    /** The outcome of one operation on a fresh tree, with what it left in the tree. */
    private static String fresh(LocalSandbox s, SandboxFiles files, Function<SandboxFiles, String> run) {
        ExecResult setup = bash(s, TREE);
        assertThat(setup.exitCode()).as(setup.stderr()).isZero();
        // (a link through /proc/self names the process that followed it and its pipe: its own on either route)
        String outcome = run.apply(files).replaceAll("/proc/\\d+/", "/proc/PID/").replaceAll("pipe:\\[\\d+]", "pipe:[N]");
        return outcome + "\n" + bash(s, SNAPSHOT).stdout();
    }

    private interface Op {
        String run();
    }

    private static String outcome(Op op) {
        try {
            return op.run();
        } catch (SandboxException e) {
            return "refused " + e.getMessage();
        }
    }
}
