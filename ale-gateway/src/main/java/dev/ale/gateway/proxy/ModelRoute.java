package dev.ale.gateway.proxy;

import dev.ale.core.passport.Phase;
import dev.ale.gateway.SandboxClients.Client;
import dev.ale.gateway.net.GatewayNetwork;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The one way from a sandbox to its host: requests to the proxy listener itself (origin-form,
 * {@code POST /v1/chat/completions}, as a client given {@code OPENAI_BASE_URL} sends them) go on
 * to the model proxy of the server that routed one, and only when the sandbox may use it.
 */
final class ModelRoute {

    /** What the record of a model-proxy request names as its destination. */
    static final String HOST = "ale-model-proxy";

    private static final List<String> PATHS = List.of("/v1/chat/completions", "/v1/models");
    private static final String GATEWAY = "http://" + GatewayNetwork.GATEWAY_ADDRESS.getHostAddress();

    private ModelRoute() {
    }

    /**
     * The origin-form path of a request addressed to the gateway itself: origin-form, or an
     * absolute URI naming the gateway's address (a client that sent it through its proxy anyway).
     */
    static Optional<String> pathOf(String requestTarget) {
        if (requestTarget.startsWith("/")) return Optional.of(requestTarget);
        String lower = requestTarget.toLowerCase(Locale.ROOT);
        if (!lower.startsWith(GATEWAY)) return Optional.empty();
        String rest = requestTarget.substring(GATEWAY.length());
        if (rest.startsWith(":")) {
            int slash = rest.indexOf('/');
            rest = slash < 0 ? "/" : rest.substring(slash);
        }
        if (rest.isEmpty()) rest = "/";
        return rest.startsWith("/") ? Optional.of(rest) : Optional.empty();
    }

    /** Why the request may not pass (status and message), or empty when it may. */
    static Optional<Verdict.Refuse> refusal(Client client, Optional<InetSocketAddress> route, String method, String path,
                                           List<String> authorization) {
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (route.isEmpty()) {
            return refuse(404, "no model proxy", "no model proxy here: sandboxes made by ale serve have one");
        }
        boolean known = (method.equals("POST") && bare.equals(PATHS.get(0))) || (method.equals("GET") && bare.equals(PATHS.get(1)));
        if (!known) {
            return refuse(404, "not a model-proxy route",
                    method + " " + HttpHead.printable(bare) + ": the gateway itself serves only POST /v1/chat/completions and GET /v1/models");
        }
        if (client.phase() != Phase.AGENT) {
            return refuse(403, "model proxy outside the agent phase", "the model proxy serves the agent phase, not " + client.phase().wire());
        }
        if (client.modelToken().isEmpty()) {
            return refuse(403, "model proxy not allowed", "this sandbox's passport does not allow the model proxy (model.proxy: false)");
        }
        byte[] own = ("Bearer " + client.modelToken().get()).getBytes(StandardCharsets.UTF_8);
        boolean matches = authorization.size() == 1
                && MessageDigest.isEqual(own, authorization.getFirst().strip().getBytes(StandardCharsets.UTF_8));
        if (!matches) {
            return refuse(401, "wrong model-proxy token", "the model proxy needs this sandbox's own token: Authorization: Bearer $OPENAI_API_KEY");
        }
        return Optional.empty();
    }

    private static Optional<Verdict.Refuse> refuse(int status, String reason, String message) {
        return Optional.of(new Verdict.Refuse(status, reason, message));
    }
}
