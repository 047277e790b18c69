package dev.ale.monitor.rules;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Severity;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.ale.core.event.Category.CREDENTIAL;
import static dev.ale.core.event.Category.EGRESS_DENIED;
import static dev.ale.core.event.Category.EXFILTRATION;
import static dev.ale.core.event.Category.GPU;
import static dev.ale.core.event.Category.METADATA;
import static dev.ale.core.event.Category.MINING;
import static dev.ale.core.event.Category.PERSISTENCE;
import static dev.ale.core.event.Category.PROBE;
import static dev.ale.core.event.Category.RESOURCE;
import static dev.ale.core.event.Category.REVERSE_SHELL;
import static dev.ale.core.event.Category.TAMPER;
import static dev.ale.core.event.Category.TUNNEL;
import static dev.ale.core.event.SafetyEvent.Severity.CRITICAL;
import static dev.ale.core.event.SafetyEvent.Severity.HIGH;
import static dev.ale.core.event.SafetyEvent.Severity.LOW;
import static dev.ale.core.event.SafetyEvent.Severity.MEDIUM;

/**
 * Every rule the monitor can report, the one list of them: its id (what events, audit records and kill
 * reasons carry), category, severity and what it catches. Ids are part of ALE's interface: never rename one.
 */
public enum RuleId {
    MINING_ARGV_STRATUM_URL("mining.argv.stratum-url", MINING, CRITICAL, "a stratum pool URL (stratum+tcp:// and kin) in a command"),
    MINING_ARGV_MINER_FLAG("mining.argv.miner-flag", MINING, HIGH, "a crypto miner's own option (--donate-level, --randomx-1gb-pages, …) in a command"),
    MINING_ARGV_POOL_OPTION("mining.argv.pool-option", MINING, HIGH, "a miner's -o/--url option aimed at a mining pool"),
    MINING_ARGV_POOL_DOMAIN("mining.argv.pool-domain", MINING, HIGH, "a known mining pool domain in a command"),
    MINING_PROGRAM_KNOWN_MINER("mining.program.known-miner", MINING, HIGH, "a program named like a known crypto miner (xmrig, cpuminer, …)"),
    MINING_URL_MINER_DOWNLOAD("mining.url.miner-download", MINING, MEDIUM, "a URL that fetches a known crypto miner"),
    MINING_ARGV_MINER_CONFIG("mining.argv.miner-config", MINING, HIGH,
            "a miner's configuration (pools with a wallet, a mining algorithm, donate-level) in a command or a written file"),
    MINING_HOST_HUGEPAGES("mining.host.hugepages", MINING, HIGH, "a command that sets huge pages, as RandomX miners do"),
    MINING_HOST_MSR("mining.host.msr", MINING, HIGH, "a command that writes CPU model-specific registers, as RandomX miners do"),
    MINING_EXE_MINER_MARKS("mining.exe.miner-marks", MINING, CRITICAL,
            "a program whose executable (or the script an interpreter runs) carries a miner's marks, whatever it is called"),
    MINING_CPU_SUSTAINED("mining.cpu.sustained", MINING, MEDIUM, "a process using most of a core for the CPU window in a call that declared no heavy CPU work"),
    MINING_NET_STRATUM_LOGIN("mining.net.stratum-login", MINING, CRITICAL, "a stratum login or other mining JSON-RPC call seen at the sink"),
    MINING_NET_POOL_PORT("mining.net.pool-port", MINING, MEDIUM, "a connection, other than HTTP, to a mining pool port"),
    MINING_NET_POOL_DOMAIN("mining.net.pool-domain", MINING, HIGH, "a DNS lookup, proxy request or connection naming a known mining pool"),

