package dev.ale.sandbox.local;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An image's layers as the lower layers of a sandbox that is root inside: each layer is bound
 * read-only under the sandbox's directory through an idmapped mount with the map of the sandbox's
 * own user namespace, so an id k on disk shows as the k-th id of the sandbox's host range. Inside,
 * where that range is 0..n-1, the image's files belong to whom the image says (root's to root,
 * 1000's to 1000), and root's capabilities in the sandbox's namespace reach them; its writes are
 * copied up into its own upper layer, owned by its range on the host. An id beyond the range
 * shows as nobody's. The layers themselves are never written.
 */
final class IdmappedLayers {

    private static final int AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int OPEN_TREE_CLONE = 1;
    private static final int OPEN_TREE_CLOEXEC = 02000000;
    private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    private static final long MOUNT_ATTR_RDONLY = 0x1;
    private static final long MOUNT_ATTR_NOSUID = 0x2;
    private static final long MOUNT_ATTR_NODEV = 0x4;
    private static final long MOUNT_ATTR_IDMAP = 0x100000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle OPEN_TREE = syscall(428, "open_tree",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle MOUNT_SETATTR = syscall(442, "mount_setattr",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle MOVE_MOUNT = syscall(429, "move_mount",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final int MNT_DETACH = 2;
    private static final int FSOPEN_CLOEXEC = 1;
    private static final int FSCONFIG_SET_STRING = 1;
    private static final int FSCONFIG_CMD_CREATE = 6;
    private static final int FSMOUNT_CLOEXEC = 1;
    private static final int O_PATH_DIRECTORY_CLOEXEC = 010000000 | 0200000 | 02000000;
    private static final long MS_PRIVATE = 1 << 18;
    private static final MethodHandle FSOPEN = syscall(430, "fsopen", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle FSCONFIG = syscall(431, "fsconfig", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle FSMOUNT = syscall(432, "fsmount", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle UMOUNT2 = handle("umount2", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle OPEN = handle("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private IdmappedLayers() {
    }

    /** Where a sandbox's idmapped layers are mounted, one directory per layer, named as the layer's own directory. */
    static Path dir(Path sandboxDir) {
        return sandboxDir.resolve("lower");
    }

    /**
     * Mounts each layer idmapped through the sandbox's user namespace (the nsfs file {@code userns}:
     * an on-disk id k shows as the k-th id of the sandbox's host range) under {@link #dir}; returns
     * the mount points in the order given. On failure, what was mounted is unmounted again.
     */
    static List<Path> mount(Path sandboxDir, List<Path> layers, Path userns) throws IOException {
        Path lower = dir(sandboxDir);
        Files.createDirectories(lower);
        Files.setPosixFilePermissions(lower, PosixFilePermissions.fromString("rwx--x--x"));
        List<Path> made = new ArrayList<>();
        try {
            int fd = open(userns.toString());
            try {
                for (Path layer : layers) {
                    Path target = lower.resolve(layer.getFileName().toString());
                    Files.createDirectories(target);
                    bindIdmapped(layer, target, fd);
                    made.add(target);
                }
            } finally {
                close(fd);
            }
            return List.copyOf(made);
        } catch (IOException | RuntimeException e) {
            unmount(sandboxDir);
            throw e;
        }
    }

    /** Unmounts every idmapped layer of a sandbox; returns what could not be unmounted. */
    static List<String> unmount(Path sandboxDir) {
        List<String> problems = new ArrayList<>();
        Path lower = dir(sandboxDir);
        if (!Files.isDirectory(lower)) return problems;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(lower)) {
            for (Path d : dirs) {
                if (!HostCommands.isMountPoint(d)) continue;
                umount(d).ifPresent(problems::add);
            }
        } catch (IOException e) {
            problems.add("cannot list " + lower + ": " + e.getMessage());
        }
        return problems;
    }

    /**
     * Mounts an overlay at {@code target} (nosuid, nodev, private) by fsopen/fsconfig/fsmount/move_mount, no {@code mount}
     * process: {@code lower} (top first), {@code upper} and {@code work} are paths relative to {@code dir}, named through
     * {@code /proc/self/fd/N} of an fd on it, so the options a sandbox reads in its mount table name no host path of ALE's.
     * Without an upper directory (and work directory) the overlay is read-only.
     */
    static void mountOverlay(String source, Path dir, List<String> lower, Optional<String> upper, Optional<String> work, Path target)
            throws IOException {
        if (!classicOverlayOnly) {
            try {
                mountOverlayByFsconfig(source, dir, lower, upper, work, target);
                return;
            } catch (LowerdirPlusUnknown e) {
                // overlayfs before Linux 6.8 has no lowerdir+: mount(2) with the layers in one option string, from now on once that works
                mountOverlayClassic(source, dir, lower, upper, work, target);
                classicOverlayOnly = true;
                return;
            }
        }
        mountOverlayClassic(source, dir, lower, upper, work, target);
    }

    /** Set once the kernel refused {@code lowerdir+} (overlayfs before 6.8); a test sets it to run the classic path here. */
    static volatile boolean classicOverlayOnly;

    /** The kernel's overlayfs has no {@code lowerdir+} key. */
    private static final class LowerdirPlusUnknown extends IOException {
        private static final long serialVersionUID = 1L;

        LowerdirPlusUnknown(String message) {
            super(message);
        }
    }

    private static final int EINVAL = 22;
    private static final long MS_RDONLY = 1;
    private static final long MS_NOSUID = 2;
    private static final long MS_NODEV = 4;
    /** mount(2)'s option string is one page. */
    private static final int MOUNT_DATA_MAX = 4095;
    private static final MethodHandle MOUNT = handle("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));

    /**
     * The same overlay through mount(2), for kernels whose overlayfs takes its lower layers only as one
     * {@code lowerdir=a:b:c} string: that string is limited to a page, so an image of very many layers is refused there.
     */
    private static void mountOverlayClassic(String source, Path dir, List<String> lower, Optional<String> upper, Optional<String> work,
            Path target) throws IOException {
        int dfd = open(dir.toString(), O_PATH_DIRECTORY_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            String base = "/proc/self/fd/" + dfd + "/";
            StringBuilder data = new StringBuilder("lowerdir=");
            for (int i = 0; i < lower.size(); i++) {
                String l = lower.get(i);
                if (l.contains(":") || l.contains(",")) throw new IOException("overlay layer name " + l + " holds ':' or ','");
                data.append(i == 0 ? "" : ":").append(base).append(l);
            }
            upper.ifPresent(u -> data.append(",upperdir=").append(base).append(u));
            work.ifPresent(w -> data.append(",workdir=").append(base).append(w));
            if (data.length() > MOUNT_DATA_MAX) {
                throw new IOException("an overlay of " + lower.size() + " layers needs Linux 6.8 or later (this kernel takes at most "
                        + MOUNT_DATA_MAX + " bytes of layer names; these need " + data.length() + ")");
            }
            MemorySegment state = arena.allocate(CAPTURE);
            long flags = MS_NOSUID | MS_NODEV | (upper.isEmpty() ? MS_RDONLY : 0);
            int rc = (int) MOUNT.invokeExact(state, arena.allocateFrom(source), arena.allocateFrom(target.toString()),
                    arena.allocateFrom("overlay"), flags, arena.allocateFrom(data.toString()));
            if (rc != 0) throw new IOException("overlay of " + lower.size() + " layers at " + target + ": errno " + (int) ERRNO.get(state, 0L));
            rc = (int) MOUNT.invokeExact(state, MemorySegment.NULL, arena.allocateFrom(target.toString()), MemorySegment.NULL, MS_PRIVATE,
                    MemorySegment.NULL);
            if (rc != 0) {
                int errno = (int) ERRNO.get(state, 0L);
                umount(target);
                throw new IOException("making " + target + " private: errno " + errno);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("overlay mount at " + target + ": " + t, t);
        } finally {
            close(dfd);
        }
    }

    private static void mountOverlayByFsconfig(String source, Path dir, List<String> lower, Optional<String> upper, Optional<String> work,
            Path target) throws IOException {
        int dfd = open(dir.toString(), O_PATH_DIRECTORY_CLOEXEC);
        try (Arena arena = Arena.ofConfined()) {
            String base = "/proc/self/fd/" + dfd + "/";
            MemorySegment state = arena.allocate(CAPTURE);
            int fs = (int) FSOPEN.invokeExact(state, arena.allocateFrom("overlay"), FSOPEN_CLOEXEC);
            if (fs < 0) throw new IOException("fsopen overlay: errno " + (int) ERRNO.get(state, 0L));
            try {
                // one lowerdir+ per layer, top first (an fsconfig string holds at most 256 bytes; overlayfs has lowerdir+ since 6.8)
                List<String[]> options = new ArrayList<>();
                options.add(new String[] {"source", source});
                for (String l : lower) options.add(new String[] {"lowerdir+", base + l});
                upper.ifPresent(u -> options.add(new String[] {"upperdir", base + u}));
                work.ifPresent(w -> options.add(new String[] {"workdir", base + w}));
                for (String[] o : options) {
                    int rc = (int) FSCONFIG.invokeExact(state, fs, FSCONFIG_SET_STRING, arena.allocateFrom(o[0]), arena.allocateFrom(o[1]), 0);
                    if (rc != 0) {
                        int errno = (int) ERRNO.get(state, 0L);
                        if (errno == EINVAL && o[0].equals("lowerdir+")) throw new LowerdirPlusUnknown("overlayfs has no lowerdir+");
                        throw new IOException("overlay option " + o[0] + "=" + o[1] + ": errno " + errno);
                    }
                }
                int rc = (int) FSCONFIG.invokeExact(state, fs, FSCONFIG_CMD_CREATE, MemorySegment.NULL, MemorySegment.NULL, 0);
                if (rc != 0) {
                    int errno = (int) ERRNO.get(state, 0L);
                    // before 6.5, overlayfs took fsconfig's keys as legacy options and refuses the unknown one only here
                    if (errno == EINVAL && !lower.isEmpty()) throw new LowerdirPlusUnknown("overlayfs refused lowerdir+ at create");
                    throw new IOException("overlay of " + lower.size() + " layers: errno " + errno);
                }
                long attrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | (upper.isEmpty() ? MOUNT_ATTR_RDONLY : 0);
                int mnt = (int) FSMOUNT.invokeExact(state, fs, FSMOUNT_CLOEXEC, (int) attrs);
                if (mnt < 0) throw new IOException("fsmount overlay: errno " + (int) ERRNO.get(state, 0L));
                try {
                    rc = (int) MOVE_MOUNT.invokeExact(state, mnt, arena.allocateFrom(""), AT_FDCWD, arena.allocateFrom(target.toString()),
                            MOVE_MOUNT_F_EMPTY_PATH);
                    if (rc != 0) throw new IOException("move_mount to " + target + ": errno " + (int) ERRNO.get(state, 0L));
                } finally {
                    close(mnt);
                }
                // private, as `mount --make-private` made it: nothing mounted below it propagates anywhere
                MemorySegment attr = arena.allocate(32, 8);
                attr.set(ValueLayout.JAVA_LONG, 16, MS_PRIVATE);
                rc = (int) MOUNT_SETATTR.invokeExact(state, AT_FDCWD, arena.allocateFrom(target.toString()), 0, attr, 32L);
                if (rc != 0) {
                    umount(target);
                    throw new IOException("making " + target + " private: errno " + (int) ERRNO.get(state, 0L));
                }
            } finally {
                close(fs);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("overlay mount at " + target + ": " + t, t);
        } finally {
            close(dfd);
        }
    }

    /**
     * A bind mount of {@code source} (a file or directory; a namespace's nsfs file too) on {@code target}, made
     * through the same calls as the idmapped ones, without starting a {@code mount} process.
     */
    static void bind(Path source, Path target) throws IOException {
        attach(source, target, OptionalInt.empty());
    }

    /**
     * Unmounts {@code target} by umount2(2), detached if it is busy (no umount process per layer at every
     * destroy); says why when it is still mounted after.
     */
    static Optional<String> umount(Path target) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()), 0);
            if (rc != 0) rc = (int) UMOUNT2.invokeExact(state, arena.allocateFrom(target.toString()), MNT_DETACH);
            if (rc == 0 || !HostCommands.isMountPoint(target)) return Optional.empty();
            return Optional.of("umount " + target + ": errno " + (int) ERRNO.get(state, 0L));
        } catch (Throwable t) {
            return Optional.of("umount " + target + ": " + t);
        }
    }

    private static void bindIdmapped(Path source, Path target, int userns) throws IOException {
        attach(source, target, OptionalInt.of(userns));
    }

    /** A clone of {@code source}'s mount tree moved onto {@code target}; read-only and idmapped through {@code userns} when given. */
    private static void attach(Path source, Path target, OptionalInt userns) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int tree = (int) OPEN_TREE.invokeExact(state, AT_FDCWD, arena.allocateFrom(source.toString()), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
            if (tree < 0) throw new IOException("open_tree " + source + ": errno " + (int) ERRNO.get(state, 0L));
            try {
                if (userns.isPresent()) {
                    // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }
                    MemorySegment attr = arena.allocate(32, 8);
                    attr.set(ValueLayout.JAVA_LONG, 0, MOUNT_ATTR_IDMAP | MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
                    attr.set(ValueLayout.JAVA_LONG, 24, userns.getAsInt());
                    int rc = (int) MOUNT_SETATTR.invokeExact(state, tree, arena.allocateFrom(""), AT_EMPTY_PATH, attr, 32L);
                    if (rc != 0) throw new IOException("mount_setattr (idmap) on " + source + ": errno " + (int) ERRNO.get(state, 0L));
                }
                int rc = (int) MOVE_MOUNT.invokeExact(state, tree, arena.allocateFrom(""), AT_FDCWD, arena.allocateFrom(target.toString()),
                        MOVE_MOUNT_F_EMPTY_PATH);
                if (rc != 0) throw new IOException("move_mount to " + target + ": errno " + (int) ERRNO.get(state, 0L));
            } finally {
                close(tree);
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException((userns.isPresent() ? "idmapped mount of " : "bind of ") + source + ": " + t, t);
        }
    }

    private static int open(String path) throws IOException {
        return open(path, 02000000 /* O_RDONLY | O_CLOEXEC */);
    }

    private static int open(String path, int flags) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
            if (fd < 0) throw new IOException("open " + path + ": errno " + (int) ERRNO.get(state, 0L));
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("open " + path + ": " + t, t);
        }
    }

    private static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CAPTURE), fd);
        } catch (Throwable t) {
            // closing an fd we opened cannot fail in a way worth more than the fd
        }
    }

