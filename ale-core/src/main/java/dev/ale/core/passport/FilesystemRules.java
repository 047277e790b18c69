package dev.ale.core.passport;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What the sandbox sees of a filesystem. {@code rootfs} is the read-only base (empty: the host
 * root); {@code image} names an OCI image to root the sandbox in instead (docs/images.md).
 * {@code hidden} lists paths that must not exist inside; they are added to
 * {@link #DEFAULT_HIDDEN}, never replace it. A component may be the glob {@code *}.
 */
public record FilesystemRules(Optional<Path> rootfs, List<String> hidden, List<ReadOnlyBind> readOnly, Optional<String> image) {

    /** Hidden in every sandbox whatever the passport says. */
    public static final List<String> DEFAULT_HIDDEN = List.of(
            "/root",
            "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-",
            "/etc/sudoers", "/etc/sudoers.d",
            "/etc/ssh/ssh_host_*_key",
            "/home/*/.ssh",
            "/home/*/.aws", "/home/*/.azure", "/home/*/.kube", "/home/*/.docker",
            "/home/*/.config/gcloud", "/home/*/.gnupg", "/home/*/.netrc",
            "/var/run/secrets", "/run/secrets");

    public FilesystemRules {
        rootfs = rootfs == null ? Optional.empty() : rootfs;
        hidden = List.copyOf(hidden);
        readOnly = List.copyOf(readOnly);
        image = image == null ? Optional.empty() : image;
        if (rootfs.isPresent() && image.isPresent()) throw new IllegalArgumentException("a sandbox root is a rootfs or an image, not both");
    }

    public FilesystemRules(Optional<Path> rootfs, List<String> hidden, List<ReadOnlyBind> readOnly) {
        this(rootfs, hidden, readOnly, Optional.empty());
    }

    /** The same rules with the sandbox rooted in {@code reference} (an image name) instead of a rootfs. */
    public FilesystemRules withImage(String reference) {
        return new FilesystemRules(Optional.empty(), hidden, readOnly, Optional.of(reference));
    }

    public static FilesystemRules defaults() {
        return new FilesystemRules(Optional.empty(), List.of(), List.of());
    }

    /** A host path made visible, read-only, at {@code target} inside the sandbox. */
    public record ReadOnlyBind(Path source, Path target) {
    }
}
