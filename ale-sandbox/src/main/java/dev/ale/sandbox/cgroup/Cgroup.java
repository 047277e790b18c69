package dev.ale.sandbox.cgroup;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** One sandbox's cgroup, in every hierarchy (v1) or the one tree (v2). */
public interface Cgroup {

    String name();

    /** The {@code cgroup.procs} files a launcher writes its own pid to before it execs the sandbox. */
    List<Path> procsFiles();

    /** Host pids of every process in the cgroup. */
    Set<Integer> pids();

    CgroupUsage usage();

    /** Processes the kernel OOM-killed in this cgroup so far. */
    long oomKills();

    /** Forks refused so far because pids.max was reached. */
    long pidsLimitHits();

    /**
     * Stops every process in the cgroup where it is (the freezer), and waits (bounded) until the
     * kernel says the whole cgroup is frozen. A frozen process uses no CPU and can still be killed.
     */
    void freeze();

    /** Lets the processes of a frozen cgroup run on; nothing when it is not frozen. */
    void thaw();

    /** Whether the cgroup is frozen (or freezing) now. */
    boolean frozen();

    /** Freezes the cgroup, SIGKILLs every process in it, thaws it, and waits (bounded) until it is empty. */
    void killAll();

    /**
     * Like {@link #killAll} without waiting for the killed to be reaped: once it returns, no process
     * of the cgroup runs another instruction. When the freeze did not complete (a task in
     * uninterruptible sleep), a fork could slip past the kill, so it then waits as killAll does.
     */
    void killAllWithoutWaiting();

    /** Removes the cgroup directories; kills what is left first. Idempotent. */
    void remove();
}
