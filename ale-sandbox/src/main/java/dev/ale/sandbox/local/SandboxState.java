package dev.ale.sandbox.local;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What ALE wrote down about a sandbox, in {@code <data>/sandboxes/<id>/state.json}. It is
 * written before any kernel object of the sandbox exists, so whatever a crash leaves behind
 * is always findable by a later garbage collection. A {@code pooled} state is a warm pool's blank
 * (no sandbox yet): never listed or found, removed by gc once its ALE process is gone.
 */
record SandboxState(
        String id,
        int hostUid,
        String passportYaml,
        String passportId,
        long createdAtMillis,
        long expiresAtMillis,
        boolean detached,
        long ownerPid,
        long ownerStartMillis,
        String killReason,
        Map<String, String> labels,
        Map<String, String> networkEnv,
        Map<String, String> imageEnv,
        String imageWorkdir,
        Integer insideUid,
        Integer idCount,
        boolean pooled,
        Integer insideGid,
        List<Integer> groups) {

    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    SandboxState {
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        networkEnv = networkEnv == null ? Map.of() : Map.copyOf(networkEnv);
        imageEnv = imageEnv == null ? Map.of() : Map.copyOf(imageEnv);
        groups = groups == null ? List.of() : List.copyOf(groups);
    }

    /** With what an image's config gives every process: its {@code Env} and {@code WorkingDir} (the default cwd). */
    SandboxState withImage(Map<String, String> env, Optional<String> workdir) {
        return new SandboxState(id, hostUid, passportYaml, passportId, createdAtMillis, expiresAtMillis, detached,
                ownerPid, ownerStartMillis, killReason, labels, networkEnv, env, workdir.orElse(null), insideUid, idCount, pooled, insideGid, groups);
    }

    /**
     * The image's user inside (root, or whom its {@code User} names) and its supplementary groups; a state written
     * before these fields existed is the agent's, with none.
     */
    SandboxState withUser(ImageUser user) {
        return new SandboxState(id, hostUid, passportYaml, passportId, createdAtMillis, expiresAtMillis, detached,
                ownerPid, ownerStartMillis, killReason, labels, networkEnv, imageEnv, imageWorkdir, user.uid(), idCount, pooled, user.gid(),
                user.groups());
    }

    /** The gid inside: the image user's group; a state without one has the uid's. */
    int insideGidOrUid() {
        return insideGid == null ? insideUidOrAgent() : insideGid;
    }

    /** The host uid the user inside is: its id in the sandbox's range, or the sandbox's one uid. */
    int userHostUid() {
        return ownsRange() ? hostUid + insideUidOrAgent() : hostUid;
    }

    /** The host gid the user's group inside is. */
    int userHostGid() {
        return ownsRange() ? hostUid + insideGidOrUid() : hostUid;
    }

    /** The host gids of the user's supplementary groups (each in the sandbox's range); none outside an image. */
    List<Integer> userHostGroups() {
        return ownsRange() ? groups.stream().map(g -> hostUid + g).toList() : List.of();
    }

    int insideUidOrAgent() {
        return insideUid == null ? BwrapCommand.INSIDE_UID : insideUid;
    }

    /**
     * How many host ids the sandbox owns from {@link #hostUid} on: a range (mapped to 0..n-1 in a
     * user namespace ALE made) for root inside, else its one uid (a state written before ranges is one).
     */
    int idCountOrOne() {
        return idCount == null ? 1 : idCount;
    }

    /** Whether the sandbox runs in a user namespace of ALE's that maps its range, rather than one bubblewrap makes. */
    boolean ownsRange() {
        return idCountOrOne() > 1;
    }

    Optional<String> imageWorkdirOptional() {
        return Optional.ofNullable(imageWorkdir);
    }

    Optional<String> killReasonOptional() {
        return Optional.ofNullable(killReason);
    }

    /** What a listing shows; {@code destroyed} only the live object can know. */
    dev.ale.core.sandbox.SandboxInfo info(String backend, boolean destroyed) {
        var shown = destroyed ? dev.ale.core.sandbox.SandboxInfo.State.DESTROYED
                : killReason != null ? dev.ale.core.sandbox.SandboxInfo.State.KILLED : dev.ale.core.sandbox.SandboxInfo.State.RUNNING;
        return new dev.ale.core.sandbox.SandboxInfo(id, backend, passportId, java.time.Instant.ofEpochMilli(createdAtMillis),
                java.time.Instant.ofEpochMilli(expiresAtMillis), detached, shown, killReasonOptional(), labels);
    }

    SandboxState killed(String reason) {
        return new SandboxState(id, hostUid, passportYaml, passportId, createdAtMillis, expiresAtMillis, detached,
                ownerPid, ownerStartMillis, killReason == null ? reason : killReason, labels, networkEnv, imageEnv, imageWorkdir, insideUid, idCount,
                pooled, insideGid, groups);
    }

    /**
     * With the variables its network attachment gives every process (the proxy's address), so
     * that another ALE process that finds this sandbox starts its processes the same way.
     */
    SandboxState withNetworkEnv(Map<String, String> env) {
        return new SandboxState(id, hostUid, passportYaml, passportId, createdAtMillis, expiresAtMillis, detached,
                ownerPid, ownerStartMillis, killReason, labels, env, imageEnv, imageWorkdir, insideUid, idCount, pooled, insideGid, groups);
    }

    /** True when the ALE process that made this sandbox is gone (pid reused counts as gone). */
    boolean ownerIsGone() {
        return ProcessHandle.of(ownerPid)
                .flatMap(h -> h.info().startInstant())
                .map(start -> start.toEpochMilli() != ownerStartMillis)
                .orElse(true);
    }

    void write(Path file) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            JSON.writeValue(tmp.toFile(), this);
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new SandboxException(Fault.ENVIRONMENT, "cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static Optional<SandboxState> read(Path file) {
        try {
            return Optional.of(JSON.readValue(file.toFile(), SandboxState.class));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
