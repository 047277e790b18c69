package dev.ale.monitor.detect;

import dev.ale.core.event.Category;
import dev.ale.monitor.rules.RuleId;

/**
 * Every command-line rule: its entry in the {@link RuleId} catalogue (id, category, severity) and the
 * sentence it reports, where {@code %s} is the matched text.
 */
enum Rule {
    MINING_STRATUM_URL(RuleId.MINING_ARGV_STRATUM_URL, "command names a stratum mining pool URL: %s"),
    MINING_MINER_FLAG(RuleId.MINING_ARGV_MINER_FLAG, "command carries a crypto-miner option: %s"),
    MINING_POOL_OPTION(RuleId.MINING_ARGV_POOL_OPTION, "command points a miner's pool option at %s"),
    MINING_POOL_DOMAIN(RuleId.MINING_ARGV_POOL_DOMAIN, "command names a known mining pool domain: %s"),
    MINING_KNOWN_MINER(RuleId.MINING_PROGRAM_KNOWN_MINER, "program %s is a known crypto miner"),
    MINING_MINER_DOWNLOAD(RuleId.MINING_URL_MINER_DOWNLOAD, "command fetches a known crypto miner: %s"),
    MINING_MINER_CONFIG(RuleId.MINING_ARGV_MINER_CONFIG, "a crypto miner's configuration: %s"),
    MINING_HUGEPAGES(RuleId.MINING_HOST_HUGEPAGES, "command sets huge pages (%s), as RandomX miners do"),
    MINING_MSR(RuleId.MINING_HOST_MSR, "command writes CPU model-specific registers (%s), as RandomX miners do"),

    SSH_REMOTE_FORWARD(RuleId.TUNNEL_SSH_REMOTE_FORWARD,
            "ssh asks for a remote port forward (%s): a port on the far host leads back into the sandbox"),
    SSH_LOCAL_FORWARD(RuleId.TUNNEL_SSH_LOCAL_FORWARD, "ssh asks for a local port forward (%s) through the far host"),
    SSH_DYNAMIC_FORWARD(RuleId.TUNNEL_SSH_DYNAMIC_FORWARD, "ssh opens a SOCKS proxy (%s) through the far host"),
    SSH_TUN_DEVICE(RuleId.TUNNEL_SSH_TUN_DEVICE, "ssh asks for a tun/tap device tunnel (%s)"),
    SSH_JUMP_HOST(RuleId.TUNNEL_SSH_JUMP_HOST, "ssh hops through a jump host (%s)"),
    SSH_PROXY_COMMAND(RuleId.TUNNEL_SSH_PROXY_COMMAND, "ssh carries its connection over a proxy command (%s)"),
    SSH_GATEWAY_PORTS(RuleId.TUNNEL_SSH_GATEWAY_PORTS, "ssh opens its forwarded ports to other hosts (%s)"),
    TOOL_AUTOSSH(RuleId.TUNNEL_TOOL_AUTOSSH, "%s keeps an ssh tunnel alive"),
    TOOL_SSHUTTLE(RuleId.TUNNEL_TOOL_SSHUTTLE, "%s routes traffic through ssh like a VPN"),
    TOOL_CHISEL(RuleId.TUNNEL_TOOL_CHISEL, "%s builds TCP tunnels over HTTP"),
    TOOL_GOST(RuleId.TUNNEL_TOOL_GOST, "%s is a tunnelling proxy"),
    TOOL_FRP(RuleId.TUNNEL_TOOL_FRP, "%s exposes local ports through a relay server"),
    TOOL_NGROK(RuleId.TUNNEL_TOOL_NGROK, "%s exposes local ports on the internet"),
    TOOL_CLOUDFLARED(RuleId.TUNNEL_TOOL_CLOUDFLARED, "%s opens a Cloudflare tunnel"),
    TOOL_IODINE(RuleId.TUNNEL_TOOL_IODINE, "%s tunnels IP over DNS"),
    TOOL_DNSCAT(RuleId.TUNNEL_TOOL_DNSCAT, "%s runs a command channel over DNS"),
    TOOL_PTUNNEL(RuleId.TUNNEL_TOOL_PTUNNEL, "%s tunnels TCP over ICMP"),
    TOOL_WSTUNNEL(RuleId.TUNNEL_TOOL_WSTUNNEL, "%s tunnels traffic over websockets"),
    TOOL_RATHOLE(RuleId.TUNNEL_TOOL_RATHOLE, "%s exposes local ports through a relay server"),
    TOOL_INLETS(RuleId.TUNNEL_TOOL_INLETS, "%s exposes local ports through a relay server"),
    SOCAT_FORWARD(RuleId.TUNNEL_SOCAT_FORWARD, "socat relays a listening or proxied socket (%s)"),
    TOOL_OTHER(RuleId.TUNNEL_TOOL_OTHER, "%s is a tunnelling, proxy or VPN tool"),
    NETCAT_RELAY(RuleId.TUNNEL_NETCAT_RELAY, "a listening netcat relays its connections to another: %s"),
    FORWARD_SPEC(RuleId.TUNNEL_FORWARD_SPEC, "command carries a host:port:host:port forward spec: %s"),