    TUNNEL_SSH_REMOTE_FORWARD("tunnel.ssh.remote-forward", TUNNEL, CRITICAL, "ssh -R or RemoteForward: a port on the far host leads back into the sandbox"),
    TUNNEL_SSH_LOCAL_FORWARD("tunnel.ssh.local-forward", TUNNEL, HIGH, "ssh -L or LocalForward: a local port forwarded through the far host"),
    TUNNEL_SSH_DYNAMIC_FORWARD("tunnel.ssh.dynamic-forward", TUNNEL, HIGH, "ssh -D or DynamicForward: a SOCKS proxy through the far host"),
    TUNNEL_SSH_TUN_DEVICE("tunnel.ssh.tun-device", TUNNEL, HIGH, "ssh -w or Tunnel: a tun/tap device tunnel"),
    TUNNEL_SSH_JUMP_HOST("tunnel.ssh.jump-host", TUNNEL, MEDIUM, "ssh -J or ProxyJump: a hop through a jump host"),
    TUNNEL_SSH_PROXY_COMMAND("tunnel.ssh.proxy-command", TUNNEL, MEDIUM, "ssh -o ProxyCommand: the connection carried over a command"),
    TUNNEL_SSH_GATEWAY_PORTS("tunnel.ssh.gateway-ports", TUNNEL, HIGH, "ssh -o GatewayPorts: forwarded ports opened to other hosts"),
    TUNNEL_TOOL_AUTOSSH("tunnel.tool.autossh", TUNNEL, HIGH, "autossh, which keeps an ssh tunnel alive"),
    TUNNEL_TOOL_SSHUTTLE("tunnel.tool.sshuttle", TUNNEL, HIGH, "sshuttle, which routes traffic through ssh like a VPN"),
    TUNNEL_TOOL_CHISEL("tunnel.tool.chisel", TUNNEL, HIGH, "chisel, TCP tunnels over HTTP"),
    TUNNEL_TOOL_GOST("tunnel.tool.gost", TUNNEL, HIGH, "gost, a tunnelling proxy"),
    TUNNEL_TOOL_FRP("tunnel.tool.frp", TUNNEL, HIGH, "frpc or frps, local ports exposed through a relay server"),
    TUNNEL_TOOL_NGROK("tunnel.tool.ngrok", TUNNEL, HIGH, "ngrok, local ports exposed on the internet"),
    TUNNEL_TOOL_CLOUDFLARED("tunnel.tool.cloudflared", TUNNEL, HIGH, "cloudflared opening a Cloudflare tunnel"),
    TUNNEL_TOOL_IODINE("tunnel.tool.iodine", TUNNEL, HIGH, "iodine, IP over DNS"),
    TUNNEL_TOOL_DNSCAT("tunnel.tool.dnscat", TUNNEL, HIGH, "dnscat, a command channel over DNS"),
    TUNNEL_TOOL_PTUNNEL("tunnel.tool.ptunnel", TUNNEL, HIGH, "ptunnel, TCP over ICMP"),
    TUNNEL_TOOL_WSTUNNEL("tunnel.tool.wstunnel", TUNNEL, HIGH, "wstunnel, traffic over websockets"),
    TUNNEL_TOOL_RATHOLE("tunnel.tool.rathole", TUNNEL, HIGH, "rathole, local ports exposed through a relay server"),
    TUNNEL_TOOL_INLETS("tunnel.tool.inlets", TUNNEL, HIGH, "inlets, local ports exposed through a relay server"),
    TUNNEL_SOCAT_FORWARD("tunnel.socat.forward", TUNNEL, HIGH, "socat relaying a listening socket, a proxy or a tun device"),
    TUNNEL_TOOL_OTHER("tunnel.tool.other", TUNNEL, HIGH,
            "another tunnelling, proxy or VPN tool (bore, ligolo-ng, stunnel, pingtunnel, tor, openvpn, …)"),
    TUNNEL_NETCAT_RELAY("tunnel.netcat-relay", TUNNEL, HIGH, "a listening netcat piped into another netcat: a port relay"),
    TUNNEL_FORWARD_SPEC("tunnel.forward-spec", TUNNEL, MEDIUM, "a host:port:host:port forward spec that no other tunnel rule explains"),
    TUNNEL_NET_SSH_BANNER("tunnel.net.ssh-banner", TUNNEL, CRITICAL, "an SSH client's banner seen at the sink"),
    TUNNEL_NET_HTTP_CONNECT("tunnel.net.http-connect", TUNNEL, HIGH, "a CONNECT sent to another proxy, at the sink or inside an allowed tunnel"),

