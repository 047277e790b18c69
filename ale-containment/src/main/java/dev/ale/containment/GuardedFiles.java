package dev.ale.containment;

import dev.ale.core.event.SafetyEvent;
import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.AleException;
import dev.ale.monitor.Watch;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
    /** Waits out a held operation; the event that refuses it when it is denied. */
    private final Function<List<SafetyEvent>, Optional<SafetyEvent>> holds;

    GuardedFiles(SandboxFiles files, Watch watch, Function<List<SafetyEvent>, Optional<SafetyEvent>> holds) {
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
        check("write_file", path);
        refuseIfForbidden("write_file", path, watch.checkWrittenFile(path, content));
        files.write(path, content);
    }

    @Override
    public void upload(Path hostPath, String sandboxPath) {
        check("upload", sandboxPath);
        files.upload(hostPath, sandboxPath);
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

    private void check(String operation, String path) {
        refuseIfForbidden(operation, path, watch.checkCommand(List.of(operation, path)));
    }

    private void refuseIfForbidden(String operation, String path, List<SafetyEvent> verdict) {
        if (Watch.forbids(verdict)) {
            SafetyEvent decisive = GuardedSandbox.decisive(verdict);
            throw new SandboxException(AleException.Fault.INPUT, operation + " " + path + " refused by rule " + decisive.rule()
                    + ": " + decisive.detail());
        }
        Optional<SafetyEvent> denied = holds.apply(verdict);
        if (denied.isPresent()) {
            throw new SandboxException(AleException.Fault.INPUT, operation + " " + path + " refused by rule " + denied.get().rule()
                    + ": " + denied.get().detail());
        }
    }
}
