package dev.ale.containment;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.AleException;
import dev.ale.monitor.Watch;
import dev.ale.monitor.hold.ApprovedAct;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * The sandbox's files as the agent's file tools reach them: each operation is judged like a
 * command that names its path first, so a read or write of a protected path raises the same
 * event (and, where the passport says block or kill, is refused; where it says hold, waits for an
 * operator) as {@code cat} of it would.
 */
final class GuardedFiles implements SandboxFiles {

    private final SandboxFiles files;
    private final Watch watch;
    /** Waits out a held operation: the event that refuses it when denied, or what the operator approved. */
    private final Function<List<SafetyEvent>, GuardedSandbox.HoldOutcome> holds;

    GuardedFiles(SandboxFiles files, Watch watch, Function<List<SafetyEvent>, GuardedSandbox.HoldOutcome> holds) {
        this.files = files;
        this.watch = watch;
        this.holds = holds;
    }

    @Override
    public byte[] read(String path) {
        check("read_file", path);
        return files.read(path);
    }

    @Override
    public void write(String path, byte[] content) {
        ApprovedAct named = check("write_file", path);
        ApprovedAct written = refuseIfForbidden("write_file", path, watch.checkWrittenFile(path, content));
        approved(named.isNone() ? written : named, () -> files.write(path, content));
    }

    @Override
    public void upload(Path hostPath, String sandboxPath) {
        approved(check("upload", sandboxPath), () -> files.upload(hostPath, sandboxPath));
    }

    @Override
    public void download(String sandboxPath, Path hostFile) {
        check("download", sandboxPath);
        files.download(sandboxPath, hostFile);
    }

    @Override
    public List<FileEntry> list(String directory) {
        check("list_dir", directory);
        return files.list(directory);
    }

    /**
     * Runs an operation an operator may have approved at its hold: a write to a protected path the
     * operator allowed is not tampering, and what it wrote is sealed as the path's content from then on.
     */
    private void approved(ApprovedAct act, Runnable operation) {
        if (act.isNone()) {
            operation.run();
            return;
        }
        watch.approvedActStarted(act);
        try {
            operation.run();
        } finally {
            watch.approvedActEnded();
        }
    }

    private ApprovedAct check(String operation, String path) {
        return refuseIfForbidden(operation, path, watch.checkCommand(List.of(operation, path)));
    }

    private ApprovedAct refuseIfForbidden(String operation, String path, List<SafetyEvent> verdict) {
        if (Watch.forbids(verdict)) {
            SafetyEvent decisive = GuardedSandbox.decisive(verdict);
            throw new SandboxException(AleException.Fault.INPUT, operation + " " + path + " refused by rule " + decisive.rule()
                    + ": " + decisive.detail());
        }
        GuardedSandbox.HoldOutcome outcome = holds.apply(verdict);
        if (outcome.refusal().isPresent()) {
            SafetyEvent denied = outcome.refusal().get();
            throw new SandboxException(AleException.Fault.INPUT, operation + " " + path + " refused by rule " + denied.rule()
                    + ": " + denied.detail());
        }
        return outcome.approved();
    }
}
