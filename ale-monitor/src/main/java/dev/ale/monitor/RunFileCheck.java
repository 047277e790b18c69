package dev.ale.monitor;

import dev.ale.core.event.Category;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.core.sandbox.RunFile;
import dev.ale.core.sandbox.Sandbox;
import dev.ale.monitor.detect.CommandLineDetector;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.sweep.RunFileRules;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Judges what a process runs by its content: its executable's miner marks, and the script an
 * interpreter was given, as a written file is judged. Shared by every watch: what a file holds is
 * remembered by its identity on disk (a second process of {@code /usr/bin/gcc} reads nothing) and
 * by its content's hash (a copy under another name is scanned once).
 */
final class RunFileCheck {

    private static final int REMEMBERED = 4096;

    private final CommandLineDetector commandLines;
    private final Map<String, List<String>> marksByIdentity = lru();
    private final Map<String, List<String>> marksByContent = lru();
    private final Map<String, List<Detection>> scriptsByContent = lru();

    RunFileCheck(CommandLineDetector commandLines) {
        this.commandLines = commandLines;
    }

    /** What the process runs, judged; nothing when the sandbox cannot show its files. */
    List<Detection> judge(Sandbox sandbox, ProcessSnapshot p) {
        List<Detection> out = new ArrayList<>();
        Optional<String> identity = sandbox.executableIdentity(p);
        if (identity.isPresent()) {
            List<String> marks = remembered(marksByIdentity, identity.get());
            if (marks == null) {
                Optional<RunFile> exe = sandbox.executable(p, RunFileRules.MAX_EXECUTABLE_BYTES);
                if (exe.isPresent()) {
                    byte[] head = exe.get().head();
                    String hash = sha256(head);
                    List<String> read = remembered(marksByContent, hash);
                    if (read == null) {
                        read = RunFileRules.marksIn(head);
                        remember(marksByContent, hash, read);
                    }
                    // remembered under the identity read, even when the process has ended since: a compiler's 33 MB cc1 that
                    // exits within the read was otherwise read again at every compile. Judged for this process only when it
                    // is the file it ran when asked (a fork that exec'd another since is judged under its own name next sweep)
                    remember(marksByIdentity, exe.get().identity(), read);
                    if (exe.get().identity().equals(identity.get())) marks = read;
                }
            }
            if (marks != null) RunFileRules.minerMarks(p.exe().orElse("?"), marks, "the executable").ifPresent(out::add);
        }
        Optional<String> script = RunFileRules.scriptOf(p.argv(), p.exe());
        if (script.isPresent()) {
            sandbox.scriptOf(p, script.get(), RunFileRules.MAX_SCRIPT_BYTES).ifPresent(f -> out.addAll(script(f)));
        }
        return List.copyOf(out);
    }

    /** A script as its interpreter runs it: as the file tool's written file is judged, and for a miner's marks. */
    private List<Detection> script(RunFile file) {
        byte[] head = file.head();
        String key = file.path() + "\u0000" + sha256(head);
        List<Detection> known = remembered(scriptsByContent, key);
        if (known != null) return known;
        List<Detection> found = new ArrayList<>();
        String text = new String(head, StandardCharsets.UTF_8);
        for (Detection d : commandLines.inspectWrittenFile(file.path(), text)) {
            if (d.category() == Category.PERSISTENCE) continue; // a hint that a command may leave something: the sweep sees whether it did
            Map<String, String> ev = new LinkedHashMap<>(d.evidence());
            ev.put("script", file.path());
            ev.remove("command");
            found.add(new Detection(d.rule(), d.detail() + " (in the script " + file.path() + ", run through its interpreter)", ev));
        }
        RunFileRules.minerMarks(file.path(), RunFileRules.marksIn(head), "the script").ifPresent(found::add);
        List<Detection> judged = List.copyOf(found);
        remember(scriptsByContent, key, judged);
        return judged;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }

    private static <V> V remembered(Map<String, V> map, String key) {
        synchronized (map) {
            return map.get(key);
        }
    }

    private static <V> void remember(Map<String, V> map, String key, V value) {
        synchronized (map) {
            map.put(key, value);
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
