package dev.ale.monitor.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Crypto mining: stratum URLs, miner options and names, pool domains, and RandomX host tuning. */
final class MiningRules {

    private static final Pattern URL = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s'\"]+");
    private static final Pattern MSR_DEVICE = Pattern.compile("/dev/cpu/[^/]+/msr");
    private static final Pattern STRATUM = Pattern.compile("(?i)stratum[0-9]?\\+(?:tcp|ssl|tls|udp)://[^\\s'\"]*"
            + "|\\bmining\\.(?:subscribe|authorize|submit|extranonce\\.subscribe)\\b|\\beth_submit(?:Login|Work|Hashrate)\\b");
    private static final Set<String> MINER_FLAGS = Set.of(
            "--donate-level", "--donate-over-proxy", "--cpu-priority", "--cpu-max-threads-hint", "--max-cpu-usage",
            "--nicehash", "--randomx-1gb-pages", "--randomx-mode", "--randomx-no-numa", "--randomx-wrmsr", "--rig-id");
    private static final Pattern MINER_ALGO = Pattern.compile(
            "(?i)(?:rx|cn|cn-lite|cn-heavy|cn-pico|argon2|astrobwt|panthera|ghostrider)/.*|(?:randomx|cryptonight\\S*|kawpow|"
                    + "ethash|etchash|autolykos2?|kheavyhash|firopow|progpow\\S*|octopus|equihash\\S*|verthash|zelhash|beamhash\\S*|"
                    + "cuckatoo\\S*|cuckaroo\\S*|randomarq|randomwow|ghostrider|yescrypt\\S*|yespower\\S*|x16[rsv]\\S*|x2[15]\\S*|lyra2\\S*"
                    + "|sha256d|scrypt|karlsenhash|pyrinhash|nexapow|blake3-?alph|heavyhash|kawpow\\S*|meowpow|evrprogpow)");
    /** Options that name a pool, next to which a bare {@code -a ALGO} is a miner's. */
    private static final Set<String> POOL_OPTIONS = Set.of("-o", "--url", "--pool", "-P", "--server", "-pool");
    /** Package managers and image runners: a miner fetched by name rather than by URL. */
    private static final Set<String> INSTALLERS = Set.of(
            "pip", "pip3", "pipx", "uv", "npm", "yarn", "pnpm", "gem", "cargo", "go", "apt", "apt-get", "apk", "dnf", "yum",
            "docker", "podman", "nerdctl", "brew", "conda");
    /** Options that, next to {@code -o host:port}, say the program is a miner. */
    private static final Set<String> MINERISH = Set.of(
            "--cuda", "--opencl", "--tls", "--coin", "--algo", "-k", "--keepalive", "--rig-id", "--nicehash",
            "-B", "--background", "--donate-level", "--cpu-priority", "--randomx-1gb-pages", "--no-cpu");
    private static final Pattern POOL_ADDRESS = Pattern.compile(
            "(?i)(?:[a-z0-9+.-]+://)?(?:[^@/\\s]+@)?([a-z0-9.-]*[a-z.][a-z0-9.-]*|\\d+(?:\\.\\d+){3}|\\[[0-9a-f:]+]):(\\d{2,5})/?");
    private static final Pattern WALLET = Pattern.compile("(?:[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}.*|0x[0-9a-fA-F]{40}.*|[13][1-9A-HJ-NP-Za-km-z]{25,34}.*)");
    private static final Pattern CONFIG_POOLS = Pattern.compile("\"pools\"\\s*:\\s*\\[");
    private static final String WALLET_VALUE = "(?:[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}|0x[0-9a-fA-F]{40}|bc1[02-9ac-hj-np-z]{38,58}"
            + "|[13][1-9A-HJ-NP-Za-km-z]{25,34})";
    /** Marks only a miner's configuration carries, by what they say. */
    private static final List<Map.Entry<String, Pattern>> CONFIG_MARKS = List.of(
            Map.entry("a wallet as the pool user", Pattern.compile("\"(?:user|wallet|login)\"\\s*:\\s*\"" + WALLET_VALUE + "(?:[.+/][^\"]*)?\"")),
            Map.entry("a mining algorithm", Pattern.compile("(?i)\"(?:algo|algorithm)\"\\s*:\\s*\"(?:rx/[^\"]*|cn(?:/|-[a-z]+/?)[^\"]*|randomx"
                    + "|cryptonight[^\"]*|kawpow|ethash|etchash|autolykos2?|kheavyhash|ghostrider|astrobwt|verthash|equihash[^\"]*)\"")),
            Map.entry("a donation level", Pattern.compile("\"donate-(?:level|over-proxy)\"\\s*:")),
            Map.entry("RandomX settings", Pattern.compile("\"randomx\"\\s*:\\s*\\{")),
            Map.entry("a coin to mine", Pattern.compile("(?i)\"coin\"\\s*:\\s*\"(?:monero|xmr|wownero|ravencoin|rvn|ethereum-classic|etc|ergo|kaspa)\"")));
    static final Set<String> POOL_PORTS = Set.of(
            "1800", "3032", "3333", "3334", "3335", "3336", "4444", "5555", "6666", "7777", "9000", "10001", "10128", "10300",
            "10343", "13333", "14433", "14444", "15555", "17777", "20535", "45560", "45700");
    /** Suffixes: a host matches when it equals one or ends with "." and one. After Elastic's list, trimmed to pools. */
    static final List<String> POOL_DOMAINS = List.of(
            "supportxmr.com", "moneroocean.stream", "c3pool.com", "nanopool.org", "2miners.com", "herominers.com",
            "unmineable.com", "nicehash.com", "f2pool.com", "hashvault.pro", "xmrig.com", "minexmr.com", "ethermine.org",
            "xmrpool.eu", "minergate.com", "monerohash.com", "viabtc.com", "antpool.com", "poolin.com", "slushpool.com",
            "flexpool.io", "hiveon.net", "ezil.me", "woolypooly.com", "zergpool.com", "zpool.ca", "prohashing.com",
            "mining-dutch.nl", "miningpoolhub.com", "p2pool.io", "dwarfpool.com", "crypto-pool.fr", "moneropool.com",
            "ckpool.org", "kano.is", "sparkpool.com", "xmrfast.com", "skypool.org", "rplant.xyz", "kryptex.network",
            "dxpool.com", "emcd.io", "luxor.tech");
    static final Set<String> MINERS = Set.of(
            "xmrig", "xmr-stak", "xmr-stak-cpu", "xmr-stak-rx", "minerd", "minergate", "minergate-cli", "cpuminer",
            "cpuminer-opt", "ccminer", "ethminer", "cgminer", "bfgminer", "sgminer", "claymore", "nbminer", "t-rex",
            "gminer", "lolminer", "phoenixminer", "teamredminer", "nanominer", "bminer", "wildrig", "wildrig-multi",
            "srbminer", "srbminer-multi", "xmr-proxy", "xmrig-proxy", "xmrig-cuda", "nheqminer", "z-enemy", "miniz");
    /** Names distinctive enough to mean a miner when they appear anywhere in a URL. */
    private static final List<String> URL_MINERS = List.of(
            "xmrig", "xmr-stak", "cpuminer", "ccminer", "ethminer", "cgminer", "bfgminer", "sgminer", "nbminer",
            "lolminer", "phoenixminer", "teamredminer", "nanominer", "srbminer", "minerd", "wildrig", "nheqminer");

