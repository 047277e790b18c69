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
            entry(Rule.KUBECONFIG, Pattern.compile("\\.kube/config(?![\\w.-])|/etc/kubernetes/[\\w*?-]+\\.conf(?![\\w.])|/var/lib/kubelet/(?:pki|kubeconfig)")),
            entry(Rule.SSH_PRIVATE_KEY, Pattern.compile("\\.ssh/(?:id_[\\w*?\\[\\]-]*|[\\w*?-]+\\.pem)(?!\\.pub)(?![\\w.])"
                    + "|/etc/ssh/ssh_host_[\\w*?-]*key(?![\\w.])|/etc/ssl/private(?=/|$)\\S*")),
            entry(Rule.K8S_SERVICE_ACCOUNT, Pattern.compile("/(?:var/)?run/secrets/(?:kubernetes\\.io|eks\\.amazonaws\\.com|tokens/)")),
            entry(Rule.TOKEN_FILE, Pattern.compile("\\.docker/config\\.json|(?:^|[\\s/'\"=:~}])\\.(?:netrc|git-credentials|npmrc|pypirc|vault-token"
                    + "|pgpass|my\\.cnf|bash_history|zsh_history)(?![\\w.-])|\\.config/gh/hosts\\.yml|\\.config/hub(?![\\w.-])"
                    + "|\\.gnupg/(?:private-keys-v1\\.d|secring\\.gpg)|/(?:logins\\.json|key[34]\\.db|Login Data)$")),
            entry(Rule.PROC_ENVIRON, Pattern.compile("/proc/[^/\\s]*/environ(?![\\w])|^\\$\\{?\\w+}?/environ$")),
            entry(Rule.SHADOW, Pattern.compile("/etc/g?shadow(?![\\w])")));
    /** A whole ~/.ssh directory (or everything in it) handed to a program that copies or prints files. */
    private static final Pattern SSH_DIRECTORY = Pattern.compile("(?:^|[/~}])\\.ssh/?\\*?$");
    /** File names only private keys have; a search for them, or for a key's armour line, hunts for keys. */
    private static final Pattern KEY_NAME = Pattern.compile("'?\"?(?:id_(?:rsa|dsa|ecdsa|ed25519)[\\w*?]*|id_\\*|\\*?ssh_host_\\S*key)\"?'?");
    private static final Pattern KEY_ARMOUR = Pattern.compile("PRIVATE KEY|BEGIN (?:RSA|OPENSSH|EC|DSA) ", Pattern.CASE_INSENSITIVE);
    private static final Set<String> SEARCHERS = Set.of("grep", "egrep", "fgrep", "rg", "ag", "ack", "git-grep");
    private static final Set<String> COPIERS = Set.of(
            "tar", "zip", "7z", "cp", "scp", "rsync", "cat", "base64", "xxd", "curl", "nc", "ncat", "gzip");

    private CredentialRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        search(inv, scope);
        if (inv.program().equals("gpg") && inv.hasOption("--export-secret-keys", "--export-secret-subkeys")) {
            scope.report(Rule.TOKEN_FILE, inv.shown(), inv);
        }
        if (Set.of("kubectl", "oc").contains(inv.program()) && inv.args().stream().anyMatch(a -> a.equals("secret") || a.equals("secrets")
                || a.startsWith("secret/") || a.startsWith("secrets/")) && inv.args().stream().anyMatch(a -> Set.of("get", "describe", "edit").contains(a))) {
            scope.report(Rule.K8S_SERVICE_ACCOUNT, inv.shown(), inv);
        }
        // BSD-style "ps e" (no dash) prints every process's environment, as /proc/*/environ does; "ps -e" means all processes
        if (inv.program().equals("ps") && !inv.args().isEmpty() && inv.args().getFirst().matches("[acfhjlmrsuvwxXST]*e[acefhjlmrsuvwxXST]*")) {
            scope.report(Rule.PROC_ENVIRON, inv.shown(), inv);
        }
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

    /** A search that reaches beyond the workspace: the root, home directories, /etc, /var, /opt, /proc. */
    private static final Pattern OUTSIDE = Pattern.compile("^(?:/|/(?:home|root|etc|var|opt|mnt|srv|proc|run|tmp)(?:/.*)?|~.*|\\$\\{?HOME}?.*)$");

    private static void search(Invocation inv, Scope scope) {
        List<String> args = inv.args();
        // searching one's own project for a committed key is hygiene; searching the machine is a hunt
        if (args.stream().noneMatch(a -> OUTSIDE.matcher(a).matches())) return;
        if (inv.program().equals("find") || inv.program().equals("locate") || inv.program().equals("fd")) {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                boolean named = inv.program().equals("find") ? Set.of("-name", "-iname", "-path", "-wholename").contains(a) && i + 1 < args.size()
                        : !a.startsWith("-");
                String value = inv.program().equals("find") && named ? args.get(i + 1) : a;
                if (named && KEY_NAME.matcher(value).matches()) {
                    scope.report(Rule.KEY_SEARCH, inv.program() + " " + value, inv);
                    return;
                }
            }
        }
        if (SEARCHERS.contains(inv.program())) {
            for (String a : args) {
                if (!a.startsWith("-") && KEY_ARMOUR.matcher(a).find()) {
                    scope.report(Rule.KEY_SEARCH, inv.program() + " " + a, inv);
                    return;
                }
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