    REVERSE_SHELL_DEV_TCP("reverse-shell.dev-tcp", REVERSE_SHELL, HIGH, "bash's /dev/tcp or /dev/udp opening a raw socket"),
    REVERSE_SHELL_INTERACTIVE_DEV_TCP("reverse-shell.interactive-dev-tcp", REVERSE_SHELL, CRITICAL, "a shell wired to a /dev/tcp socket"),
    REVERSE_SHELL_NETCAT_EXEC("reverse-shell.netcat-exec", REVERSE_SHELL, CRITICAL, "netcat told to run a program on its connection"),
    REVERSE_SHELL_SOCAT_EXEC("reverse-shell.socat-exec", REVERSE_SHELL, CRITICAL, "socat joining a program to a network socket"),
    REVERSE_SHELL_PYTHON_SOCKET("reverse-shell.python-socket", REVERSE_SHELL, CRITICAL, "python code joining a socket to a shell or process"),
    REVERSE_SHELL_PERL_SOCKET("reverse-shell.perl-socket", REVERSE_SHELL, CRITICAL, "perl code joining a socket to a shell or process"),
    REVERSE_SHELL_PHP_FSOCKOPEN("reverse-shell.php-fsockopen", REVERSE_SHELL, CRITICAL, "php code opening a raw socket with fsockopen"),
    REVERSE_SHELL_RUBY_SOCKET("reverse-shell.ruby-socket", REVERSE_SHELL, CRITICAL, "ruby code joining a socket to a shell or process"),
    REVERSE_SHELL_NODE_SOCKET("reverse-shell.node-socket", REVERSE_SHELL, CRITICAL, "node code joining a socket to a child process"),
    REVERSE_SHELL_GAWK_INET("reverse-shell.gawk-inet", REVERSE_SHELL, HIGH, "awk opening a network socket through /inet/"),
    REVERSE_SHELL_SCRIPT_SOCKET("reverse-shell.script-socket", REVERSE_SHELL, CRITICAL,
            "lua or Tcl code joining a socket to a shell (os.execute, io.popen, exec)"),
    REVERSE_SHELL_FIFO_NETCAT("reverse-shell.fifo-netcat", REVERSE_SHELL, CRITICAL, "a named pipe looping a shell through a network client"),
    REVERSE_SHELL_SHELL_PIPE("reverse-shell.shell-pipe", REVERSE_SHELL, CRITICAL, "a network client's output piped into a shell"),
    REVERSE_SHELL_STDIO_SOCKET("reverse-shell.stdio-socket", REVERSE_SHELL, CRITICAL, "a shell, interpreter or relay process with a socket on fd 0, 1 or 2"),
    REVERSE_SHELL_NET_SHELL_OUTPUT("reverse-shell.net.shell-output", REVERSE_SHELL, CRITICAL,
            "a shell talking on a connection: its prompt or id output, at the sink or inside an allowed tunnel"),

    PROBE_SCANNER("probe.scanner", PROBE, HIGH, "a network scanner (nmap, masscan, …)"),
    PROBE_DEV_TCP_SWEEP("probe.dev-tcp-sweep", PROBE, HIGH, "/dev/tcp to a host or port that a loop changes"),
    PROBE_PING_SWEEP("probe.ping-sweep", PROBE, MEDIUM, "a ping sweep over a range of addresses, or one ping that every host of the link answers"),
    PROBE_NETCAT_SWEEP("probe.netcat-sweep", PROBE, MEDIUM, "netcat checking a range of ports or hosts"),
    PROBE_HTTP_SWEEP("probe.http-sweep", PROBE, MEDIUM, "a loop fetching from a changing address"),
    PROBE_INTERPRETER_SWEEP("probe.interpreter-sweep", PROBE, HIGH,
            "interpreter code connecting in a loop over a range of ports or addresses (python, perl, ruby, node)"),
    PROBE_NET_INTERNAL_ADDRESS("probe.net.internal-address", PROBE, HIGH, "a connection or proxy request to an internal address"),
    PROBE_FANOUT_HOSTS("probe.fanout.hosts", PROBE, HIGH, "many different hosts tried within the network window, or over the episode"),
    PROBE_FANOUT_PORTS("probe.fanout.ports", PROBE, HIGH, "many different ports tried on one host within the network window, or over the episode"),

