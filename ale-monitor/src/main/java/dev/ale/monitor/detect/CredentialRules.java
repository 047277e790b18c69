package dev.ale.monitor.detect;

import dev.ale.monitor.detect.ShellWords.Redirect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static java.util.Map.entry;

/**
 * Reads of credentials: cloud CLI files, kubeconfig, SSH private keys, service-account tokens, other
 * processes' environments, password hashes. Naming a path is not reading it: {@code ls ~/.ssh},
 * {@code stat}, {@code test -f}, {@code echo} and the other {@link Programs#NON_READING} programs are
 * left alone, and so is writing to the path; public keys ({@code id_ed25519.pub}) are not credentials.
 */
final class CredentialRules {

    private static final String END = "(?=/|$|[\\s'\"),;])";
    private static final Map<Rule, Pattern> PATHS = Map.ofEntries(
            entry(Rule.CLOUD_CREDENTIALS, Pattern.compile(
                    "(?:^|[\\s/'\"=:~}])\\.(?:aws|azure)" + END + "\\S*|\\.config/gcloud" + END + "\\S*"
                            + "|application_default_credentials\\.json")),
            entry(Rule.KUBECONFIG, Pattern.compile("\\.kube/config(?![\\w.-])|/etc/kubernetes/admin\\.conf")),
            entry(Rule.SSH_PRIVATE_KEY, Pattern.compile("\\.ssh/(?:id_[\\w*?\\[\\]-]*|[\\w*?-]+\\.pem)(?!\\.pub)(?![\\w.])")),
            entry(Rule.K8S_SERVICE_ACCOUNT, Pattern.compile("/(?:var/)?run/secrets/(?:kubernetes\\.io|eks\\.amazonaws\\.com)")),
            entry(Rule.PROC_ENVIRON, Pattern.compile("/proc/[^/\\s]*/environ(?![\\w])|^\\$\\{?\\w+}?/environ$")),
            entry(Rule.SHADOW, Pattern.compile("/etc/g?shadow(?![\\w])")));
    /** A whole ~/.ssh directory (or everything in it) handed to a program that copies or prints files. */
    private static final Pattern SSH_DIRECTORY = Pattern.compile("(?:^|[/~}])\\.ssh/?\\*?$");
    private static final Set<String> COPIERS = Set.of(
            "tar", "zip", "7z", "cp", "scp", "rsync", "cat", "base64", "xxd", "curl", "nc", "ncat", "gzip");

    private CredentialRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        for (String path : readPaths(inv)) {
            for (Map.Entry<Rule, Pattern> e : PATHS.entrySet()) {
                Matcher m = e.getValue().matcher(path);
                if (m.find()) scope.report(e.getKey(), m.group().strip(), inv);
            }
            if (COPIERS.contains(inv.program()) && SSH_DIRECTORY.matcher(path).find()) {
                scope.report(Rule.SSH_PRIVATE_KEY, path, inv);
            }
        }
    }

    /** Arguments the program may read, and files redirected into it. */
    private static List<String> readPaths(Invocation inv) {
        List<String> out = new ArrayList<>();
        for (Redirect r : inv.redirects()) {
            if (r.reads()) out.add(r.target());
        }
        String p = inv.program();
        boolean reads = !Programs.NON_READING.contains(p)
                && !(p.equals("ssh-keygen") && !inv.hasShortFlag('y') && !inv.hasShortFlag('e'));
        if (!reads) return out;
        List<String> args = new ArrayList<>(inv.args());
        if (Set.of("cp", "mv", "install").contains(p)) {
            List<String> operands = args.stream().filter(a -> !a.startsWith("-")).toList();
            if (operands.size() >= 2) args.remove(operands.getLast());
        }
        out.addAll(args);
        return out;
    }
}
