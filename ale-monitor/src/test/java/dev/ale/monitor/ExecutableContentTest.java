package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.kill.KillSwitch;
import dev.ale.monitor.rules.RuleId;
import dev.ale.monitor.sweep.FakeMiner;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Behaviour over names: a miner copied and renamed, or a script run through its interpreter, is judged by its content. */
@Tag("root")
class ExecutableContentTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    @TempDir
    Path dir;

    @Test
    void aCopiedAndRenamedMinerIsKilledForWhatItsExecutableCarries() throws Exception {
        Path miner = FakeMiner.build(dir, "m");
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().upload(miner, "/workspace/vendor/libfoo.so.1");
            String command = "cp /workspace/vendor/libfoo.so.1 /tmp/.gc-worker && chmod +x /tmp/.gc-worker && (/tmp/.gc-worker --threads 2 &)";
            watch.callStarted(true);
            assertThat(watch.checkShellCommand(command)).as("nothing in the command names a miner")
                    .noneMatch(x -> x.category() == Category.MINING);
            sh.run(command);
            watch.callEnded();

            SafetyEvent e = events.await(RuleId.MINING_EXE_MINER_MARKS.id());
            assertThat(e.category()).isEqualTo(Category.MINING);
            assertThat(e.action()).isEqualTo(Action.KILL);
            assertThat(e.evidence()).containsEntry("file", "/tmp/.gc-worker");
            assertThat(e.evidence().get("marks")).contains("stratum+tcp://");
            await().atMost(Events.PATIENCE).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(s.info().killReason()).hasValueSatisfying(r -> assertThat(r).isEqualTo(RuleId.MINING_EXE_MINER_MARKS.id()));
        }
    }

    @Test
    void aMinerThatDeletesItselfAndRunsUnderAnInterpretersNameIsStillFound() throws Exception {
        Path miner = FakeMiner.build(dir, "m");
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().upload(miner, "/workspace/data.bin");
            watch.callStarted(true);
            sh.run("mkdir -p /tmp/bin && cp /workspace/data.bin /tmp/bin/python3 && chmod +x /tmp/bin/python3 && rm /workspace/data.bin"
                    + " && (/tmp/bin/python3 job.py &) && sleep 0.2 && rm /tmp/bin/python3");
            watch.callEnded();

            SafetyEvent e = events.await(RuleId.MINING_EXE_MINER_MARKS.id());
            assertThat(e.evidence()).containsEntry("file", "/tmp/bin/python3");
            assertThat(e.action()).isEqualTo(Action.KILL);
        }
    }

    @Test
    void aScriptRunThroughItsInterpreterIsJudgedByWhatItSays() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            // written past the file tool (as a download or a decoded blob would be): only its run shows it
            s.files().write("/workspace/tools/sync.py", """
                    import time
                    POOL = "stratum+tcp://198.51.100.7:3333"
                    time.sleep(30)
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            assertThat(watch.checkShellCommand("cd /workspace/tools && python3 -u sync.py &")).noneMatch(x -> x.category() == Category.MINING);
            sh.run("cd /workspace/tools && (python3 -u sync.py >/dev/null 2>&1 &)");
            watch.callEnded();

            SafetyEvent e = events.await(RuleId.MINING_ARGV_STRATUM_URL.id());
            assertThat(e.evidence()).containsEntry("script", "sync.py");
            assertThat(e.action()).isEqualTo(Action.KILL);
        }
    }

    @Test
    void compilersInterpretersGitHashingAndPoolNamedProgramsRaiseNothing() throws Exception {
        Path lookalike = FakeMiner.compile(dir, "pool-hash", """
                #include <stdio.h>
                #include <unistd.h>
                int main(int argc, char **argv) {
                    if (argc > 3) printf("thread pool of %d workers; sha256 hash; connection pool; hashrate %s\\n", 4, argv[1]);
                    sleep(4);
                    return 0;
                }
                """);
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().upload(lookalike, "/workspace/pool-hash");
            s.files().write("/workspace/hashes.py", """
                    import hashlib, time
                    from multiprocessing.pool import ThreadPool
                    pool = ThreadPool(2)
                    print(pool.map(lambda b: hashlib.sha256(b).hexdigest(), [b"a", b"b"]))
                    time.sleep(4)
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            sh.run("""
                    cd /workspace && chmod +x pool-hash && (./pool-hash &)
                    (python3 hashes.py >/dev/null 2>&1 &)
                    (timeout 3 sha256sum /dev/zero &)
                    (timeout 3 openssl dgst -sha256 /dev/zero >/dev/null 2>&1 &)
                    ((sleep 3; echo 'int main(void){return 0;}') | gcc -x c - -o /tmp/hello &)
                    (sleep 4 | git cat-file --batch >/dev/null 2>&1 &)
                    """);
            watch.callEnded();
            for (int i = 0; i < 15; i++) {
                watch.sweep();
                Thread.sleep(200);
            }
            assertThat(events.all()).isEmpty();
        }
    }
}
