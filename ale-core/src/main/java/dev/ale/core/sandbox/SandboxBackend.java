package dev.ale.core.sandbox;

import java.util.List;
import java.util.Optional;

/**
 * Where sandboxes come from: the local bubblewrap backend, or a cluster. A backend owns the
 * sandboxes it creates; {@link #close()} destroys every one that is not detached.
 */
public interface SandboxBackend extends AutoCloseable {

    /** A short name for messages and metrics, e.g. {@code local}. */
    String name();

    /** Makes a fresh sandbox; nothing of it is left behind if this throws. */
    Sandbox create(SandboxRequest request);

    /** A sandbox of this backend by id, also one made by an earlier ALE process if it is detached. */
    Optional<Sandbox> find(String id);

    List<SandboxInfo> list();

    /** Destroys a sandbox by id, also one made by an earlier ALE process; fails if there is none. */
    void remove(String id);

    /**
     * Removes what dead ALE processes left behind (their sandboxes' processes, namespaces,
     * cgroups, mounts) and detached sandboxes past their wall time.
     */
    GarbageReport collectGarbage();

    @Override
    void close();
}
