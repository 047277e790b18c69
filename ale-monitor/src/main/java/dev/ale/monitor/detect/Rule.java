package dev.ale.monitor.detect;

import dev.ale.core.event.Category;
import dev.ale.core.event.SafetyEvent.Severity;

import static dev.ale.core.event.Category.CREDENTIAL;
import static dev.ale.core.event.Category.METADATA;
import static dev.ale.core.event.Category.MINING;
import static dev.ale.core.event.Category.PERSISTENCE;
import static dev.ale.core.event.Category.PROBE;
import static dev.ale.core.event.Category.REVERSE_SHELL;
import static dev.ale.core.event.Category.TUNNEL;
import static dev.ale.core.event.SafetyEvent.Severity.CRITICAL;
import static dev.ale.core.event.SafetyEvent.Severity.HIGH;
import static dev.ale.core.event.SafetyEvent.Severity.LOW;
import static dev.ale.core.event.SafetyEvent.Severity.MEDIUM;

/**
 * Every command-line rule: its stable id, category, severity and the sentence it reports, where
 * {@code %s} is the matched text. Ids are part of ALE's interface (passports name them): never rename one.
 */
enum Rule {
    MINING_STRATUM_URL("mining.argv.stratum-url", MINING, CRITICAL, "command names a stratum mining pool URL: %s"),
    MINING_MINER_FLAG("mining.argv.miner-flag", MINING, HIGH, "command carries a crypto-miner option: %s"),
    MINING_POOL_OPTION("mining.argv.pool-option", MINING, HIGH, "command points a miner's pool option at %s"),
    MINING_POOL_DOMAIN("mining.argv.pool-domain", MINING, HIGH, "command names a known mining pool domain: %s"),
    MINING_KNOWN_MINER("mining.program.known-miner", MINING, HIGH, "program %s is a known crypto miner"),
    MINING_MINER_DOWNLOAD("mining.url.miner-download", MINING, MEDIUM, "command fetches a known crypto miner: %s"),
    MINING_HUGEPAGES("mining.host.hugepages", MINING, HIGH, "command sets huge pages (%s), as RandomX miners do"),
    MINING_MSR("mining.host.msr", MINING, HIGH, "command writes CPU model-specific registers (%s), as RandomX miners do"),

    SSH_REMOTE_FORWARD("tunnel.ssh.remote-forward", TUNNEL, CRITICAL,
            "ssh asks for a remote port forward (%s): a port on the far host leads back into the sandbox"),
    SSH_LOCAL_FORWARD("tunnel.ssh.local-forward", TUNNEL, HIGH, "ssh asks for a local port forward (%s) through the far host"),
    SSH_DYNAMIC_FORWARD("tunnel.ssh.dynamic-forward", TUNNEL, HIGH, "ssh opens a SOCKS proxy (%s) through the far host"),
    SSH_TUN_DEVICE("tunnel.ssh.tun-device", TUNNEL, HIGH, "ssh asks for a tun/tap device tunnel (%s)"),
    SSH_JUMP_HOST("tunnel.ssh.jump-host", TUNNEL, MEDIUM, "ssh hops through a jump host (%s)"),
    SSH_PROXY_COMMAND("tunnel.ssh.proxy-command", TUNNEL, MEDIUM, "ssh carries its connection over a proxy command (%s)"),
    SSH_GATEWAY_PORTS("tunnel.ssh.gateway-ports", TUNNEL, HIGH, "ssh opens its forwarded ports to other hosts (%s)"),
    TOOL_AUTOSSH("tunnel.tool.autossh", TUNNEL, HIGH, "%s keeps an ssh tunnel alive"),
    TOOL_SSHUTTLE("tunnel.tool.sshuttle", TUNNEL, HIGH, "%s routes traffic through ssh like a VPN"),
    TOOL_CHISEL("tunnel.tool.chisel", TUNNEL, HIGH, "%s builds TCP tunnels over HTTP"),
    TOOL_GOST("tunnel.tool.gost", TUNNEL, HIGH, "%s is a tunnelling proxy"),
    TOOL_FRP("tunnel.tool.frp", TUNNEL, HIGH, "%s exposes local ports through a relay server"),
    TOOL_NGROK("tunnel.tool.ngrok", TUNNEL, HIGH, "%s exposes local ports on the internet"),
    TOOL_CLOUDFLARED("tunnel.tool.cloudflared", TUNNEL, HIGH, "%s opens a Cloudflare tunnel"),
    TOOL_IODINE("tunnel.tool.iodine", TUNNEL, HIGH, "%s tunnels IP over DNS"),
    TOOL_DNSCAT("tunnel.tool.dnscat", TUNNEL, HIGH, "%s runs a command channel over DNS"),
    TOOL_PTUNNEL("tunnel.tool.ptunnel", TUNNEL, HIGH, "%s tunnels TCP over ICMP"),
    TOOL_WSTUNNEL("tunnel.tool.wstunnel", TUNNEL, HIGH, "%s tunnels traffic over websockets"),
    TOOL_RATHOLE("tunnel.tool.rathole", TUNNEL, HIGH, "%s exposes local ports through a relay server"),
    TOOL_INLETS("tunnel.tool.inlets", TUNNEL, HIGH, "%s exposes local ports through a relay server"),
    SOCAT_FORWARD("tunnel.socat.forward", TUNNEL, HIGH, "socat relays a listening or proxied socket (%s)"),
    FORWARD_SPEC("tunnel.forward-spec", TUNNEL, MEDIUM, "command carries a host:port:host:port forward spec: %s"),

