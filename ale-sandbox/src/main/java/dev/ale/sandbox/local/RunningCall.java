package dev.ale.sandbox.local;

import java.time.Duration;

/** One command started in a sandbox, by either path: its own bubblewrap, or the sandbox's resident init. */
interface RunningCall {

    /** Waits up to {@code limit}; false when it is still running. */
    boolean waitFor(Duration limit);

    /** Kills the call's whole process tree. */
    void kill();

    /** The exit code once its output is drained (128 + signal when it was killed). */
    int finish();
}