    private MiningRules() {
    }

    static void inspect(Invocation inv, Scope scope) {
        for (String text : inv.texts()) {
            Matcher m = STRATUM.matcher(text);
            if (m.find()) scope.report(Rule.MINING_STRATUM_URL, m.group(), inv);
            poolDomain(text).ifPresent(d -> scope.report(Rule.MINING_POOL_DOMAIN, d, inv));
            if (text.contains("://")) minerInUrl(text).ifPresent(u -> scope.report(Rule.MINING_MINER_DOWNLOAD, u, inv));
            minerConfig(text).ifPresent(c -> scope.report(Rule.MINING_MINER_CONFIG, c, inv));
        }
        minerFlag(inv.args()).ifPresent(f -> scope.report(Rule.MINING_MINER_FLAG, f, inv));
        installedMiner(inv).ifPresent(f -> scope.report(Rule.MINING_MINER_DOWNLOAD, f, inv));
        poolOption(inv).ifPresent(o -> scope.report(Rule.MINING_POOL_OPTION, o, inv));
        for (String name : inv.names()) {
            if (Programs.isNamed(name, MINERS)) {
                scope.report(Rule.MINING_KNOWN_MINER, name, inv);
                break;
            }
        }
        hugePages(inv).ifPresent(h -> scope.report(Rule.MINING_HUGEPAGES, h, inv));
        msr(inv).ifPresent(h -> scope.report(Rule.MINING_MSR, h, inv));
    }

