package dev.ale.gateway;

import dev.ale.core.passport.EgressRules;
import dev.ale.core.passport.Phase;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * Who is on the other end of a gateway socket: the gateway's services find the sandbox, its
 * allowlist and its current phase by the client's source address.
 */
@FunctionalInterface
public interface SandboxClients {

    Optional<Client> bySource(InetAddress source);

    /**
     * Where the model proxy listens ({@code ale serve}, on loopback), once a server has routed it
     * here: what a sandbox's {@code OPENAI_BASE_URL} reaches through the proxy listener.
     */
    default Optional<InetSocketAddress> modelRoute() {
        return Optional.empty();
    }

    /**
     * A sandbox as the gateway's services see it, at the moment of the lookup.
     *
     * @param modelToken the sandbox's own model-proxy token; empty when its passport does not
     *                   allow the proxy or no server routes one
     */
    record Client(String sandboxId, EgressRules egress, Phase phase, Optional<String> modelToken) {

        public Client {
            modelToken = modelToken == null ? Optional.empty() : modelToken;
        }

        public Client(String sandboxId, EgressRules egress, Phase phase) {
            this(sandboxId, egress, phase, Optional.empty());
        }

        public boolean allows(String host, int port) {
            return egress.allows(phase, host, port);
        }

        public boolean allowsName(String host) {
            return egress.allowsName(phase, host);
        }

        /** Whether a plain-HTTP request to {@code host:port} may upgrade to a websocket in the current phase. */
        public boolean allowsWebsocket(String host, int port) {
            return egress.allowsWebsocket(phase, host, port);
        }
    }
}
