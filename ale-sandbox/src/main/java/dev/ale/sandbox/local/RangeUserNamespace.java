package dev.ale.sandbox.local;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The user namespace of a sandbox that is root inside: ids 0..n-1 inside are the sandbox's own
 * host range {@code base..base+n-1}, as rootless containers map their subordinate ids. Bubblewrap
 * run by an unprivileged uid can only map that one uid, so ALE (root on the host) makes the
 * namespace, writes both maps, and keeps it alive as a bind mount of its nsfs file that every
 * bubblewrap of the sandbox enters ({@code --userns}) and that its idmapped layers take their map from.
 *
 * <p>The namespace is owned by the host id of the user the sandbox runs as (root inside: the
 * range's first uid), the uid bubblewrap runs as on the host: only a process of that uid outside
 * it (ALE's launcher) may enter it. Its own limit on user
 * namespaces is set to 0, which is what bubblewrap's {@code --disable-userns} would do (that option
 * needs a namespace bubblewrap makes itself); the seccomp filter refuses making one anyway.
 * setgroups stays allowed: {@code su} and apt's sandbox user need it, and every group it could
 * take is the sandbox's own.
 */
final class RangeUserNamespace {

    /*
     * Waits for its maps (written from outside), forbids nested user namespaces (CAP_SYS_RESOURCE there, which it
     * holds whatever uid it is inside: unshare --keep-caps makes the capabilities it got with the namespace ambient, so
     * they survive the exec of this shell), says so, then only holds the namespace until killed. Its capabilities are
     * the namespace owner's anyway (its host uid is the owner), and reach nothing outside the namespace.
     */
    private static final String HOLD = "read go && echo 0 > /proc/sys/user/max_user_namespaces && echo limited && exec sleep 60";

    private static final System.Logger LOG = System.getLogger(RangeUserNamespace.class.getName());
    private static final int LIMIT_ATTEMPTS = 4;

    private RangeUserNamespace() {
    }

    /**
     * Makes the namespace mapping {@code count} ids from {@code hostBase} and binds it at {@code file}, owned by the host id
     * of {@code uid} inside (with {@code gid}): the user bubblewrap runs as, which enters it already as that user (bubblewrap
     * cannot switch to a user and a group of its own: it drops its capabilities with the uid before it sets the gid).
     */
    static void make(Path file, int hostBase, int count, int uid, int gid) throws IOException {
        for (int attempt = 1; ; attempt++) {
            Optional<String> refused = attempt(file, hostBase, count, uid, gid);
            if (refused.isEmpty()) return;
            // with namespaces made and ended at once, this kernel (6.18) now and then refuses the limit (EACCES) to a
            // holder that has every capability in its namespace (its CapEff is full), and keeps refusing that holder;
            // a new namespace takes it. Nothing of the refused one is left (its holder is killed, its file removed).
            if (attempt == LIMIT_ATTEMPTS) {
                throw new SandboxException(Fault.ENVIRONMENT, "the user namespace of a sandbox's uid range could not forbid nested ones ("
                        + LIMIT_ATTEMPTS + " namespaces tried): " + refused.get());
            }
            LOG.log(System.Logger.Level.WARNING, "a sandbox's user namespace refused its limit on nested ones (" + refused.get()
                    + "); making a new one, attempt " + (attempt + 1) + " of " + LIMIT_ATTEMPTS);
        }
    }

    /** One namespace made, limited and bound at {@code file}; or, when its limit was refused, what its shell said (nothing left). */
    private static Optional<String> attempt(Path file, int hostBase, int count, int uid, int gid) throws IOException {
        // the holder sets the namespace's own limit: a sysctl of user.* is the writer's namespace's, so only a process inside
        // can set it, and this one is already there (no nsenter to start), root there or not
        Process holder = new ProcessBuilder("setpriv", "--reuid=" + (hostBase + uid), "--regid=" + (hostBase + gid), "--clear-groups",
                "--inh-caps=-all", "--", "unshare", "--user", "--keep-caps", "--", "/bin/sh", "-c", HOLD).redirectErrorStream(true).start();
        try {
            Path proc = Path.of("/proc", String.valueOf(holder.pid()));
            awaitOwnNamespace(holder, proc.resolve("ns/user"));
            String map = "0 " + hostBase + " " + count + "\n";
            Files.writeString(proc.resolve("uid_map"), map, StandardCharsets.US_ASCII);
            Files.writeString(proc.resolve("gid_map"), map, StandardCharsets.US_ASCII);
            holder.getOutputStream().write('\n');
            holder.getOutputStream().flush();
            String said = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (!"limited".equals(said)) {
                remove(file);
                return Optional.of(String.valueOf(said));
            }
            Files.deleteIfExists(file);
            Files.createFile(file);
            IdmappedLayers.bind(proc.resolve("ns/user"), file);
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            remove(file);
            throw e;
        } finally {
            holder.destroyForcibly();
            try {
                holder.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Unbinds and deletes the namespace's file (the namespace ends with its last process and mount); returns what failed. */
    static List<String> remove(Path file) {
        List<String> problems = new ArrayList<>();
        if (HostCommands.isMountPoint(file)) IdmappedLayers.umount(file).ifPresent(problems::add);
        if (problems.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                problems.add("cannot delete " + file + ": " + e.getMessage());
            }
        }
        return problems;
    }

    private static void awaitOwnNamespace(Process holder, Path ns) throws IOException {
        String mine = Files.readSymbolicLink(Path.of("/proc/self/ns/user")).toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            String theirs;
            try {
                theirs = Files.readSymbolicLink(ns).toString();
            } catch (IOException e) {
                theirs = mine;
            }
            if (!theirs.equals(mine)) return;
            if (!holder.isAlive() || System.nanoTime() > deadline) {
                throw new SandboxException(Fault.ENVIRONMENT, "unshare --user did not make a user namespace for a sandbox's uid range");
            }
            Thread.onSpinWait();
        }
    }
}
