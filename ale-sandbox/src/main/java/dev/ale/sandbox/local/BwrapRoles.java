package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.ProcessSnapshot.Role;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names the part each process of a local sandbox plays, from the shape bubblewrap gives every
 * command: the launcher {@code bwrap} (its parent is outside the sandbox's cgroup), bwrap's copy
 * inside the new namespaces (the init: pid 1 there, and the session leader), and the command's
 * main process, the init's first child. The monitor reads these roles and knows nothing of bwrap.
 *
 * <p>On the resident path the launcher's child is the sandbox's resident init instead, known by
 * its executable (which no process of the sandbox can reach, let alone run); each call's own
 * process below it (forked from the init, never exec'd, so the same executable) plays the init for
 * its call, and its first child is the call's main. A process reparented to the resident init is
 * an orphan like any other.
 */
final class BwrapRoles {

    private BwrapRoles() {
    }

    static List<ProcessSnapshot> assign(List<ProcessSnapshot> processes) {
        return assign(processes, Optional.empty(), Set.of());
    }

    /**
     * {@code residentExe}: the resident init's binary as the host sees it, when the sandbox has one;
     * {@code runningCommands}: the pids (in the sandbox) of the commands it runs now, one of which
     * may have lost its call's process to a {@code kill -9 -1} and hang from the resident init itself.
     */
    static List<ProcessSnapshot> assign(List<ProcessSnapshot> processes, Optional<String> residentExe, Set<Integer> runningCommands) {
        Map<Long, ProcessSnapshot> byPid = new HashMap<>();
        processes.forEach(p -> byPid.put(p.pid(), p));
        Set<Long> launchers = new HashSet<>();
        for (ProcessSnapshot p : processes) {
            if (!byPid.containsKey(p.parentPid())) launchers.add(p.pid());
        }
        Set<Long> residents = new HashSet<>();
        Set<Long> inits = new HashSet<>();
        Map<Long, List<ProcessSnapshot>> children = new HashMap<>();
        for (ProcessSnapshot p : processes) {
            if (launchers.contains(p.parentPid())) {
                if (residentExe.isPresent() && p.exe().equals(residentExe)) residents.add(p.pid());
                else inits.add(p.pid());
            }
            children.computeIfAbsent(p.parentPid(), k -> new ArrayList<>()).add(p);
        }
        Set<Long> mains = new HashSet<>();
        for (long r : residents) {
            for (ProcessSnapshot c : children.getOrDefault(r, List.of())) {
                if (c.exe().equals(residentExe)) inits.add(c.pid());
                else if (!runningCommands.isEmpty()
                        && ProcessReader.namespacePid(c.pid()).stream().anyMatch(ns -> runningCommands.contains((int) ns))) mains.add(c.pid());
            }
        }
        // the first child by start time; pids break ties within one clock tick (they are handed out in order)
        for (long init : inits) {
            children.getOrDefault(init, List.of()).stream()
                    .min(Comparator.comparingLong(ProcessSnapshot::startTicks).thenComparingLong(ProcessSnapshot::pid))
                    .ifPresent(m -> mains.add(m.pid()));
        }
        List<ProcessSnapshot> out = new ArrayList<>(processes.size());
        for (ProcessSnapshot p : processes) {
            Role role = launchers.contains(p.pid()) ? Role.LAUNCHER
                    : residents.contains(p.pid()) ? Role.RESIDENT
                    : inits.contains(p.pid()) ? Role.INIT
                    : mains.contains(p.pid()) ? Role.MAIN
                    : Role.WORKLOAD;
            out.add(role == p.role() ? p : p.withRole(role));
        }
        return List.copyOf(out);
    }
}
