package dev.ale.monitor.sweep;

import dev.ale.core.event.Category;
import dev.ale.core.sandbox.ProcessSnapshot;
import dev.ale.monitor.detect.CommandLineDetector;
import dev.ale.monitor.detect.Detection;
import dev.ale.monitor.rules.RuleId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.LinkedHashMap;

/**
 * Rules over one process as a sweep sees it: its command line (for what was started in the
 * background or by a script, which the pre-exec check never saw), and where its fds point (a shell
 * wired to a socket, a GPU without a grant, a credential file held open). Pure.
 */
public final class ProcessRules {

    private static final Set<String> SHELLS = Set.of(
            "sh", "bash", "dash", "zsh", "ksh", "ksh93", "mksh", "ash", "rbash", "yash", "posh", "fish", "csh", "tcsh", "busybox");
    private static final Set<String> RELAYS = Set.of(
            "nc", "ncat", "netcat", "nc.traditional", "nc.openbsd", "netcat.traditional", "netcat.openbsd", "pwncat", "socat",
            "telnet", "node", "nodejs", "lua", "tclsh", "expect", "gawk", "awk", "irb");
    private static final Pattern INTERPRETER = Pattern.compile("(?:python|pypy|perl|ruby|php|lua)[0-9.]*(?:-cli)?");
    private static final Pattern GPU = Pattern.compile("/dev/(?:nvidia[^/]*|dri/.+|kfd)");

    /** Credential files by the rule they raise; the path is as the process sees it (readlink of its fd). */
    private static final Map<RuleId, Pattern> CREDENTIALS = Map.of(
            RuleId.CREDENTIAL_OPEN_FILE_CLOUD_CLI, Pattern.compile("/\\.(?:aws|azure)/|/\\.config/gcloud/|application_default_credentials\\.json$"),
            RuleId.CREDENTIAL_OPEN_FILE_KUBECONFIG, Pattern.compile("/\\.kube/config$|^/etc/kubernetes/admin\\.conf$"),
            RuleId.CREDENTIAL_OPEN_FILE_SSH_PRIVATE_KEY, Pattern.compile("/\\.ssh/(?:id_[^/]*|[^/]+\\.pem)$(?<!\\.pub)"),
            RuleId.CREDENTIAL_OPEN_FILE_K8S_SERVICE_ACCOUNT, Pattern.compile("^/(?:var/)?run/secrets/(?:kubernetes\\.io|eks\\.amazonaws\\.com)/"),
            RuleId.CREDENTIAL_OPEN_FILE_PROC_ENVIRON, Pattern.compile("^/proc/\\d+/environ$"),
            RuleId.CREDENTIAL_OPEN_FILE_SHADOW, Pattern.compile("^/etc/g?shadow-?$"),
            RuleId.CREDENTIAL_OPEN_FILE_DOCKER_CONFIG, Pattern.compile("/\\.docker/config\\.json$"),
            RuleId.CREDENTIAL_OPEN_FILE_NETRC, Pattern.compile("/\\.netrc$"));

    private final CommandLineDetector commandLines;
    private final boolean gpuGranted;

    public ProcessRules(CommandLineDetector commandLines, boolean gpuGranted) {
        this.commandLines = commandLines;
        this.gpuGranted = gpuGranted;
    }

    /**
     * The command-line rules over a process's argv, without the persistence hints: those only say
     * a command may leave something behind, while the sweep sees whether it did.
     */
    public List<Detection> inspectArgv(ProcessSnapshot p) {
        if (p.argv().isEmpty()) return List.of();
        return commandLines.inspectArgv(p.argv()).stream().filter(d -> d.category() != Category.PERSISTENCE).toList();
    }

    /** Multi-call binaries: one file runs as whatever name it was called by. */
    private static final Set<String> MULTI_CALL = Set.of("busybox", "toybox", "coreutils");

