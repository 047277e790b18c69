package dev.ale.monitor.integrity;

import dev.ale.core.sandbox.SandboxException;
import dev.ale.core.sandbox.SandboxFiles;
import dev.ale.core.sandbox.SandboxFiles.FileEntry;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.rules.RuleId;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Content hashes of a passport's protected paths, taken once the task is set up, and the changes
 * found since. Files are read through the sandbox's own file access, so a path the agent turned
 * into a symlink to elsewhere reads as changed, never as the file it points at. A protected
 * directory stands for every file below it.
 */
public final class ProtectedFiles {

    /** A protected tree bigger than this is hashed only this far: every check reads it all. */
    static final int MAX_FILES = 2000;

    /** What a path held at one moment: its hash, or why it could not be read. */
    private sealed interface Content {
        record Hash(String sha256) implements Content {
        }

        record Missing() implements Content {
        }

        record Unreadable(String why) implements Content {
        }
    }

    private final List<String> roots;
    private final Map<String, Content> sealed;

    private ProtectedFiles(List<String> roots, Map<String, Content> sealed) {
        this.roots = List.copyOf(roots);
        this.sealed = sealed;
    }

    /** Nothing protected. */
    public static ProtectedFiles none() {
        return new ProtectedFiles(List.of(), Map.of());
    }

    /** Hashes every protected path (directories file by file) now. */
    public static ProtectedFiles seal(SandboxFiles files, List<String> paths) {
        Map<String, Content> all = new TreeMap<>();
        for (String p : paths) snapshot(files, p, all);
        return new ProtectedFiles(paths, Map.copyOf(all));
    }

    /** Every protected file that differs from the seal now. */
    public List<Detection> check(SandboxFiles files) {
        if (roots.isEmpty()) return List.of();
        Map<String, Content> now = new TreeMap<>();
        for (String p : roots) snapshot(files, p, now);
        List<Detection> out = new ArrayList<>();
        for (var e : new TreeMap<>(sealed).entrySet()) {
            String path = e.getKey();
            Content before = e.getValue();
            Content after = now.getOrDefault(path, new Content.Missing());
            if (before.equals(after)) continue;
            Map<String, String> ev = new LinkedHashMap<>();
            ev.put("path", path);
            ev.put("before", describe(before));
            ev.put("after", describe(after));
            if (after instanceof Content.Missing) {
                out.add(new Detection(RuleId.TAMPER_PROTECTED_REMOVED, "protected file " + path + " was removed", ev));
            } else {
                out.add(new Detection(RuleId.TAMPER_PROTECTED_CHANGED, "protected file " + path + " was changed", ev));
            }
        }
        for (var e : now.entrySet()) {
            if (!sealed.containsKey(e.getKey()) && !(e.getValue() instanceof Content.Missing)) {
                out.add(new Detection(RuleId.TAMPER_PROTECTED_ADDED, "file " + e.getKey() + " was added to a protected directory",
                        Map.of("path", e.getKey(), "after", describe(e.getValue()))));
            }
        }
        return List.copyOf(out);
    }

    private static void snapshot(SandboxFiles files, String path, Map<String, Content> into) {
        if (into.size() >= MAX_FILES) return;
        try {
            into.put(path, new Content.Hash(sha256(files.read(path))));
        } catch (SandboxException e) {
            String why = e.getMessage();
            if (why.contains("Is a directory")) {
                directory(files, path, into);
            } else if (why.contains("No such file")) {
                into.put(path, new Content.Missing());
            } else {
                into.put(path, new Content.Unreadable(why));
            }
        }
    }

    private static void directory(SandboxFiles files, String dir, Map<String, Content> into) {
        List<FileEntry> entries;
        try {
            entries = files.list(dir);
        } catch (SandboxException e) {
            into.put(dir, new Content.Unreadable(e.getMessage()));
            return;
        }
        for (FileEntry entry : entries) {
            String child = dir.endsWith("/") ? dir + entry.name() : dir + "/" + entry.name();
            switch (entry.type()) {
                case DIRECTORY -> directory(files, child, into);
                case FILE, SYMLINK -> snapshot(files, child, into);
                case OTHER -> into.put(child, new Content.Unreadable("not a regular file"));
            }
            if (into.size() >= MAX_FILES) return;
        }
    }

    private static String describe(Content c) {
        return switch (c) {
            case Content.Hash h -> "sha256:" + h.sha256();
            case Content.Missing m -> "missing";
            case Content.Unreadable u -> "unreadable: " + u.why();
        };
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Whether nothing is protected. */
    public boolean isEmpty() {
        return roots.isEmpty();
    }

}
