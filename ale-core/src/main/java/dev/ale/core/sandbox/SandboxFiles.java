package dev.ale.core.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * Files of a sandbox, with no more reach than the agent has: every operation runs inside the
 * sandbox as its user, on paths under /workspace or /tmp. A path (or symlink) that leads
 * elsewhere is refused.
 */
public interface SandboxFiles {

    byte[] read(String path);

    /** Writes the whole file, making missing parent directories. */
    void write(String path, byte[] content);

    /** Copies a host file or directory tree into the sandbox at {@code sandboxPath}. */
    void upload(Path hostPath, String sandboxPath);

    /** Copies a sandbox file to a host file. */
    void download(String sandboxPath, Path hostFile);

    List<FileEntry> list(String directory);

    record FileEntry(String name, Type type, long size) {
        public enum Type { FILE, DIRECTORY, SYMLINK, OTHER }
    }
}