    /**
     * Rules over what the process really executes, when its argv[0] says something else: the
     * command-line rules again with argv[0] replaced by the executable's path (so {@code exec -a
     * kthreadd ./xmrig} is still a known miner), and the rewritten title itself as a hint. A file
     * renamed on disk before it ran changes the executable too: that only its behaviour can show.
     */
    public List<Detection> inspectIdentity(ProcessSnapshot p) {
        if (p.argv().isEmpty() || p.exe().isEmpty()) return List.of();
        String exe = p.exe().get();
        String exeName = base(exe);
        String title = titleName(p.argv().getFirst());
        if (MULTI_CALL.contains(exeName) || sameProgram(title, exeName)) return List.of();
        List<Detection> out = new ArrayList<>();
        List<String> real = new ArrayList<>(p.argv());
        real.set(0, exe);
        for (Detection d : commandLines.inspectArgv(real)) {
            if (d.category() == Category.PERSISTENCE) continue;
            Map<String, String> ev = new LinkedHashMap<>(d.evidence());
            ev.put("exe", exe);
            out.add(new Detection(d.rule(), d.detail() + " (the executable " + exe + ", whatever argv[0] says)", ev));
        }
        if (isRewrittenTitle(p, title)) {
            out.add(new Detection(RuleId.PERSISTENCE_RENAMED_PROCESS,
                    p.name() + " (pid " + p.pid() + ") runs " + exe + " but calls itself " + clipWord(p.argv().getFirst()),
                    Map.of("exe", exe, "argv0", clipWord(p.argv().getFirst()))));
        }
        return List.copyOf(out);
    }

    /**
     * argv[0] names neither the executable nor comm, and is not a script's interpreter: a script
     * run through its {@code #!} line has the interpreter as argv[0], the script's name as comm,
     * and the script among the next words.
     */
    private static boolean isRewrittenTitle(ProcessSnapshot p, String title) {
        // kernel threads show as [kworker/0:1] but have no executable; a process with one posing as them hides
        String raw = p.argv().getFirst().strip();
        if (raw.startsWith("[") && raw.endsWith("]")) return true;
        String comm = p.name().toLowerCase(Locale.ROOT);
        if (sameProgram(title, comm)) return false;
        for (int i = 1; i < Math.min(p.argv().size(), 4); i++) {
            if (sameProgram(base(p.argv().get(i)), comm)) return false;
        }
        return true;
    }

    /**
     * The program a title names: a login shell's {@code -bash} is bash, {@code postgres: checkpointer}
     * and {@code nginx: worker process} are postgres and nginx.
     */
    static String titleName(String argv0) {
        String t = argv0.startsWith("-") ? argv0.substring(1) : argv0;
        String word = t.strip().split("[\\s:]", 2)[0];
        return base(word);
    }

    /** One name is the other, or starts it (comm is cut at 15 bytes; python3 runs python3.12). */
    private static boolean sameProgram(String a, String b) {
        if (a.isEmpty() || b.isEmpty()) return false;
        if (a.equals(b)) return true;
        return Math.min(a.length(), b.length()) >= 3 && (a.startsWith(b) || b.startsWith(a));
    }

    private static String clipWord(String s) {
        return s.length() <= 120 ? s : s.substring(0, 120) + "…";
    }

    /** Rules over where the process's fds point. */
    public List<Detection> inspectFds(ProcessSnapshot p) {
        List<Detection> out = new ArrayList<>();
        if (!p.stdioSockets().isEmpty() && isShellLike(p)) {
            out.add(new Detection(RuleId.REVERSE_SHELL_STDIO_SOCKET,
                    p.name() + " has a socket on its fd " + p.stdioSockets() + ": a shell driven over the network",
                    Map.of("fds", p.stdioSockets().toString())));
        }
        for (String file : p.openFiles()) {
            if (!gpuGranted && GPU.matcher(file).matches()) {
                out.add(new Detection(RuleId.GPU_DEVICE_OPEN,
                        p.name() + " opened GPU device " + file + " without a GPU grant", Map.of("file", file)));
                break;
            }
        }
        for (String file : p.openFiles()) {
            CREDENTIALS.forEach((rule, pattern) -> {
                if (pattern.matcher(file).find()) {
                    out.add(new Detection(rule,
                            p.name() + " holds credential file " + file + " open", Map.of("file", file)));
                }
            });
        }
        return List.copyOf(out);
    }

    /** A shell, an interpreter or a relay: something that runs what arrives on its input. */
    static boolean isShellLike(ProcessSnapshot p) {
        String comm = p.name().toLowerCase(Locale.ROOT);
        String argv0 = p.argv().isEmpty() ? "" : base(p.argv().getFirst());
        return isShellLike(comm) || isShellLike(argv0);
    }

    private static boolean isShellLike(String program) {
        return SHELLS.contains(program) || RELAYS.contains(program) || INTERPRETER.matcher(program).matches();
    }

    private static String base(String word) {
        String w = word.startsWith("-") ? word.substring(1) : word; // a login shell's argv[0] is "-bash"
        return w.substring(w.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
    }
}
