package dev.ale.monitor.sweep;

import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.rules.RuleId;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Rules over the content of what a process runs, not its name: a renamed or copied miner still
 * carries the strings only mining software has, and a script run through an interpreter is judged
 * by what it says. Pure.
 */
public final class RunFileRules {

    /** Larger executables are read this far: every miner build seen is far smaller (xmrig: about 8 MiB). */
    public static final int MAX_EXECUTABLE_BYTES = 64 << 20;
    /** Scripts are read as far as a written file is judged. */
    public static final int MAX_SCRIPT_BYTES = 1 << 20;

    /**
     * Marks by kind. One kind alone proves little (a network scanner may know the stratum scheme, a
     * benchmark may name RandomX); two kinds together are a miner. Hashing, pools of threads and
     * crypto libraries carry none of them.
     */
    private static final Map<String, List<String>> MARKS = marks();

    private static Map<String, List<String>> marks() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        m.put("a stratum URL scheme", List.of("stratum+tcp://", "stratum+ssl://", "stratum+tls://", "stratum2+tcp://", "stratum+udp://"));
        m.put("stratum's JSON-RPC methods", List.of("mining.subscribe", "mining.authorize", "mining.submit", "mining.set_difficulty",
                "mining.notify", "mining.extranonce"));
        m.put("a miner's own option", List.of("donate-level", "donate-over-proxy", "randomx-1gb-pages", "randomx-wrmsr",
                "cpu-max-threads-hint", "nicehash"));
        m.put("a mining algorithm", List.of("cryptonight", "CryptoNight", "randomx", "RandomX", "kawpow", "KawPow", "ghostrider",
                "GhostRider", "autolykos", "Autolykos", "kheavyhash", "argon2/chukwa", "cn-heavy", "cn/half", "rx/wow"));
        m.put("a miner's name", List.of("XMRig", "xmrig", "cpuminer", "ccminer", "xmr-stak", "SRBMiner", "lolMiner", "NBMiner",
                "PhoenixMiner", "TeamRedMiner", "nheqminer", "ethminer", "cgminer", "bfgminer", "nanominer"));
        return Map.copyOf(m);
    }

    private static final Pattern INTERPRETER = Pattern.compile(
            "(?:python|pypy|perl|ruby|php|lua|node|nodejs|bash|sh|dash|zsh|ksh|mksh|ash)[0-9.]*(?:-cli)?");
    /** Options of an interpreter after which no file is run (the program is in argv or comes from a module). */
    private static final Set<String> NO_FILE = Set.of("--eval", "--print", "--command");
    /** Short options after which no file is run, alone or in a cluster ({@code sh -ec}, {@code python3 -Bc}, {@code perl -le}). */
    private static final Pattern NO_FILE_CLUSTER = Pattern.compile("-[A-Za-z]{0,3}[ceEm][A-Za-z]{0,3}");
    /** Options that take the next word as their value. */
    private static final Set<String> WITH_VALUE = Set.of("-W", "-X", "-Q", "-I", "-o", "-O", "-r", "--require", "--import", "--loader");

    private RunFileRules() {
    }

    /** The kinds of marks found in {@code bytes}, each with the first mark of it found, in a fixed order. */
    public static List<String> marksIn(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        List<String> found = new ArrayList<>();
        for (String kind : MARK_ORDER) {
            for (String mark : MARKS.get(kind)) {
                if (text.contains(mark)) {
                    found.add(kind + " (" + mark + ")");
                    break;
                }
            }
        }
        return List.copyOf(found);
    }

    private static final List<String> MARK_ORDER = List.of("a stratum URL scheme", "stratum's JSON-RPC methods", "a miner's own option",
            "a mining algorithm", "a miner's name");

    /**
     * A miner's marks of two kinds or more (from {@link #marksIn}) in the file a process runs:
     * whatever it is called, it mines. {@code what} says which file: "the executable", "the script".
     */
    public static Optional<Detection> minerMarks(String path, List<String> marks, String what) {
        if (marks.size() < 2) return Optional.empty();
        return Optional.of(new Detection(RuleId.MINING_EXE_MINER_MARKS,
                what + " " + path + " carries a miner's marks: " + String.join(", ", marks),
                Map.of("file", path, "marks", String.join(", ", marks))));
    }

    /**
     * The script an interpreter runs, when its command line names one: {@code python3 -u miner.py},
     * {@code perl x.pl}, {@code node app.js}, {@code bash run.sh}; none for {@code python3 -c ...},
     * {@code python3 -m mod} or a bare interactive interpreter.
     */
    public static Optional<String> scriptOf(List<String> argv, Optional<String> exe) {
        if (argv.size() < 2) return Optional.empty();
        String program = base(exe.orElse(argv.getFirst()));
        if (!INTERPRETER.matcher(program).matches() && !INTERPRETER.matcher(base(argv.getFirst())).matches()) return Optional.empty();
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--")) return i + 1 < argv.size() ? Optional.of(argv.get(i + 1)) : Optional.empty();
            if (NO_FILE.contains(a) || NO_FILE_CLUSTER.matcher(a).matches()) return Optional.empty();
            if (WITH_VALUE.contains(a)) {
                i++;
                continue;
            }
            if (a.startsWith("-") || a.startsWith("+")) continue;
            return a.isEmpty() ? Optional.empty() : Optional.of(a);
        }
        return Optional.empty();
    }

    private static String base(String word) {
        return word.substring(word.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    }
}