    METADATA_ENDPOINT("metadata.endpoint", METADATA, HIGH, "a cloud metadata address or name in a command"),
    METADATA_API_PATH("metadata.api-path", METADATA, HIGH, "a cloud metadata API path or header in a command"),
    METADATA_NET_ADDRESS("metadata.net.address", METADATA, CRITICAL, "a connection or proxy request to a cloud metadata address"),
    METADATA_NET_NAME("metadata.net.name", METADATA, HIGH, "a DNS lookup, proxy request or connection naming a cloud metadata service"),

    CREDENTIAL_CLOUD_CLI("credential.cloud-cli", CREDENTIAL, HIGH, "a command reading cloud CLI credentials (~/.aws, ~/.config/gcloud, …)"),
    CREDENTIAL_TOKEN_FILE("credential.token-file", CREDENTIAL, HIGH,
            "a command reading a token file (~/.docker/config.json, ~/.netrc, ~/.git-credentials, ~/.npmrc, ~/.pypirc, …)"),
    CREDENTIAL_KEY_SEARCH("credential.key-search", CREDENTIAL, MEDIUM, "a search of the file system for private keys"),
    CREDENTIAL_KUBECONFIG("credential.kubeconfig", CREDENTIAL, HIGH, "a command reading a Kubernetes config"),
    CREDENTIAL_SSH_PRIVATE_KEY("credential.ssh-private-key", CREDENTIAL, HIGH, "a command reading an SSH private key"),
    CREDENTIAL_K8S_SERVICE_ACCOUNT("credential.k8s-service-account", CREDENTIAL, HIGH, "a command reading a Kubernetes service-account token"),
    CREDENTIAL_PROC_ENVIRON("credential.proc-environ", CREDENTIAL, HIGH, "a command reading a process's environment"),
    CREDENTIAL_SHADOW("credential.shadow", CREDENTIAL, HIGH, "a command reading /etc/shadow or /etc/gshadow"),
    CREDENTIAL_OPEN_FILE_CLOUD_CLI("credential.open-file.cloud-cli", CREDENTIAL, HIGH, "a process holding a cloud CLI credential file open"),
    CREDENTIAL_OPEN_FILE_KUBECONFIG("credential.open-file.kubeconfig", CREDENTIAL, HIGH, "a process holding a Kubernetes config open"),
    CREDENTIAL_OPEN_FILE_SSH_PRIVATE_KEY("credential.open-file.ssh-private-key", CREDENTIAL, HIGH, "a process holding an SSH private key open"),
    CREDENTIAL_OPEN_FILE_K8S_SERVICE_ACCOUNT("credential.open-file.k8s-service-account", CREDENTIAL, HIGH,
            "a process holding a Kubernetes service-account token open"),
    CREDENTIAL_OPEN_FILE_PROC_ENVIRON("credential.open-file.proc-environ", CREDENTIAL, HIGH, "a process holding another process's environ open"),
    CREDENTIAL_OPEN_FILE_SHADOW("credential.open-file.shadow", CREDENTIAL, HIGH, "a process holding /etc/shadow or /etc/gshadow open"),
    CREDENTIAL_OPEN_FILE_DOCKER_CONFIG("credential.open-file.docker-config", CREDENTIAL, HIGH, "a process holding ~/.docker/config.json open"),
    CREDENTIAL_OPEN_FILE_NETRC("credential.open-file.netrc", CREDENTIAL, HIGH, "a process holding a .netrc open"),