    /** Text a command writes to a file that is not a script: what a miner's configuration would name. */
    static void inspectWritten(String text, Invocation inv, Scope scope) {
        Matcher m = STRATUM.matcher(text);
        if (m.find()) scope.report(Rule.MINING_STRATUM_URL, m.group(), inv);
        poolDomain(text).ifPresent(d -> scope.report(Rule.MINING_POOL_DOMAIN, d, inv));
        minerConfig(text).ifPresent(c -> scope.report(Rule.MINING_MINER_CONFIG, c, inv));
    }

    /**
     * A miner's options moved into a configuration file (xmrig's, cpuminer's, SRBMiner's JSON and
     * their kin): a {@code "pools"} list with one miner-only mark, or two such marks without it. A
     * thread pool's or a database's {@code "pools"} carries none of the marks.
     */
    static Optional<String> minerConfig(String text) {
        if (text.length() < 20 || text.indexOf('"') < 0) return Optional.empty();
        List<String> marks = new ArrayList<>();
        for (Map.Entry<String, Pattern> mark : CONFIG_MARKS) {
            Matcher m = mark.getValue().matcher(text);
            if (m.find()) marks.add(mark.getKey() + " " + clip(m.group()));
        }
        boolean pools = CONFIG_POOLS.matcher(text).find();
        if (marks.isEmpty() || (!pools && marks.size() < 2)) return Optional.empty();
        return Optional.of((pools ? "a \"pools\" list with " : "") + String.join(", ", marks));
    }

    private static String clip(String s) {
        return s.length() <= 60 ? s : s.substring(0, 60) + "…";
    }

