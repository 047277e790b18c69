package dev.ale.gateway.sink;

import java.util.Objects;
import java.util.Optional;

/**
 * What a sandbox client's first bytes say it is speaking. Made by {@link FirstBytes#classify};
 * text fields are never null and are empty when the client did not send that part.
 */
public sealed interface Classification {

    /** An SSH client: it sent its identification line, e.g. {@code SSH-2.0-OpenSSH_9.2p1}. */
    record Ssh(String banner) implements Classification {
        public Ssh {
            Objects.requireNonNull(banner, "banner");
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
    }

    /** A JSON-RPC request whose method is not a mining one. */
    record JsonRpc(String method) implements Classification {
        public JsonRpc {
            Objects.requireNonNull(method, "method");
        }
    }

    /** A plain HTTP request; {@code host} is the Host header (or the CONNECT / absolute-form target). */
    record Http(String method, String host, String path) implements Classification {
        public Http {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(path, "path");
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

    /** Anything else; {@code hexPrefix} is the first bytes in lowercase hex, as evidence. */
    record Unknown(String hexPrefix) implements Classification {
        public Unknown {
            Objects.requireNonNull(hexPrefix, "hexPrefix");
        }
    }
}