    /**
     * A system call through libc's {@code syscall}, shaped as {@code fd} (int result, the capture segment first): glibc
     * wraps the new mount API only from 2.36 (Ubuntu 22.04 has 2.35), while the kernel has it since 5.2. The numbers are
     * the same on x86_64 and aarch64 (the shared table new calls get). Every int argument travels as a sign-extended long.
     */
    // the mount API has no Java API; the launcher and surefire grant native access
    @SuppressWarnings("restricted")
    private static MethodHandle syscall(long number, String name, FunctionDescriptor fd) {
        List<MemoryLayout> args = new ArrayList<>(List.of(ValueLayout.JAVA_LONG));
        for (MemoryLayout l : fd.argumentLayouts()) args.add(l.equals(ValueLayout.JAVA_INT) ? ValueLayout.JAVA_LONG : l);
        MethodHandle raw = LINKER.downcallHandle(LINKER.defaultLookup().find("syscall").orElseThrow(() -> new IllegalStateException(
                "libc has no syscall (for " + name + ")")), FunctionDescriptor.of(ValueLayout.JAVA_LONG, args.toArray(MemoryLayout[]::new)),
                Linker.Option.firstVariadicArg(1), Linker.Option.captureCallState("errno"));
        MethodHandle bound = MethodHandles.insertArguments(raw, 1, number);
        return MethodHandles.explicitCastArguments(bound, fd.toMethodType().insertParameterTypes(0, MemorySegment.class));
    }

    @SuppressWarnings("restricted")
    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)),
                fd, Linker.Option.captureCallState("errno"));
    }
}
