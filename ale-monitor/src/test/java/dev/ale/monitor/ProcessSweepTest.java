package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Action;
import dev.ale.core.event.SafetyEvent;
import dev.ale.core.passport.DetectorSetting;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.OutputListener;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.core.sandbox.ShellSession;
import dev.ale.monitor.kill.KillSwitch;
import dev.ale.monitor.rules.RuleId;
import dev.ale.sandbox.testing.RealSandboxes;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The sweep over real sandboxes: what runs in the background or behind a script is seen, and kills work. */
@Tag("root")
class ProcessSweepTest {

    @RegisterExtension
    static final RealSandboxes sandboxes = new RealSandboxes();

    /** Listens on the sandbox's own loopback and holds the one connection it gets. */
    private static final String LISTENER = """
            import socket, time
            l = socket.socket()
            l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            l.bind(("127.0.0.1", 4444))
            l.listen(1)
            c, _ = l.accept()
            time.sleep(120)
            """;
    /** A classic python reverse shell, from a file so its command line shows nothing. */
    private static final String REVERSE_SHELL = """
            import socket, subprocess, os, sys, time
            s = socket.socket()
            for _ in range(100):
                try:
                    s.connect(("127.0.0.1", 4444)); break
                except OSError:
                    time.sleep(0.1)
            print("connected-at", time.time(), file=sys.stderr, flush=True)
            os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1); os.dup2(s.fileno(), 2)
            subprocess.call(["/bin/sh", "-i"])
            """;

    @Test
    void pythonReverseShellIsSeenBySweepAndKilled() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-rs"))) {
            s.files().write("/workspace/listen.py", LISTENER.getBytes(StandardCharsets.UTF_8));
            s.files().write("/workspace/rs.py", REVERSE_SHELL.getBytes(StandardCharsets.UTF_8));
            watch.setStep(3);
            watch.callStarted(false);

            ExecResult r = s.exec(ExecRequest.of("/bin/bash", "-c", "python3 /workspace/listen.py & python3 /workspace/rs.py")
                    .withTimeout(Duration.ofSeconds(100)));
            Instant returned = Instant.now();

