package dev.ale.monitor.sweep;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A sandbox's process trees, by the roles its backend gave each process: every command has its
 * roots (launcher, init, main), and everything the command starts stays below its main process
 * and in its init's session unless it detaches: orphaned by a double fork (reparented to the
 * init), or moved to a new session ({@code setsid}). {@code nohup} and {@code disown} change
 * neither; such a process is found when it outlives the call. Pure.
 */
public final class ProcessForest {

    private final Map<Long, ProcessSnapshot> byPid = new HashMap<>();

    public ProcessForest(List<ProcessSnapshot> processes) {
        processes.forEach(p -> byPid.put(p.pid(), p));
    }

    /** Whether ALE started this process itself to run a command: a launcher, an init or a main. */
    public boolean isCommandRoot(ProcessSnapshot p) {
        return p.role().isCommandRoot();
    }

    public Optional<ProcessSnapshot> parent(ProcessSnapshot p) {
        return byPid(p.parentPid());
    }

    /** The process with this pid now, if it is in the sandbox. */
    public Optional<ProcessSnapshot> byPid(long pid) {
        return Optional.ofNullable(byPid.get(pid));
    }

    /** Why this process left its command's tree, when it did. */
    public Optional<String> detachment(ProcessSnapshot p) {
        if (isCommandRoot(p)) return Optional.empty();
        Optional<ProcessSnapshot> init = initOf(p);
        if (init.isEmpty()) return Optional.empty();
        if (p.parentPid() == init.get().pid()) {
            return Optional.of("orphaned: reparented to the sandbox's init (pid " + init.get().pid() + ")");
        }
        // the command's session is its init's; a command whose call's init was killed from inside hangs
        // from the sandbox's resident init, and keeps the session its call's init made for it
        long session = (init.get().role() == Role.RESIDENT ? mainOf(p).orElse(init.get()) : init.get()).sessionId();
        if (p.sessionId() != session) {
            return Optional.of("left its command's session " + session + " for session " + p.sessionId());
        }
        return Optional.empty();
    }

    private Optional<ProcessSnapshot> mainOf(ProcessSnapshot p) {
        ProcessSnapshot at = p;
        for (int depth = 0; depth < 4096; depth++) {
            if (at.role() == Role.MAIN) return Optional.of(at);
            if (at.role() == Role.INIT || at.role() == Role.RESIDENT) return Optional.empty();
            ProcessSnapshot up = byPid.get(at.parentPid());
            if (up == null) return Optional.empty();
            at = up;
        }
        return Optional.empty();
    }

    private Optional<ProcessSnapshot> initOf(ProcessSnapshot p) {
        ProcessSnapshot at = p;
        for (int depth = 0; depth < 4096; depth++) {
            // an orphan whose call's init is gone (killed) is reparented to the sandbox's resident init
            if (at.role() == Role.INIT || at.role() == Role.RESIDENT) return Optional.of(at);
            ProcessSnapshot up = byPid.get(at.parentPid());
            if (up == null) return Optional.empty();
            at = up;
        }
        return Optional.empty();
    }
}
