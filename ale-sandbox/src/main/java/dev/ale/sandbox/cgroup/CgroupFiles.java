package dev.ale.sandbox.cgroup;

import dev.ale.core.AleException.Fault;
import dev.ale.core.sandbox.SandboxException;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads and writes cgroupfs control files; every I/O error becomes a SandboxException naming the file. */
final class CgroupFiles {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final Duration RMDIR_RETRY = Duration.ofSeconds(2);

    private CgroupFiles() {
    }

    /** A cgroup name becomes a directory name, so it must not climb out of {@code ale/}. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("cgroup name must match " + NAME + ": " + name);
        }
        return name;
    }

    static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw failure("cannot read " + file, e);
        }
    }

    static long readLong(Path file) {
        return parseLong(file, read(file));
    }

    /** The value of {@code key} in a file of "key value" lines (cpu.stat, memory.events), 0 when the key is absent. */
    static long keyValue(Path file, String key) {
        for (String line : read(file).lines().toList()) {
            String[] kv = line.strip().split("\\s+");
            if (kv.length == 2 && kv[0].equals(key)) return parseLong(file, kv[1]);
        }
        return 0;
    }

    /** Space-separated words, as in cgroup.controllers and cgroup.subtree_control. */
    static Set<String> words(Path file) {
        return Arrays.stream(read(file).split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }

    /** Pids listed in a cgroup.procs file; none when the cgroup is gone. */
    static Set<Integer> readPids(Path procs) {
        try {
            return Files.readString(procs).lines().map(String::strip).filter(l -> !l.isEmpty())
                    .map(Integer::valueOf).collect(Collectors.toUnmodifiableSet());
        } catch (NoSuchFileException e) {
            return Set.of();
        } catch (IOException e) {
            throw failure("cannot read " + procs, e);
        }
    }

    /** Writes the plain value in one write(2); no CREATE, since cgroupfs only has the files the kernel made. */
    static void write(Path file, Object value) {
        try {
            Files.writeString(file, String.valueOf(value), StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw failure("cannot write '" + value + "' to " + file, e);
        }
    }

    static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw failure("cannot create cgroup " + dir, e);
        }
    }

    /** Names of the directories in {@code dir}, sorted; none when it does not exist. */
    static List<String> subdirectoryNames(Path dir) {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw failure("cannot list " + dir, e);
        }
    }

    /** rmdir, retried for a moment: the kernel answers EBUSY while the last processes are still exiting. */
    static void removeDirectory(Path dir) {
        long deadline = System.nanoTime() + RMDIR_RETRY.toNanos();
        while (true) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) throw failure("cannot remove cgroup " + dir, e);
                CgroupProcesses.pause(Duration.ofMillis(20));
            }
        }
    }

    /** The kernel's reason for a failed call, e.g. "Device or resource busy". */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileSystemException fse && fse.getReason() != null) return fse.getReason();
        return String.valueOf(e.getMessage());
    }

    static boolean isBusy(Throwable e) {
        return e.getCause() instanceof IOException io && reason(io).contains("Device or resource busy");
    }

    private static SandboxException failure(String what, IOException e) {
        return new SandboxException(Fault.ENVIRONMENT, what + ": " + reason(e), e);
    }

    private static long parseLong(Path file, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new SandboxException(Fault.ENVIRONMENT, file + " holds '" + text + "' where a number was expected", e);
        }
    }

    private static final Pattern PARENT_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    /** A cgroup parent path: relative, one to eight segments of letters, digits, {@code _.-}, none of them {@code ..}. */
    static String checkParent(String parent) {
        String[] segments = parent.split("/", -1);
        boolean ok = !parent.isEmpty() && segments.length <= 8;
        for (String s : segments) ok &= PARENT_SEGMENT.matcher(s).matches() && !s.equals("..");
        if (!ok) {
            throw new SandboxException(Fault.INPUT, "cgroup parent '" + parent
                    + "': must be a path relative to the cgroup root, like ale-n1 or ale/n1 (letters, digits, '_', '.', '-'; no '..', no leading '/')");
        }
        return parent;
    }
}