            assertThat(r.killed()).as(r.toString()).isTrue();
            assertThat(r.reason()).contains(RuleId.REVERSE_SHELL_STDIO_SOCKET.id());
            SafetyEvent e = events.await(RuleId.REVERSE_SHELL_STDIO_SOCKET.id());
            assertThat(e.category()).isEqualTo(Category.REVERSE_SHELL);
            assertThat(e.action()).isEqualTo(Action.KILL);
            assertThat(e.sandbox()).isEqualTo(s.id());
            assertThat(e.episode()).contains("ep-rs");
            assertThat(e.step()).hasValue(3);
            assertThat(e.evidence()).containsKeys("pid", "argv").containsEntry("source", "sweep");
            connectedAt(r.stderr()).ifPresent(act -> System.out.printf(
                    "reverse shell: act -> event %d ms, act -> exec returned killed %d ms%n",
                    Duration.between(act, e.time()).toMillis(), Duration.between(act, returned).toMillis()));
        }
    }

    /**
     * A session's shell reads its commands from a socket the sandbox's init gave it: that socket is
     * ALE's, and the shell is no reverse shell. A shell the session starts on a socket of its own
     * (here a socket pair a relay would drive) still is one, and is killed.
     */
    @Test
    void aSessionsShellIsNoReverseShellButAShellOnAnotherSocketStartedInTheSessionIs() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        KillSwitch kill = new KillSwitch();
        kill.register(s);
        Events events = new Events(kill);
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-sess"));
             ShellSession sh = s.openSession()) {
            watch.callStarted(false);
            ExecResult quiet = sh.run("sleep 2; echo done");
            watch.callEnded();

            assertThat(quiet.stdout()).isEqualTo("done\n");
            assertThat(events.all()).noneMatch(e -> e.category() == Category.REVERSE_SHELL);
            assertThat(s.info().killReason()).isEmpty();

            watch.callStarted(false);
            ExecResult relayed = sh.run("""
                    python3 -c 'import socket, subprocess
                    a, b = socket.socketpair()
                    p = subprocess.Popen(["/bin/sh"], stdin=b, stdout=b, stderr=b)
                    a.sendall(b"sleep 60\\n")
                    p.wait()'
                    """, Optional.of(Duration.ofSeconds(100)), OutputListener.NONE);

            assertThat(relayed.killed()).as(relayed.toString()).isTrue();
            assertThat(relayed.reason()).contains(RuleId.REVERSE_SHELL_STDIO_SOCKET.id());
            assertThat(events.await(RuleId.REVERSE_SHELL_STDIO_SOCKET.id()).evidence().get("argv")).contains("/bin/sh");
        }
    }

    @Test
    void aSandboxWhereNothingRunsIsNotReadAgainButWhatStartsInItIsSeenByTheNextSweep() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        // only the test sweeps: the monitor's own period is longer than the test
        try (Monitor monitor = new Monitor(events, Monitor.Config.defaults().withSweepPeriod(Duration.ofHours(1)));
             Watch watch = monitor.watch(s, passport, Optional.empty()); ShellSession sh = s.openSession()) {
            assertThat(sh.run("echo up").stdout()).contains("up");
            // the first sweeps read everything: each process is judged once two sweeps agree on what it runs
            for (int i = 0; i < 3; i++) watch.sweep();
            long read = watch.fullSweeps();

            for (int i = 0; i < 5; i++) watch.sweep();
            assertThat(watch.fullSweeps()).as("sweeps of an idle sandbox that read its processes").isEqualTo(read);

            sh.run("bash -c 'exec -a xmrig sleep 60' >/dev/null 2>&1 &");
            watch.sweep();
            assertThat(watch.fullSweeps()).isGreaterThan(read);
            // what the process runs is judged once two sweeps agree on it, after its exec
            await().atMost(Events.PATIENCE).pollInterval(Duration.ofMillis(50)).until(() -> {
                watch.sweep();
                return events.all().stream().anyMatch(e -> e.category() == Category.MINING && e.evidence().get("argv").startsWith("xmrig"));
            });
            SafetyEvent miner = events.await(e -> e.category() == Category.MINING && e.evidence().get("argv").startsWith("xmrig"));
            assertThat(miner.rule()).isEqualTo("mining.program.known-miner");
        }
    }

    /**
     * A call's start sweeps to tell what ran before the call from what the call starts; when nothing
     * has run since the last call's end swept, it reads nothing. A process that a session's earlier
     * background job forks between two calls (an orphan, so it takes no declaration from a parent)
     * still makes the next call's start read it: it is not charged to that call as persistence.
     */
    @Test
    void aCallStartReadsNothingAfterAQuietGapButSeesWhatWasForkedInTheGap() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events, Monitor.Config.defaults().withSweepPeriod(Duration.ofHours(1)));
             Watch watch = monitor.watch(s, passport, Optional.empty()); ShellSession sh = s.openSession()) {
            // the first calls read everything: each process is judged once two sweeps agree on what it runs
            for (int i = 0; i < 3; i++) {
                watch.callStarted(false);
                sh.run("true");
                watch.callEnded();
            }
            long read = watch.callStartSweeps();

            watch.callStarted(false);
            assertThat(watch.callStartSweeps()).as("a call start after a quiet gap").isEqualTo(read);
            sh.run("true");
            watch.callEnded();

            watch.callStarted(true);
            sh.run("(sleep 1; (exec sleep 31 &); exec sleep 32) >/dev/null 2>&1 &");
            watch.callEnded();
            await().atMost(Events.PATIENCE).until(() -> s.processes().stream().anyMatch(p -> p.argv().equals(List.of("sleep", "31"))));
            long before = watch.callStartSweeps();
            watch.callStarted(false);
            sh.run("true");
            List<SafetyEvent> ended = watch.callEnded();

            assertThat(watch.callStartSweeps()).isEqualTo(before + 1);
            assertThat(ended).noneMatch(e -> e.category() == Category.PERSISTENCE);
            assertThat(events.all()).noneMatch(e -> e.category() == Category.PERSISTENCE);
        }
    }

    @Test
    void aProcessThatKeepsRunningIsSweptEveryTime() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        try (Monitor monitor = new Monitor(new Events(), Monitor.Config.defaults().withSweepPeriod(Duration.ofHours(1)));
             Watch watch = monitor.watch(s, passport, Optional.empty()); ShellSession sh = s.openSession()) {
            sh.run("sh -c 'while :; do :; done' >/dev/null 2>&1 &");
            for (int i = 0; i < 3; i++) watch.sweep();
            long read = watch.fullSweeps();

            // long enough for the loop to be given a core, however busy the machine
            sleepMillis(200);
            watch.sweep();

            assertThat(watch.fullSweeps()).isEqualTo(read + 1);
        }
    }

    private static void sleepMillis(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    @Test
    void renamedMinerAndMinerFlagsStartedByAScriptAreSeenBySweep() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            s.files().write("/workspace/start.sh", """
                    bash -c 'exec -a xmrig sleep 60' >/dev/null 2>&1 &
                    python3 -c 'import time; time.sleep(60)' --donate-level=1 >/dev/null 2>&1 &
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            assertThat(watch.checkShellCommand("sh /workspace/start.sh")).isEmpty();
            sh.run("sh /workspace/start.sh");
            watch.callEnded();

            SafetyEvent renamed = events.await(e -> e.category() == Category.MINING && e.evidence().get("argv").startsWith("xmrig"));
            SafetyEvent flagged = events.await(e -> e.category() == Category.MINING && e.evidence().get("argv").contains("--donate-level=1"));
            assertThat(renamed.rule()).isEqualTo("mining.program.known-miner");
            assertThat(flagged.rule()).isEqualTo("mining.argv.miner-flag");
            assertThat(renamed.action()).isEqualTo(Action.ALERT);
        }
    }

    @Test
    void aForkOfAFlaggedScriptIsChargedWithItAndWhatItThenExecsIsReportedUnderItsOwnCommand() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            // the subshell lives as a fork of the script's shell for two seconds (sweeps see it so) before it execs the line
            s.files().write("/workspace/later.sh", """
                    ( sleep 2; exec python3 -c 'import time; time.sleep(60)' --donate-level=1 ) >/dev/null 2>&1 &
                    """.getBytes(StandardCharsets.UTF_8));
            watch.callStarted(true);
            sh.run("sh /workspace/later.sh");
            watch.callEnded();

            SafetyEvent fromScript = events.await(e -> e.rule().equals("mining.argv.miner-flag") && e.evidence().containsKey("script"));
            SafetyEvent ownCommand = events.await(e -> e.rule().equals("mining.argv.miner-flag")
                    && e.evidence().getOrDefault("argv", "").startsWith("python3"));
            assertThat(fromScript.evidence().get("script")).isEqualTo("/workspace/later.sh");
            assertThat(ownCommand.evidence()).doesNotContainKey("script");
        }
    }

    @Test
    void busyLoopLeftInTheBackgroundIsSustainedCpuButADeclaredHeavyCallIsNot() {
        Passport passport = alertOnly(Category.MINING);
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        Monitor.Config config = Monitor.Config.defaults().withCpu(Duration.ofSeconds(2), 0.5);
        try (Monitor monitor = new Monitor(events, config); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.callStarted(false, true);
            sh.run("timeout 4 bash -c 'while :; do :; done' declared; true");
            watch.callEnded();
            assertThat(events.rules()).doesNotContain(RuleId.MINING_CPU_SUSTAINED.id());

            watch.callStarted(true);
            sh.run("bash -c 'while :; do :; done' undeclared >/dev/null 2>&1 &");
            watch.callEnded();

            SafetyEvent e = events.await(RuleId.MINING_CPU_SUSTAINED.id());
            assertThat(e.category()).isEqualTo(Category.MINING);
            assertThat(e.evidence().get("argv")).contains("undeclared");
            assertThat(events.all()).noneMatch(x -> x.rule().equals(RuleId.MINING_CPU_SUSTAINED.id()) && x.evidence().get("argv").contains("declared "));
        }
    }

    @Test
    void nohupSleepInAShellSessionIsPersistenceAtCallEnd() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.of("ep-p"));
             ShellSession sh = s.openSession()) {
            watch.setStep(1);
            watch.callStarted(false);
            sh.run("nohup sleep 300 >/dev/null 2>&1 &");
            List<SafetyEvent> atEnd = watch.callEnded();

            assertThat(atEnd).extracting(SafetyEvent::rule).containsExactly(RuleId.PERSISTENCE_OUTLIVED_CALL.id());
            // seen either before or after nohup execs the sleep: the same process either way
            assertThat(atEnd.getFirst().evidence().get("argv")).endsWith("sleep 300");
            assertThat(atEnd.getFirst().step()).hasValue(1);
            assertThat(atEnd.getFirst().category()).isEqualTo(Category.PERSISTENCE);
        }
    }

    @Test
    void aServerStartedByADeclaredBackgroundCallIsNotPersistence() {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty());
             ShellSession sh = s.openSession()) {
            watch.callStarted(true);
            sh.run("sleep 301 >/dev/null 2>&1 &");
            assertThat(watch.callEnded()).isEmpty();
            watch.callStarted(false);
            sh.run("echo later");
            assertThat(watch.callEnded()).isEmpty();
            assertThat(events.all()).isEmpty();
        }
    }

    @Test
    void doubleForkDuringAnExecIsSeenDetachedWhileTheCallRuns() throws Exception {
        Passport passport = Passport.defaults();
        Sandbox s = sandboxes.sandbox(passport);
        Events events = new Events();
        try (Monitor monitor = new Monitor(events); Watch watch = monitor.watch(s, passport, Optional.empty())) {
            watch.callStarted(false);
            CompletableFuture<ExecResult> call = CompletableFuture.supplyAsync(() -> s.exec(ExecRequest.of("/bin/bash", "-c",
                    "(sleep 302 >/dev/null 2>&1 &); setsid sleep 303 >/dev/null 2>&1 & "
                            + "while [ ! -e /workspace/done ]; do sleep 0.1; done").withTimeout(Duration.ofSeconds(100))));
            try {
                SafetyEvent orphan = events.await(e -> e.rule().equals(RuleId.PERSISTENCE_DETACHED.id()) && e.evidence().get("argv").equals("sleep 302"));
                SafetyEvent session = events.await(e -> e.rule().equals(RuleId.PERSISTENCE_DETACHED.id()) && e.evidence().get("argv").equals("sleep 303"));
                assertThat(orphan.evidence().get("detachment")).contains("reparented");
                assertThat(session.evidence().get("detachment")).contains("session");
            } finally {
                s.files().write("/workspace/done", new byte[0]);
                call.get();
            }
            // the exec's pid namespace took them with it: nothing outlived the call
            assertThat(watch.callEnded()).isEmpty();
        }
    }

    private static Passport alertOnly(Category category) {
        Passport p = Passport.defaults();
        return p.withDetectors(p.detectors().with(category, new DetectorSetting(Action.ALERT, 1.0)));
    }

    private static Optional<Instant> connectedAt(String stderr) {
        return stderr.lines().filter(l -> l.startsWith("connected-at ")).findFirst().map(l -> {
            double seconds = Double.parseDouble(l.substring("connected-at ".length()).strip());
            return Instant.ofEpochSecond((long) seconds, (long) ((seconds % 1) * 1e9));
        });
    }
}
