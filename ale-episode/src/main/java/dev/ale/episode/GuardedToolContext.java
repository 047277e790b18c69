package dev.ale.episode;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.sandbox.ExecRequest;
import dev.ale.core.sandbox.ExecResult;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SessionRequest;
import dev.ale.core.tool.ToolContext;
import dev.ale.containment.GuardedSandbox;
import dev.ale.containment.GuardedSandbox.GuardedSession;
import dev.ale.core.sandbox.OutputListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The agent's tools wired to one guarded sandbox: commands pass the monitor's pre-exec check and
 * run as tool calls, the shell session persists (and is reopened, with a note, if the agent
 * exits it), no command may outlast the agent's wall time, and events are handed out once each.
 */
final class GuardedToolContext implements ToolContext, AutoCloseable {

    private final GuardedSandbox guarded;
    private final String workdir;
    private final Map<String, String> env;
    private final Instant deadline;
    private final Clock clock;
    private final SandboxFiles files;
    private GuardedSession session;
    private int drained;

    GuardedToolContext(GuardedSandbox guarded, String workdir, Instant deadline, Clock clock) {
        this(guarded, workdir, Map.of(), deadline, clock);
    }

    /** @param env the task's variables (its image's ENV), set in the shell and in every command */
    GuardedToolContext(GuardedSandbox guarded, String workdir, Map<String, String> env, Instant deadline, Clock clock) {
        this.guarded = guarded;
        this.workdir = workdir;
        this.env = new TreeMap<>(env);
        this.deadline = deadline;
        this.clock = clock;
        this.files = guarded.files();
    }

    @Override
    public synchronized ExecResult shell(String command, Duration timeout) {
        String note = "";
        if (session == null || !session.isOpen()) {
            if (session != null) note = "[ALE] the previous shell had ended (exit?); this command ran in a new one, in " + workdir + "\n";
            try {
                // the shell starts in the workdir with the task's variables: no command of its own for that
                session = guarded.openSession(new SessionRequest(Optional.of(workdir), env));
            } catch (SandboxException e) {
                session = null;
                return new ExecResult(126, false, Optional.empty(), Duration.ZERO, "", "ale: not run: " + e.getMessage() + "\n", false, List.of());
            }
        }
        ExecResult r = session.run(command, Optional.of(bounded(timeout)), OutputListener.NONE);
        return note.isEmpty() ? r : new ExecResult(r.exitCode(), r.killed(), r.reason(), r.duration(), r.stdout(),
                note + r.stderr(), r.outputTruncated(), r.events());
    }

    @Override
    public ExecResult exec(ExecRequest request) {
        ExecRequest inWorkdir = request.cwd().isPresent() ? request : request.withCwd(workdir);
        if (!env.isEmpty()) {
            Map<String, String> all = new HashMap<>(env);
            all.putAll(inWorkdir.env());
            inWorkdir = inWorkdir.withEnv(all);
        }
        return guarded.exec(inWorkdir.withTimeout(bounded(request.timeout().orElse(Duration.ofMinutes(5)))));
    }

    @Override
    public SandboxFiles files() {
        return files;
    }

    @Override
    public String workdir() {
        return workdir;
    }

    @Override
    public void enterStep(int step) {
        guarded.enterStep(step);
    }

    @Override
    public synchronized List<SafetyEvent> drainEvents() {
        List<SafetyEvent> all = guarded.events();
        List<SafetyEvent> fresh = List.copyOf(all.subList(Math.min(drained, all.size()), all.size()));
        drained = all.size();
        return fresh;
    }

    @Override
    public Optional<String> killReason() {
        return guarded.killReason();
    }

    /** Skips the events raised before the agent's first step (setup's), so they are not charged to step 1. */
    synchronized void skipEarlierEvents() {
        drained = guarded.events().size();
    }

    private Duration bounded(Duration timeout) {
        Duration left = Duration.between(clock.instant(), deadline);
        if (left.compareTo(Duration.ofSeconds(1)) < 0) left = Duration.ofSeconds(1);
        return timeout.compareTo(left) < 0 ? timeout : left;
    }

    @Override
    public synchronized void close() {
        if (session != null) session.close();
    }
}
