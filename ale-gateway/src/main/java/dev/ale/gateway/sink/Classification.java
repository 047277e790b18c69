package dev.ale.gateway.sink;

import java.util.Objects;
import java.util.Optional;

/**
 * What a sandbox client's first bytes say it is speaking. Made by {@link FirstBytes#classify};
 * text fields are never null and are empty when the client did not send that part.
 */
public sealed interface Classification {

    /**
     * Whether the bytes are an act in themselves, wherever they go: an SSH session, a miner, a
     * shell, a DNS query framed for TCP, a CONNECT through someone else's proxy. A reader can stop
     * as soon as one of these is whole; the others (TLS, HTTP, other JSON-RPC) are judged by where
     * they were going.
     */
    default boolean hostile() {
        return false;
    }

    /** An SSH client: it sent its identification line, e.g. {@code SSH-2.0-OpenSSH_9.2p1}. */
    record Ssh(String banner) implements Classification {
        public Ssh {
            Objects.requireNonNull(banner, "banner");
        }

        @Override
        public boolean hostile() {
            return true;
        }
    }

    /**
     * A shell talking over the connection (a reverse shell): its prompt ({@code user@host:~$ },
     * {@code sh-5.2$ }), {@code id} output ({@code uid=0(root) gid=0(root)}), or the complaint an
     * interactive shell without a terminal prints first ({@code bash: no job control in this shell}).
     * {@code evidence} is the line that showed it.
     */
    record ReverseShell(String evidence) implements Classification {
        public ReverseShell {
            Objects.requireNonNull(evidence, "evidence");
        }

        @Override
        public boolean hostile() {
            return true;
        }
    }

    /**
     * A DNS query framed for TCP (two length bytes, then the message): a resolver asked directly,
     * past the gateway's DNS server. {@code name} and {@code type} are empty until the question arrived.
     */
    record Dns(String name, String type) implements Classification {
        public Dns {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
        }

        @Override
        public boolean hostile() {
            return true;
        }
    }

    /**
     * A stratum (pool mining) client. {@code agent} is the miner's self-description (params.agent,
     * or the first parameter of {@code mining.subscribe}); {@code login} is the wallet or worker
     * (params.login, or the first parameter of {@code mining.authorize}).
     */
    record StratumMining(String method, String agent, String login) implements Classification {
        public StratumMining {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(agent, "agent");
            Objects.requireNonNull(login, "login");
        }

        @Override
        public boolean hostile() {
            return true;
        }
    }

    /** A JSON-RPC request whose method is not a mining one. */
    record JsonRpc(String method) implements Classification {
        public JsonRpc {
            Objects.requireNonNull(method, "method");
        }
    }

    /**
     * A plain HTTP request; {@code host} is the Host header (or the CONNECT / absolute-form target);
     * {@code upgrade} the protocol it asks to switch to ({@code websocket}), empty when none.
     */
    record Http(String method, String host, String path, String upgrade) implements Classification {
        public Http {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(upgrade, "upgrade");
        }

        public Http(String method, String host, String path) {
            this(method, host, path, "");
        }

        /** A CONNECT is a tunnel through whatever proxy answers it: never ALE's, which is not dialled like this. */
        @Override
        public boolean hostile() {
            return method.equals("CONNECT");
        }

        public boolean isWebSocket() {
            return upgrade.equals("websocket");
        }
    }

    /**
     * A TLS ClientHello. {@code sni} is the server_name it asked for, when the hello carried one
     * whole; {@code version} is the highest it offered, in Java's names ({@code TLSv1.3}).
     */
    record Tls(Optional<String> sni, String version) implements Classification {
        public Tls {
            sni = sni == null ? Optional.empty() : sni;
            Objects.requireNonNull(version, "version");
        }
    }

    /** The client sent nothing before the deadline (or closed without sending). */
    record Empty() implements Classification {
    }

    /**
     * Not read at all: the sink was at capacity and closed the connection at once. It is recorded
     * as such, never as a plain connection, so a flood cannot hide what rode in on it.
     */
    record Skipped(String reason) implements Classification {
        public Skipped {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Anything else; {@code hexPrefix} is the first bytes in lowercase hex, as evidence. */
    record Unknown(String hexPrefix) implements Classification {
        public Unknown {
            Objects.requireNonNull(hexPrefix, "hexPrefix");
        }
    }
}