    EGRESS_DENIED_CONNECTION("egress-denied.connection", EGRESS_DENIED, MEDIUM, "a connection that reached the sink: outside the egress allowlist"),
    EGRESS_DENIED_DROPPED("egress-denied.dropped", EGRESS_DENIED, LOW, "packets the firewall dropped during a tool call (UDP to other ports, ICMP, IPv6)"),
    EGRESS_DENIED_DNS("egress-denied.dns", EGRESS_DENIED, LOW, "a DNS lookup the gateway refused or could not answer"),
    EGRESS_DENIED_PROXY("egress-denied.proxy", EGRESS_DENIED, MEDIUM, "a proxy request the gateway refused"),
    EGRESS_DENIED_UNCLASSIFIED("egress-denied.unclassified", EGRESS_DENIED, HIGH,
            "a connection the sink closed unread because it was at capacity: what it carried is unknown"),

    EXFILTRATION_DNS_LONG_LABEL("exfiltration.dns.long-label", EXFILTRATION, HIGH, "a DNS name with an over-long label below its zone"),
    EXFILTRATION_DNS_HIGH_ENTROPY_LABEL("exfiltration.dns.high-entropy-label", EXFILTRATION, HIGH,
            "a DNS label that looks like encoded data rather than words"),
    EXFILTRATION_DNS_SUBDOMAIN_BURST("exfiltration.dns.subdomain-burst", EXFILTRATION, HIGH, "many different names under one zone within the network window"),
    EXFILTRATION_DNS_NAME_BUDGET("exfiltration.dns.name-budget", EXFILTRATION, HIGH,
            "too many different names under one zone within the budget window, allowlisted or not"),
    EXFILTRATION_DNS_ENTROPY_BUDGET("exfiltration.dns.entropy-budget", EXFILTRATION, HIGH,
            "the names under one zone carry too many bits of label text within the budget window"),
    EXFILTRATION_DNS_TCP("exfiltration.dns.tcp", EXFILTRATION, HIGH, "a DNS query sent over TCP to a resolver other than the gateway's"),
    EXFILTRATION_DNS_RAW_DATAGRAM("exfiltration.dns.raw-datagram", EXFILTRATION, HIGH, "a UDP datagram to port 53 that was no DNS question"),

    TAMPER_PROTECTED_CHANGED("tamper.protected.changed", TAMPER, HIGH, "a protected file's content changed, or it became unreadable"),
    TAMPER_PROTECTED_REMOVED("tamper.protected.removed", TAMPER, HIGH, "a protected file is gone"),
    TAMPER_PROTECTED_ADDED("tamper.protected.added", TAMPER, HIGH, "a new file in a protected directory"),
    TAMPER_PROTECTED_NAMED("tamper.protected.named", TAMPER, MEDIUM, "a command whose text names a protected path, once the paths are sealed"),
    TAMPER_ESCAPE_KERNEL_HOOK("tamper.escape.kernel-hook", TAMPER, HIGH,
            "a write to a kernel hook the host runs as root: core_pattern, release_agent, uevent_helper, binfmt_misc, sysrq-trigger"),
    TAMPER_ESCAPE_RUNTIME_SOCKET("tamper.escape.runtime-socket", TAMPER, HIGH,
            "a container runtime's socket (docker.sock, …), or a container run privileged or with the host's root or namespaces"),
    TAMPER_ESCAPE_HOST_NAMESPACE("tamper.escape.host-namespace", TAMPER, HIGH,
            "nsenter into a process, unshare of a namespace, pid 1's root or namespaces (/proc/1/root), a debugger on pid 1"),
    TAMPER_ESCAPE_KERNEL_MODULE("tamper.escape.kernel-module", TAMPER, HIGH, "loading or removing a kernel module (insmod, modprobe, rmmod), or kexec"),
    TAMPER_ESCAPE_MOUNT("tamper.escape.mount", TAMPER, MEDIUM, "mounting a filesystem (a cgroup, proc, sysfs, a host block device, a bind)"),

