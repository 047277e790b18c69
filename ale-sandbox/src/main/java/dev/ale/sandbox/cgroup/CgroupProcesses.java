package dev.ale.sandbox.cgroup;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;

import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** SIGKILLs the processes of a cgroup and waits, bounded, for them to be gone. */
final class CgroupProcesses {

    static final Duration FREEZE_WAIT = Duration.ofSeconds(1);
    static final Duration EMPTY_WAIT = Duration.ofSeconds(5);
    /**
     * Polls start short and double up to {@link #POLL}: a few processes are gone (or frozen) within
     * a millisecond, and a sandbox's destroy waits on this before it returns.
     */
    private static final Duration FIRST_POLL = Duration.ofNanos(250_000);
    private static final Duration POLL = Duration.ofMillis(10);

    private CgroupProcesses() {
    }

    /** kill(pid, SIGKILL) for each; ProcessHandle does that for non-children too. ALE never kills itself. */
    static void kill(Set<Integer> pids) {
        long self = ProcessHandle.current().pid();
        for (int pid : pids) {
            if (pid != self) ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Kills whatever is still listed until nothing is: a process that was joining the cgroup
     * while it was frozen, or that sat in only some v1 hierarchies, is caught on a later round.
     */
    static void killUntilEmpty(Supplier<Set<Integer>> pids, String cgroup) {
        long deadline = System.nanoTime() + EMPTY_WAIT.toNanos();
        Duration poll = FIRST_POLL;
        while (true) {
            Set<Integer> left = pids.get();
            if (left.isEmpty()) return;
            if (System.nanoTime() > deadline) {
                throw new SandboxException(Fault.ENVIRONMENT, "processes " + left + " are still in cgroup " + cgroup
                        + " " + EMPTY_WAIT.toSeconds() + " s after SIGKILL; look for processes stuck in"
                        + " uninterruptible sleep (state D in /proc/PID/status) and remove the cgroup once they are gone");
            }
            kill(left);
            pause(poll);
            poll = next(poll);
        }
    }

    /** Polls until the condition holds or the time is up; says which. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration poll = FIRST_POLL;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            pause(poll);
            poll = next(poll);
        }
        return true;
    }

    private static Duration next(Duration poll) {
        Duration doubled = poll.multipliedBy(2);
        return doubled.compareTo(POLL) > 0 ? POLL : doubled;
    }

    static void pause(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException(Fault.ENVIRONMENT, "interrupted while waiting for a cgroup", e);
        }
    }
}
