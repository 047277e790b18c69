package dev.ale.gateway.sink;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the first line of a newline-delimited JSON-RPC stream (what stratum miners send) and
 * says whether its method is a mining one.
 */
final class JsonRpcLine {

    /**
     * First requests of stratum clients: Monero style (XMRig: login, then submit, keepalived),
     * Bitcoin style (mining.*), and the Ethereum proxy style (eth_submitLogin).
     */
    static final Set<String> MINING_METHODS = Set.of(
            "login", "submit", "keepalived",
            "mining.subscribe", "mining.authorize", "mining.submit", "mining.extranonce.subscribe",
            "eth_submitLogin");

    /** Miners are not careful JSON writers; accept what a forgiving pool would. */
    private static final JsonMapper LENIENT = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA,
                    JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
                    JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
            .build();

    private JsonRpcLine() {
    }

    /** A {@link Classification.StratumMining} or {@link Classification.JsonRpc}, or empty. */
    static Optional<Classification> classify(byte[] bytes, int length) {
        int newline = FirstBytes.indexOf(bytes, length, (byte) '\n');
        JsonNode request;
        try {
            request = LENIENT.readTree(bytes, 0, newline < 0 ? length : newline);
        } catch (IOException | RuntimeException notJson) {
            // Hostile input may trip any check in the parser; all of it means "not JSON-RPC".
            return Optional.empty();
        }
        if (request == null || !request.isObject() || !request.path("method").isTextual()) {
            return Optional.empty();
        }
        String method = FirstBytes.printable(request.path("method").textValue());
        if (!MINING_METHODS.contains(method)) {
            return Optional.of(new Classification.JsonRpc(method));
        }
        JsonNode params = request.path("params");
        String agent = text(params.path("agent"));
        String login = text(params.path("login"));
        // Bitcoin-style stratum passes positional params: subscribe(agent, ...), authorize(user, pass).
        if (agent.isEmpty() && method.equals("mining.subscribe")) {
            agent = text(params.path(0));
        }
        if (login.isEmpty() && (method.equals("mining.authorize") || method.equals("eth_submitLogin"))) {
            login = text(params.path(0));
        }
        return Optional.of(new Classification.StratumMining(method, agent, login));
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? FirstBytes.printable(node.textValue()) : "";
    }
}