    DEV_TCP(RuleId.REVERSE_SHELL_DEV_TCP, "command opens a raw socket through bash's %s"),
    INTERACTIVE_DEV_TCP(RuleId.REVERSE_SHELL_INTERACTIVE_DEV_TCP, "a shell is wired to a socket: %s"),
    NETCAT_EXEC(RuleId.REVERSE_SHELL_NETCAT_EXEC, "netcat is told to run a program on its connection: %s"),
    SOCAT_EXEC(RuleId.REVERSE_SHELL_SOCAT_EXEC, "socat joins a program to a network socket: %s"),
    PYTHON_SOCKET(RuleId.REVERSE_SHELL_PYTHON_SOCKET, "python code joins a socket to a shell or process: %s"),
    PERL_SOCKET(RuleId.REVERSE_SHELL_PERL_SOCKET, "perl code joins a socket to a shell or process: %s"),
    PHP_FSOCKOPEN(RuleId.REVERSE_SHELL_PHP_FSOCKOPEN, "php code opens a raw socket: %s"),
    RUBY_SOCKET(RuleId.REVERSE_SHELL_RUBY_SOCKET, "ruby code joins a socket to a shell or process: %s"),
    NODE_SOCKET(RuleId.REVERSE_SHELL_NODE_SOCKET, "node code joins a socket to a child process: %s"),
    GAWK_INET(RuleId.REVERSE_SHELL_GAWK_INET, "awk opens a network socket through %s"),
    SCRIPT_SOCKET(RuleId.REVERSE_SHELL_SCRIPT_SOCKET, "lua or Tcl code joins a socket to a shell: %s"),
    FIFO_NETCAT(RuleId.REVERSE_SHELL_FIFO_NETCAT, "a named pipe loops a shell through a network client: %s"),
    SHELL_PIPE(RuleId.REVERSE_SHELL_SHELL_PIPE, "a network client's output is piped into a shell: %s"),

    SCANNER(RuleId.PROBE_SCANNER, "program %s is a network scanner"),
    DEV_TCP_SWEEP(RuleId.PROBE_DEV_TCP_SWEEP, "a loop opens connections to a changing host or port: %s"),
    PING_SWEEP(RuleId.PROBE_PING_SWEEP, "a ping sweep walks a range of addresses: %s"),
    NETCAT_SWEEP(RuleId.PROBE_NETCAT_SWEEP, "netcat checks a range of ports or hosts: %s"),
    HTTP_SWEEP(RuleId.PROBE_HTTP_SWEEP, "a loop fetches from a changing address: %s"),
    INTERPRETER_SWEEP(RuleId.PROBE_INTERPRETER_SWEEP, "interpreter code connects in a loop over ports or addresses: %s"),

