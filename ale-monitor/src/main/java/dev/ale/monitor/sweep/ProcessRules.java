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
