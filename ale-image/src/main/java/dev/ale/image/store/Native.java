package dev.ale.image.store;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The two system calls Java has no API for, both needed to turn OCI whiteouts into overlayfs
 * ones: a character device 0:0 (a deleted file) and the {@code trusted.overlay.opaque} xattr (a
 * directory that hides what lower layers hold). Called through the FFM API rather than one
 * {@code mknod} process per whiteout: a Debian image has hundreds.
 */
final class Native {

    private static final int S_IFCHR = 0020000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MKNOD = handle("mknod",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
    private static final MethodHandle LSETXATTR = handle("lsetxattr",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private static final MethodHandle LGETXATTR = handle("lgetxattr",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG));
    private static final int ENODATA = 61;

    private Native() {
    }

    /** An overlayfs whiteout: a character device with device number 0:0, mode 0. */
    static void whiteout(Path path) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            int rc = (int) MKNOD.invokeExact(state, arena.allocateFrom(path.toString()), S_IFCHR, 0L);
            if (rc != 0) throw new IOException("mknod " + path + ": errno " + (int) ERRNO.get(state, 0L));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("mknod " + path + ": " + t, t);
        }
    }

    /** Marks a directory opaque to overlayfs: lower layers' entries under it do not show. */
    static void opaque(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment value = arena.allocateFrom("y");
            int rc = (int) LSETXATTR.invokeExact(state, arena.allocateFrom(dir.toString()),
                    arena.allocateFrom("trusted.overlay.opaque"), value, 1L, 0);
            if (rc != 0) throw new IOException("setxattr trusted.overlay.opaque on " + dir + ": errno " + (int) ERRNO.get(state, 0L));
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("setxattr " + dir + ": " + t, t);
        }
    }

    /** Whether overlayfs marked {@code dir} opaque (it was removed and made again over a lower one). */
    static boolean isOpaque(Path dir) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CAPTURE);
            MemorySegment value = arena.allocate(8);
            long n = (long) LGETXATTR.invokeExact(state, arena.allocateFrom(dir.toString()),
                    arena.allocateFrom("trusted.overlay.opaque"), value, 8L);
            if (n < 0) {
                int errno = (int) ERRNO.get(state, 0L);
                if (errno == ENODATA) return false;
                throw new IOException("getxattr trusted.overlay.opaque on " + dir + ": errno " + errno);
            }
            return n >= 1 && value.get(ValueLayout.JAVA_BYTE, 0) == 'y';
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("getxattr " + dir + ": " + t, t);
        }
    }

    // mknod and lsetxattr have no Java API; the launcher and surefire grant native access (--enable-native-access)
    @SuppressWarnings("restricted")
    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(() -> new IllegalStateException("libc has no " + name)),
                fd, Linker.Option.captureCallState("errno"));
    }
}
