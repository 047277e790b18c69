package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Names the part each process of a local sandbox plays, from the shape bubblewrap gives every
 * command: the launcher {@code bwrap} (its parent is outside the sandbox's cgroup), bwrap's copy
 * inside the new namespaces (the init: pid 1 there, and the session leader), and the command's
 * main process, the init's first child. The monitor reads these roles and knows nothing of bwrap.
 */
final class BwrapRoles {

    private BwrapRoles() {
    }

    static List<ProcessSnapshot> assign(List<ProcessSnapshot> processes) {
        Set<Long> all = new HashSet<>();
        processes.forEach(p -> all.add(p.pid()));
        Set<Long> launchers = new HashSet<>();
        for (ProcessSnapshot p : processes) {
            if (!all.contains(p.parentPid())) launchers.add(p.pid());
        }
        Set<Long> inits = new HashSet<>();
        Map<Long, List<ProcessSnapshot>> children = new HashMap<>();
        for (ProcessSnapshot p : processes) {
            if (launchers.contains(p.parentPid())) inits.add(p.pid());
            children.computeIfAbsent(p.parentPid(), k -> new ArrayList<>()).add(p);
        }
        // the first child by start time; pids break ties within one clock tick (they are handed out in order)
        Set<Long> mains = new HashSet<>();
        for (long init : inits) {
            children.getOrDefault(init, List.of()).stream()
                    .min(Comparator.comparingLong(ProcessSnapshot::startTicks).thenComparingLong(ProcessSnapshot::pid))
                    .ifPresent(m -> mains.add(m.pid()));
        }
        List<ProcessSnapshot> out = new ArrayList<>(processes.size());
        for (ProcessSnapshot p : processes) {
            Role role = launchers.contains(p.pid()) ? Role.LAUNCHER
                    : inits.contains(p.pid()) ? Role.INIT
                    : mains.contains(p.pid()) ? Role.MAIN
                    : Role.WORKLOAD;
            out.add(role == p.role() ? p : p.withRole(role));
        }
        return List.copyOf(out);
    }
}