    private static Optional<String> minerFlag(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i).toLowerCase(Locale.ROOT);
            for (String f : MINER_FLAGS) {
                if (a.equals(f) || a.startsWith(f + "=")) return Optional.of(args.get(i));
            }
            String algo = a.startsWith("--algo=") ? a.substring(7)
                    : a.startsWith("--algorithm=") ? a.substring(12)
                    : (a.equals("--algo") || a.equals("--algorithm")) && i + 1 < args.size() ? args.get(i + 1)
                    : a.equals("-a") && i + 1 < args.size() && args.stream().anyMatch(POOL_OPTIONS::contains) ? args.get(i + 1) : null;
            if (algo != null && MINER_ALGO.matcher(algo).matches()) return Optional.of("--algo " + algo);
        }
        return Optional.empty();
    }

    /** {@code pip install xmrig}, {@code docker run metal3d/xmrig}: a package or image named like a known miner. */
    private static Optional<String> installedMiner(Invocation inv) {
        if (inv.names().stream().noneMatch(INSTALLERS::contains)) return Optional.empty();
        for (String a : inv.args()) {
            if (a.startsWith("-")) continue;
            String name = a.toLowerCase(Locale.ROOT).replaceFirst("[:@=<>~!].*$", "");
            name = name.substring(name.lastIndexOf('/') + 1);
            if (Programs.isNamed(name, MINERS) || URL_MINERS.stream().anyMatch(name::contains) || name.equals("coinhive")) return Optional.of(a);
        }
        return Optional.empty();
    }

    private static Optional<String> poolOption(Invocation inv) {
        if (Set.of("ssh", "scp", "sftp", "autossh", "mount", "sshfs").contains(inv.program())) return Optional.empty();
        List<String> args = inv.args();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String value = null;
            if ((a.equals("-o") || a.equals("--url") || a.equals("-url")) && i + 1 < args.size()) value = args.get(i + 1);
            else if (a.startsWith("--url=")) value = a.substring(6);
            else if (a.startsWith("-o") && a.length() > 2 && !a.startsWith("--")) value = a.substring(2);
            if (value == null) continue;
            Matcher m = POOL_ADDRESS.matcher(value);
            if (!m.matches()) continue;
            String host = m.group(1).toLowerCase(Locale.ROOT);
            String port = m.group(2);
            String why = null;
            if (POOL_PORTS.contains(port)) why = "a pool port";
            else if (poolDomain(host).isPresent() || host.startsWith("pool.") || host.contains("pool")
                    || host.contains("xmr") || host.contains("monero") || host.contains("mining")) why = "a pool-like host";
            else if (minerish(args)) why = "miner options";
            if (why != null) return Optional.of(a + (a.equals(value) || a.endsWith(value) ? "" : " " + value) + " (" + why + ")");
        }
        return Optional.empty();
    }

    private static boolean minerish(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String flag = a.contains("=") && a.startsWith("--") ? a.substring(0, a.indexOf('=')) : a;
            if (MINERISH.contains(flag) || MINER_FLAGS.contains(flag.toLowerCase(Locale.ROOT))) return true;
            boolean user = a.equals("-u") || a.equals("--user");
            if (user && i + 1 < args.size() && WALLET.matcher(args.get(i + 1)).matches()) return true;
            if (a.startsWith("--user=") && WALLET.matcher(a.substring(7)).matches()) return true;
        }
        return false;
    }

    /** The first host-like piece of the text that is, or is under, a known pool domain. */
    static Optional<String> poolDomain(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        int start = 0;
        for (int i = 0; i <= lower.length(); i++) {
            boolean hostChar = i < lower.length() && isHostChar(lower.charAt(i));
            if (hostChar) continue;
            if (i > start) {
                String piece = trimDots(lower.substring(start, i));
                for (String d : POOL_DOMAINS) {
                    if (piece.equals(d) || piece.endsWith("." + d)) return Optional.of(piece);
                }
            }
            start = i + 1;
        }
        return Optional.empty();
    }

    private static boolean isHostChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    }

    private static String trimDots(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && s.charAt(a) == '.') a++;
        while (b > a && s.charAt(b - 1) == '.') b--;
        return s.substring(a, b);
    }

    /** A download URL (not a stratum one) in the text whose path or host names a known miner. */
    private static Optional<String> minerInUrl(String text) {
        Matcher url = URL.matcher(text);
        while (url.find()) {
            String lower = url.group().toLowerCase(Locale.ROOT);
            if (lower.startsWith("stratum")) continue;
            for (String m : URL_MINERS) {
                int at = lower.indexOf(m);
                while (at >= 0) {
                    int end = at + m.length();
                    boolean before = at == 0 || !Character.isLetterOrDigit(lower.charAt(at - 1));
                    boolean after = end >= lower.length() || !Character.isLetter(lower.charAt(end));
                    if (before && after) return Optional.of(url.group());
                    at = lower.indexOf(m, at + 1);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> hugePages(Invocation inv) {
        for (String target : Writes.targets(inv)) {
            if (target.contains("/proc/sys/vm/nr_hugepages") || target.contains("/proc/sys/vm/nr_overcommit_hugepages")
                    || (target.contains("/sys/kernel/mm/hugepages/") && target.contains("nr_hugepages"))
                    || target.contains("/sys/devices/system/node/") && target.contains("nr_hugepages")) {
                return Optional.of(target);
            }
        }
        if (inv.program().equals("sysctl")) {
            for (String a : inv.args()) {
                if (a.startsWith("vm.nr_hugepages=") || a.startsWith("vm.nr_hugepages =")) return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> msr(Invocation inv) {
        String p = inv.program();
        if (p.equals("modprobe") || p.equals("insmod")) {
            for (String a : inv.args()) {
                if (!a.startsWith("-") && (a.equals("msr") || a.startsWith("msr.") || a.endsWith("/msr.ko"))) {
                    return Optional.of(p + " " + a);
                }
            }
        }
        if (p.equals("wrmsr")) return Optional.of(inv.shown());
        for (String target : Writes.targets(inv)) {
            if (MSR_DEVICE.matcher(target).find()) return Optional.of(target);
        }
        return Optional.empty();
    }
}
