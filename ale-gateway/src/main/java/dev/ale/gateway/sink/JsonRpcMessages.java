package dev.ale.gateway.sink;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.HashSet;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads JSON-RPC messages from the start of a stream: newline-delimited objects (stratum), batches
 * ({@code [{…},{…}]}), and a message still arriving (read by its {@code "method"} alone), and says
 * whether any of them is a mining call.
 *
 * <p>What counts as mining, and why: the {@code mining.*} methods (Bitcoin-style stratum), the
 * Ethereum miner calls ({@code eth_submitLogin}, {@code eth_getWork}, {@code eth_submitWork},
 * {@code eth_submitHashrate}), getwork and block-template calls, XMRig's {@code getjob} and
 * {@code keepalived}; and Monero-style {@code login} and {@code submit} only with the parameters a
 * miner sends ({@code login} with {@code pass}, {@code agent}, {@code rigid} or {@code algo};
 * {@code submit} with {@code job_id} or {@code nonce}), because plain "login" and "submit" methods
 * are common in other JSON-RPC APIs (Rocket.Chat's realtime API logs in with {@code method: login}).
 * Any other method (an Ethereum node's {@code eth_blockNumber}, a language server's
 * {@code initialize}) is JSON-RPC and no more: it says nothing of what the connection is for.
 */
final class JsonRpcMessages {

    /** Methods that only miners and pools call. */
    private static final Set<String> MINING_ONLY = Set.of(
            "keepalived", "getjob", "eth_submitLogin", "eth_getWork", "eth_submitWork", "eth_submitHashrate",
            "getwork", "getblocktemplate", "submitblock", "get_block_template", "submit_block");
    /** Keys of a Monero-style miner's login parameters, besides {@code login} itself. */
    private static final Set<String> LOGIN_KEYS = Set.of("pass", "agent", "rigid", "algo");
    private static final Set<String> SUBMIT_KEYS = Set.of("job_id", "nonce");
    /** How many lines are read; a stream of more short lines is read no further. */
    private static final int MAX_LINES = 64;

    /** Miners are not careful JSON writers; accept what a forgiving pool would. */
    private static final JsonMapper LENIENT = JsonMapper.builder(com.fasterxml.jackson.core.JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build()).build())
            .enable(JsonReadFeature.ALLOW_SINGLE_QUOTES,
                    JsonReadFeature.ALLOW_UNQUOTED_FIELD_NAMES,
                    JsonReadFeature.ALLOW_TRAILING_COMMA,
                    JsonReadFeature.ALLOW_JAVA_COMMENTS,
                    JsonReadFeature.ALLOW_UNESCAPED_CONTROL_CHARS,
                    JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_PLUS_SIGN_FOR_NUMBERS,
                    JsonReadFeature.ALLOW_LEADING_DECIMAL_POINT_FOR_NUMBERS)
            .build();

    /** A method still arriving: the JSON is cut short, but its method and parameter keys may be there. */
    private static final Pattern METHOD = Pattern.compile("[\"']?method[\"']?\\s*:\\s*[\"']([^\"'\\\\]{1,64})[\"']");
    private static final Pattern KEY = Pattern.compile("[\"']?([A-Za-z_]{1,16})[\"']?\\s*:");
    private static final Pattern STRING_VALUE = Pattern.compile("\\s*[\"']([^\"'\\\\]{0,256})[\"']");

    private JsonRpcMessages() {
    }

    /**
     * The JSON-RPC messages at the start of {@code bytes}, line by line: a mining call if any is
     * one, else the first other method; empty when the bytes are no JSON-RPC. Complete once the
     * message that decided it (or, for no mining call, every line read) has all arrived.
     */
    static Optional<FirstBytes.Reading> read(byte[] bytes, int length) {
        Optional<FirstBytes.Reading> other = Optional.empty();
        int at = 0;
        for (int lines = 0; lines < MAX_LINES && at < length; lines++) {
            while (at < length && FirstBytes.isNoise(bytes[at])) at++;
            if (at >= length) break;
            int newline = FirstBytes.indexOf(bytes, at, length, (byte) '\n');
            int end = newline < 0 ? length : newline;
            Optional<FirstBytes.Reading> message = line(bytes, at, end, newline >= 0);
            if (message.isEmpty()) {
                if (lines == 0) return Optional.empty(); // the stream does not start as JSON-RPC
            } else if (message.get().classification().hostile()) {
                return message;
            } else if (other.isEmpty()) {
                other = message;
            }
            if (newline < 0) break;
            at = newline + 1;
        }
        return other;
    }

    /** The first mining call on one line, or its first method; empty when the line holds no JSON-RPC. */
    static Optional<FirstBytes.Reading> line(byte[] bytes, int from, int to, boolean ended) {
        if (from >= to || (bytes[from] != '{' && bytes[from] != '[')) return Optional.empty();
        JsonNode value;
        try {
            value = LENIENT.readTree(bytes, from, to - from);
        } catch (IOException | RuntimeException cutShortOrNotJson) {
            // Hostile input may trip any check in the parser; a message still arriving is read by its method.
            return partial(new String(bytes, from, to - from, StandardCharsets.ISO_8859_1));
        }
        if (value == null) return Optional.empty();
        List<JsonNode> messages = new ArrayList<>();
        if (value.isObject()) messages.add(value);
        if (value.isArray()) value.forEach(element -> {
            if (element.isObject() && messages.size() < MAX_LINES) messages.add(element);
        });
        Optional<Classification> first = Optional.empty();
        for (JsonNode message : messages) {
            if (!message.path("method").isTextual()) continue;
            Classification c = of(message);
            if (c.hostile()) return Optional.of(new FirstBytes.Reading(c, true));
            if (first.isEmpty()) first = Optional.of(c);
        }
        // A whole value is whole even without its newline (a batch, an HTTP body).
        return first.map(c -> new FirstBytes.Reading(c, true));
    }

    private static Classification of(JsonNode request) {
        String method = FirstBytes.printable(request.path("method").textValue());
        JsonNode params = request.path("params");
        if (!isMining(method, params)) return new Classification.JsonRpc(method);
        String agent = text(params.path("agent"));
        String login = text(params.path("login"));
        // Bitcoin-style stratum passes positional params: subscribe(agent, ...), authorize(user, pass).
        if (agent.isEmpty() && method.equals("mining.subscribe")) agent = text(params.path(0));
        if (login.isEmpty() && (method.equals("mining.authorize") || method.equals("eth_submitLogin"))) {
            login = text(params.path(0));
        }
        return new Classification.StratumMining(method, agent, login);
    }

    private static boolean isMining(String method, JsonNode params) {
        if (method.startsWith("mining.") || MINING_ONLY.contains(method)) return true;
        if (method.equals("login")) {
            return params.isObject() && params.has("login") && LOGIN_KEYS.stream().anyMatch(params::has);
        }
        if (method.equals("submit")) return params.isObject() && SUBMIT_KEYS.stream().anyMatch(params::has);
        return false;
    }

    /** A message cut short: its method, and for login and submit the parameter keys seen so far. */
    private static Optional<FirstBytes.Reading> partial(String text) {
        Matcher method = METHOD.matcher(text);
        if (!method.find()) return Optional.empty();
        String name = FirstBytes.printable(method.group(1));
        Set<String> keys = new HashSet<>();
        Matcher key = KEY.matcher(text);
        while (key.find() && keys.size() < 64) keys.add(key.group(1));
        boolean mining = name.startsWith("mining.") || MINING_ONLY.contains(name)
                || (name.equals("login") && keys.contains("login") && LOGIN_KEYS.stream().anyMatch(keys::contains))
                || (name.equals("submit") && SUBMIT_KEYS.stream().anyMatch(keys::contains));
        Classification c = mining ? new Classification.StratumMining(name, stringAfter(text, "agent"), stringAfter(text, "login"))
                : new Classification.JsonRpc(name);
        return Optional.of(new FirstBytes.Reading(c, false));
    }

    private static String stringAfter(String text, String key) {
        Matcher m = Pattern.compile("[\"']?" + key + "[\"']?\\s*:").matcher(text);
        while (m.find()) {
            Matcher value = STRING_VALUE.matcher(text).region(m.end(), text.length());
            if (value.lookingAt()) return FirstBytes.printable(value.group(1));
        }
        return "";
    }

    private static String text(JsonNode node) {
        return node.isTextual() ? FirstBytes.printable(node.textValue()) : "";
    }
}