    PERSISTENCE_NOHUP("persistence.nohup", PERSISTENCE, LOW, "a command under nohup"),
    PERSISTENCE_SETSID("persistence.setsid", PERSISTENCE, LOW, "a command under setsid"),
    PERSISTENCE_DISOWN("persistence.disown", PERSISTENCE, LOW, "disown, which drops jobs from the shell"),
    PERSISTENCE_BACKGROUND("persistence.background", PERSISTENCE, LOW, "a command left running by a trailing &"),
    PERSISTENCE_SUBSHELL_BACKGROUND("persistence.subshell-background", PERSISTENCE, LOW, "( cmd & ): backgrounded and orphaned at once"),
    PERSISTENCE_SSH_BACKGROUND("persistence.ssh-background", PERSISTENCE, LOW, "ssh -f, which goes to the background after login"),
    PERSISTENCE_DETACHED_SESSION("persistence.detached-session", PERSISTENCE, LOW, "a detached screen or tmux session"),
    PERSISTENCE_DAEMONIZE("persistence.daemonize", PERSISTENCE, LOW, "a command turned into a daemon (daemonize, start-stop-daemon --background)"),
    PERSISTENCE_SCHEDULER("persistence.scheduler", PERSISTENCE, LOW, "a command scheduled to run later (crontab, at, batch, systemd-run)"),
    PERSISTENCE_STARTUP_FILE("persistence.startup-file", PERSISTENCE, LOW,
            "a write to a file that runs commands later: shell startup files, systemd units, cron tables, authorized_keys"),
    PERSISTENCE_DETACHED("persistence.detached", PERSISTENCE, LOW, "a process that left its tool call's tree: orphaned, or in a new session"),
    PERSISTENCE_RENAMED_PROCESS("persistence.renamed-process", PERSISTENCE, LOW,
            "a process whose argv[0] names neither the file it executes nor its kernel name: a rewritten process title"),
    PERSISTENCE_OUTLIVED_CALL("persistence.outlived-call", PERSISTENCE, MEDIUM, "a process the tool call started that still runs after the call returned"),

    GPU_DEVICE_OPEN("gpu.device-open", GPU, HIGH, "a process holding a GPU device open in a sandbox without a GPU grant"),

    RESOURCE_CPU_SUSTAINED("resource.cpu-sustained", RESOURCE, MEDIUM,
            "a core (or the whole CPU quota) kept busy with no command output for longer than the passport's cpuSustained"),
    RESOURCE_GPU_SUSTAINED("resource.gpu-sustained", RESOURCE, MEDIUM,
            "a granted GPU kept busy with no command output for longer than the passport's cpuSustained");

    // a duplicate id keeps its first entry here rather than failing class loading: RuleIdTest names it
    private static final Map<String, RuleId> BY_ID = Map.copyOf(Arrays.stream(values())
            .collect(Collectors.toMap(RuleId::id, Function.identity(), (first, second) -> first)));

    private final String id;
    private final Category category;
    private final Severity severity;
    private final String description;

    RuleId(String id, Category category, Severity severity, String description) {
        this.id = id;
        this.category = category;
        this.severity = severity;
        this.description = description;
    }

    /** The stable dotted id, as events carry it: {@code tunnel.net.ssh-banner}. */
    public String id() {
        return id;
    }

    public Category category() {
        return category;
    }

    /** Fixed per rule: every event of this rule has it. */
    public Severity severity() {
        return severity;
    }

    /** What the rule catches, in one line. */
    public String description() {
        return description;
    }

    /** The rule with this exact id, if there is one. */
    public static Optional<RuleId> of(String id) {
        return Optional.ofNullable(BY_ID.get(id));
    }

    @Override
    public String toString() {
        return id;
    }
}
