package dev.ale.core.sandbox;

import java.util.Objects;

/**
 * A file a sandbox's process runs (its executable, or the script an interpreter was given), as the
 * host read it through the process itself: what identifies it on disk and its first bytes.
 *
 * @param path     the file as the process sees it
 * @param identity device, inode, modification time and size: the same string means the same content on disk
 * @param size     its whole size; {@code head} may hold less
 * @param head     its first bytes, at most what was asked for
 */
public record RunFile(String path, String identity, long size, byte[] head) {

    public RunFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(identity, "identity");
        head = head.clone();
    }

    @Override
    public byte[] head() {
        return head.clone();
    }
}
