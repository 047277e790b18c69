package dev.ale.sandbox.local;

import java.nio.file.Path;

/** Where a sandbox lives on the host: {@code <data>/sandboxes/<id>/} and its network namespace. */
record SandboxPaths(Path dir) {

    Path stateFile() {
        return dir.resolve("state.json");
    }

    /** The tmpfs mount that holds /workspace and /tmp (one size cap for both). */
    Path fs() {
        return dir.resolve("fs");
    }

    Path workspace() {
        return fs().resolve("workspace");
    }

    Path tmp() {
        return fs().resolve("tmp");
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

    /** The sandbox's /etc/resolv.conf when its network names a DNS server (bound read-only inside). */
    Path hosts() {
        return dir.resolve("hosts");
    }

    Path resolvConf() {
        return dir.resolve("resolv.conf");
    }

    String netnsName() {
        return "ale-" + dir.getFileName();
    }

    Path netnsFile() {
        return Path.of("/run/netns", netnsName());
    }
}