    METADATA_ENDPOINT(RuleId.METADATA_ENDPOINT, "command addresses a cloud metadata service: %s"),
    METADATA_API_PATH(RuleId.METADATA_API_PATH, "command uses a cloud metadata API: %s"),

    CLOUD_CREDENTIALS(RuleId.CREDENTIAL_CLOUD_CLI, "command reads cloud CLI credentials: %s"),
    TOKEN_FILE(RuleId.CREDENTIAL_TOKEN_FILE, "command reads a token file: %s"),
    KEY_SEARCH(RuleId.CREDENTIAL_KEY_SEARCH, "command searches the file system for private keys: %s"),
    KUBECONFIG(RuleId.CREDENTIAL_KUBECONFIG, "command reads a Kubernetes config: %s"),
    SSH_PRIVATE_KEY(RuleId.CREDENTIAL_SSH_PRIVATE_KEY, "command reads an SSH private key: %s"),
    K8S_SERVICE_ACCOUNT(RuleId.CREDENTIAL_K8S_SERVICE_ACCOUNT, "command reads a Kubernetes service-account token: %s"),
    PROC_ENVIRON(RuleId.CREDENTIAL_PROC_ENVIRON, "command reads a process's environment: %s"),
    SHADOW(RuleId.CREDENTIAL_SHADOW, "command reads the password hashes in %s"),

    NOHUP(RuleId.PERSISTENCE_NOHUP, "%s runs under nohup: process may outlive the tool call"),
    SETSID(RuleId.PERSISTENCE_SETSID, "%s runs in a new session: process may outlive the tool call"),
    DISOWN(RuleId.PERSISTENCE_DISOWN, "%s drops jobs from the shell: process may outlive the tool call"),
    BACKGROUND(RuleId.PERSISTENCE_BACKGROUND, "%s is left running by a trailing &: process may outlive the tool call"),
    SUBSHELL_BACKGROUND(RuleId.PERSISTENCE_SUBSHELL_BACKGROUND, "%s is backgrounded inside ( … & ) and orphaned: process may outlive the tool call"),
    SSH_BACKGROUND(RuleId.PERSISTENCE_SSH_BACKGROUND, "ssh -f goes to the background after login (%s): process may outlive the tool call"),
    DETACHED_SESSION(RuleId.PERSISTENCE_DETACHED_SESSION, "%s starts a detached terminal session: process may outlive the tool call"),
    DAEMONIZE(RuleId.PERSISTENCE_DAEMONIZE, "%s turns a command into a daemon: process may outlive the tool call"),
    SCHEDULER(RuleId.PERSISTENCE_SCHEDULER, "%s schedules a command to run later: process may outlive the tool call"),
    STARTUP_FILE(RuleId.PERSISTENCE_STARTUP_FILE, "command writes %s, which runs commands later (at a login, a boot or a schedule)"),

    KERNEL_HOOK(RuleId.TAMPER_ESCAPE_KERNEL_HOOK, "command writes the host kernel hook %s, which runs a program as root on the host"),
    RUNTIME_SOCKET(RuleId.TAMPER_ESCAPE_RUNTIME_SOCKET, "command reaches for a container runtime: %s"),
    HOST_NAMESPACE(RuleId.TAMPER_ESCAPE_HOST_NAMESPACE, "command reaches for another namespace or pid 1: %s"),
    KERNEL_MODULE(RuleId.TAMPER_ESCAPE_KERNEL_MODULE, "command loads or replaces kernel code: %s"),
    MOUNT(RuleId.TAMPER_ESCAPE_MOUNT, "command mounts a filesystem: %s");

    private final RuleId id;
    private final String detail;

    Rule(RuleId id, String detail) {
        this.id = id;
        this.detail = detail;
    }

    RuleId id() {
        return id;
    }

    Category category() {
        return id.category();
    }

    String detail(String match) {
        return detail.formatted(match);
    }
}
