package dev.ale.sandbox.local;

import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.RunFile;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the files a sandbox's processes run, from the host, through each process's own
 * {@code /proc} links: its executable ({@code exe}, the inode it runs, whatever it is called now),
 * and a script it was given, under its root or working directory without following any link.
 * Every read checks that the pid still belongs to the same process (its start time).
 */
final class ProcessFiles {

    private final Path proc;

    ProcessFiles(Path proc) {
        this.proc = proc;
    }

    static ProcessFiles host() {
        return new ProcessFiles(Path.of("/proc"));
    }

    Optional<String> executableIdentity(ProcessSnapshot p) {
        Path exe = dir(p).resolve("exe");
        Optional<String> identity = identity(exe);
        return same(p) && stillRuns(p) ? identity : Optional.empty();
    }

    /**
     * The file the process runs when asked (the same pid, running what its snapshot names), read
     * through its {@code exe} link. The content is that of the file {@link RunFile#identity()} names
     * (bound to it when opened), which the process may have left since (ended, or exec'd
     * another): a caller judging the process compares that identity with {@link #executableIdentity}.
     */
    Optional<RunFile> executable(ProcessSnapshot p, int maxBytes) {
        if (p.exe().isEmpty() || !same(p) || !stillRuns(p)) return Optional.empty();
        return read(p, dir(p).resolve("exe"), p.exe().get(), maxBytes, true, false);
    }

    /**
     * Whether the process still runs the file its snapshot names: one that exec'd another since (a
     * shell's fork becoming the program it starts) would have that program's content judged under
     * the shell's name. The next sweep meets it under its own.
     */
    private boolean stillRuns(ProcessSnapshot p) {
        return p.exe().isPresent() && ProcessReader.exe(dir(p).resolve("exe")).equals(p.exe());
    }

    /** A script the process was given: {@code ..} only within an absolute path, and no link on the way. */
    Optional<RunFile> script(ProcessSnapshot p, String path, int maxBytes) {
        boolean absolute = path.startsWith("/");
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) continue;
            if (part.equals("..")) {
                if (!absolute) return Optional.empty(); // where the working directory's parent is, only the process knows
                if (!parts.isEmpty()) parts.removeLast();
                continue;
            }
            parts.add(part);
        }
        if (parts.isEmpty()) return Optional.empty();
        Path at = dir(p).resolve(absolute ? "root" : "cwd");
        for (String part : parts) {
            at = at.resolve(part);
            if (Files.isSymbolicLink(at)) return Optional.empty();
        }
        return read(p, at, path, maxBytes, false, true);
    }

    private Path dir(ProcessSnapshot p) {
        return proc.resolve(Long.toString(p.pid()));
    }

    /**
     * Reads {@code file}, bound to its identity when opened (the same just before and just after the
     * open) and unchanged while read where it can still be looked at. {@code sameAfter}: also empty
     * unless the pid is still the snapshot's process after the read; without it, a process that
     * ended during a long read (a compiler's 33 MB cc1) still gives what was read.
     */
    private Optional<RunFile> read(ProcessSnapshot p, Path file, String shown, int maxBytes, boolean follow, boolean sameAfter) {
        LinkOption[] links = follow ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        try {
            if (!Files.isRegularFile(file, links)) return Optional.empty();
            Optional<String> before = identity(file);
            long size = Files.readAttributes(file, BasicFileAttributes.class, links).size();
            byte[] head;
            // NOFOLLOW_LINKS opens with O_NOFOLLOW: a link swapped in after the check is refused, not followed
            OpenOption[] options = follow ? new OpenOption[] {StandardOpenOption.READ}
                    : new OpenOption[] {StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS};
            try (InputStream in = Channels.newInputStream(Files.newByteChannel(file, options))) {
                // what was opened is the file of `before` only if the link still names it now
                if (before.isEmpty() || !before.equals(identity(file))) return Optional.empty();
                head = in.readNBytes(Math.max(0, maxBytes));
            }
            Optional<String> after = identity(file);
            if (sameAfter && (!before.equals(after) || !same(p))) return Optional.empty();
            if (after.isPresent() && !before.equals(after)) return Optional.empty(); // changed while read (or exec'd another)
            return Optional.of(new RunFile(shown, before.get(), size, head));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // gone, or not readable: nothing to judge
        }
    }

    /** Device, inode, change and modification times and size: a file rewritten in place gets a new one. */
    private static Optional<String> identity(Path file) {
        try {
            Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,ctime,lastModifiedTime,size");
            return Optional.of(a.get("dev") + ":" + a.get("ino") + ":" + a.get("ctime") + ":" + a.get("lastModifiedTime") + ":" + a.get("size"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the pid is still the process of the snapshot, not a later one that reused it. */
    private boolean same(ProcessSnapshot p) {
        try {
            Optional<ProcessReader.Stat> stat = ProcessReader.Stat.parse(
                    Files.readString(dir(p).resolve("stat"), StandardCharsets.UTF_8));
            return stat.isPresent() && stat.get().startTicks() == p.startTicks();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