    DEV_TCP("reverse-shell.dev-tcp", REVERSE_SHELL, HIGH, "command opens a raw socket through bash's %s"),
    INTERACTIVE_DEV_TCP("reverse-shell.interactive-dev-tcp", REVERSE_SHELL, CRITICAL, "a shell is wired to a socket: %s"),
    NETCAT_EXEC("reverse-shell.netcat-exec", REVERSE_SHELL, CRITICAL, "netcat is told to run a program on its connection: %s"),
    SOCAT_EXEC("reverse-shell.socat-exec", REVERSE_SHELL, CRITICAL, "socat joins a program to a network socket: %s"),
    PYTHON_SOCKET("reverse-shell.python-socket", REVERSE_SHELL, CRITICAL, "python code joins a socket to a shell or process: %s"),
    PERL_SOCKET("reverse-shell.perl-socket", REVERSE_SHELL, CRITICAL, "perl code joins a socket to a shell or process: %s"),
    PHP_FSOCKOPEN("reverse-shell.php-fsockopen", REVERSE_SHELL, CRITICAL, "php code opens a raw socket: %s"),
    RUBY_SOCKET("reverse-shell.ruby-socket", REVERSE_SHELL, CRITICAL, "ruby code joins a socket to a shell or process: %s"),
    NODE_SOCKET("reverse-shell.node-socket", REVERSE_SHELL, CRITICAL, "node code joins a socket to a child process: %s"),
    GAWK_INET("reverse-shell.gawk-inet", REVERSE_SHELL, HIGH, "awk opens a network socket through %s"),
    FIFO_NETCAT("reverse-shell.fifo-netcat", REVERSE_SHELL, CRITICAL, "a named pipe loops a shell through a network client: %s"),
    SHELL_PIPE("reverse-shell.shell-pipe", REVERSE_SHELL, CRITICAL, "a network client's output is piped into a shell: %s"),

    SCANNER("probe.scanner", PROBE, HIGH, "program %s is a network scanner"),
    DEV_TCP_SWEEP("probe.dev-tcp-sweep", PROBE, HIGH, "a loop opens connections to a changing host or port: %s"),
    PING_SWEEP("probe.ping-sweep", PROBE, MEDIUM, "a ping sweep walks a range of addresses: %s"),
    NETCAT_SWEEP("probe.netcat-sweep", PROBE, MEDIUM, "netcat checks a range of ports or hosts: %s"),
    HTTP_SWEEP("probe.http-sweep", PROBE, MEDIUM, "a loop fetches from a changing address: %s"),

    METADATA_ENDPOINT("metadata.endpoint", METADATA, HIGH, "command addresses a cloud metadata service: %s"),
    METADATA_API_PATH("metadata.api-path", METADATA, HIGH, "command uses a cloud metadata API: %s"),

    CLOUD_CREDENTIALS("credential.cloud-cli", CREDENTIAL, HIGH, "command reads cloud CLI credentials: %s"),
    KUBECONFIG("credential.kubeconfig", CREDENTIAL, HIGH, "command reads a Kubernetes config: %s"),
    SSH_PRIVATE_KEY("credential.ssh-private-key", CREDENTIAL, HIGH, "command reads an SSH private key: %s"),
    K8S_SERVICE_ACCOUNT("credential.k8s-service-account", CREDENTIAL, HIGH, "command reads a Kubernetes service-account token: %s"),
    PROC_ENVIRON("credential.proc-environ", CREDENTIAL, HIGH, "command reads a process's environment: %s"),
    SHADOW("credential.shadow", CREDENTIAL, HIGH, "command reads the password hashes in %s"),

    NOHUP("persistence.nohup", PERSISTENCE, LOW, "%s runs under nohup: process may outlive the tool call"),
    SETSID("persistence.setsid", PERSISTENCE, LOW, "%s runs in a new session: process may outlive the tool call"),
    DISOWN("persistence.disown", PERSISTENCE, LOW, "%s drops jobs from the shell: process may outlive the tool call"),
    BACKGROUND("persistence.background", PERSISTENCE, LOW, "%s is left running by a trailing &: process may outlive the tool call"),
    SUBSHELL_BACKGROUND("persistence.subshell-background", PERSISTENCE, LOW,
            "%s is backgrounded inside ( … & ) and orphaned: process may outlive the tool call"),
    SSH_BACKGROUND("persistence.ssh-background", PERSISTENCE, LOW, "ssh -f goes to the background after login (%s): process may outlive the tool call"),
    DETACHED_SESSION("persistence.detached-session", PERSISTENCE, LOW, "%s starts a detached terminal session: process may outlive the tool call"),
    DAEMONIZE("persistence.daemonize", PERSISTENCE, LOW, "%s turns a command into a daemon: process may outlive the tool call"),
    SCHEDULER("persistence.scheduler", PERSISTENCE, LOW, "%s schedules a command to run later: process may outlive the tool call");

    private final String id;
    private final Category category;
    private final Severity severity;
    private final String detail;

    Rule(String id, Category category, Severity severity, String detail) {
        this.id = id;
        this.category = category;
        this.severity = severity;
        this.detail = detail;
    }

    String id() {
        return id;
    }

    Category category() {
        return category;
    }

    Severity severity() {
        return severity;
    }

    String detail(String match) {
        return detail.formatted(match);
    }
}
