package dev.ale.sandbox.local;

import java.nio.file.Path;

/** Where a sandbox lives on the host: {@code <data>/sandboxes/<id>/} and its network namespace. */
record SandboxPaths(Path dir) {

    Path stateFile() {
        return dir.resolve("state.json");
    }

    /** The tmpfs mount that holds /workspace, /tmp and /dev/shm (one size cap for all). */
    Path fs() {
        return dir.resolve("fs");
    }

    Path workspace() {
        return fs().resolve("workspace");
    }

    Path tmp() {
        return fs().resolve("tmp");
    }

    /** /dev/shm inside: on the same tmpfs, so shared memory counts against the same cap. */
    Path shm() {
        return fs().resolve("shm");
    }

    /**
     * /tests inside: the verifier's. Empty and owned by host root (nobody inside, so not even
     * root inside may write it) until the verify phase gives it to the sandbox's user.
     */
    Path tests() {
        return fs().resolve("tests");
    }

    /** An image sandbox's root: an overlay of the image's layers with its own upper layer on the tmpfs. */
    Path root() {
        return dir.resolve("root");
    }

    Path upper() {
        return fs().resolve("upper");
    }

    Path work() {
        return fs().resolve("work");
    }

    /**
     * The sandbox's own /etc files, bound read-only over the base's. They live on its tmpfs
     * (not in the data directory) so the mount table inside names no host path of ALE's.
     */
    Path etc() {
        return fs().resolve("etc");
    }

    Path passwd() {
        return etc().resolve("passwd");
    }

    Path group() {
        return etc().resolve("group");
    }

    Path hosts() {
        return etc().resolve("hosts");
    }

    /** The sandbox's /etc/resolv.conf when its network names a DNS server. */
    Path resolvConf() {
        return etc().resolve("resolv.conf");
    }

    /** The nsfs file of the user namespace ALE made for a root-inside sandbox's id range (a bind mount). */
    Path userns() {
        return dir.resolve("userns");
    }

    String netnsName() {
        return "ale-" + dir.getFileName();
    }

    Path netnsFile() {
        return Path.of("/run/netns", netnsName());
    }
}
