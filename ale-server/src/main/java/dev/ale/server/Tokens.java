package dev.ale.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.ale.core.AleException.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The bearer tokens the server accepts, read from a YAML file:
 * {@code tokens: [{token: "...", role: admin|env, name: "...", max_sandboxes: N}]}.
 * An admin token may do everything; an env token reaches only the sandboxes it made.
 */
public final class Tokens {

    /** A token's holder: its name owns the sandboxes it makes. */
    public record Token(String token, Role role, String name, OptionalInt maxSandboxes) {
        public boolean admin() {
            return role == Role.ADMIN;
        }
    }

    public enum Role { ADMIN, ENV }

    private static final int MIN_TOKEN_LENGTH = 16;
    private static final long MAX_FILE = 1 << 20;
    private static final List<String> FIELDS = List.of("token", "role", "name", "max_sandboxes");

    private final List<Token> tokens;

    private Tokens(List<Token> tokens) {
        this.tokens = List.copyOf(tokens);
    }

    public static Tokens of(List<Token> tokens) {
        return new Tokens(tokens);
    }

    public List<Token> all() {
        return tokens;
    }

    /** The holder of {@code presented}; compared in constant time so timing tells nothing of a token. */
    public Optional<Token> find(String presented) {
        byte[] given = presented.getBytes(StandardCharsets.UTF_8);
        Token found = null;
        for (Token t : tokens) {
            if (MessageDigest.isEqual(t.token().getBytes(StandardCharsets.UTF_8), given)) found = t;
        }
        return Optional.ofNullable(found);
    }

    /** One fresh admin token: for a server started without a tokens file, which must still not run open. */
    public static Tokens generatedAdmin() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new Tokens(List.of(new Token("ale_" + HexFormat.of().formatHex(bytes), Role.ADMIN, "admin", OptionalInt.empty())));
    }

    /** Reads and checks a tokens file; every mistake names the file and the entry. */
    public static Tokens load(Path file) {
        String text;
        try {
            if (Files.size(file) > MAX_FILE) throw bad(file, "is over 1 MiB; a tokens file is a short list");
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ServerException(Fault.INPUT, file + ": cannot read the tokens file: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (IOException e) {
            throw bad(file, "is not valid YAML: " + firstLine(e.getMessage()));
        }
        if (root == null || !root.isObject() || !root.path("tokens").isArray()) {
            throw bad(file, "must hold 'tokens:' with a list of {token, role, name, max_sandboxes}");
        }
        List<Token> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> values = new HashSet<>();
        int i = 0;
        for (JsonNode entry : root.get("tokens")) {
            String where = "tokens[" + i++ + "]";
            Token t = token(file, where, entry);
            if (!names.add(t.name())) throw bad(file, where + ".name: '" + t.name() + "' is used twice; names own sandboxes, so each must be unique");
            if (!values.add(t.token())) throw bad(file, where + ".token: the same token appears twice");
            tokens.add(t);
        }
        if (tokens.isEmpty()) throw bad(file, "tokens: the list is empty; nobody could use the server");
        return new Tokens(tokens);
    }

    private static Token token(Path file, String where, JsonNode entry) {
        if (!entry.isObject()) throw bad(file, where + ": must be a mapping {token, role, name, max_sandboxes}");
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) throw bad(file, where + "." + f + ": unknown field; expected one of " + FIELDS);
        }
        String token = text(file, where, entry, "token");
        if (token.length() < MIN_TOKEN_LENGTH || !token.chars().allMatch(c -> c > 32 && c < 127)) {
            throw bad(file, where + ".token: must be at least " + MIN_TOKEN_LENGTH + " printable ASCII characters without spaces");
        }
        Role role = switch (text(file, where, entry, "role")) {
            case "admin" -> Role.ADMIN;
            case "env" -> Role.ENV;
            default -> throw bad(file, where + ".role: must be admin or env");
        };
        String name = text(file, where, entry, "name");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) throw bad(file, where + ".name: must be 1-64 of A-Z a-z 0-9 . _ -");
        OptionalInt max = OptionalInt.empty();
        if (entry.has("max_sandboxes")) {
            JsonNode m = entry.get("max_sandboxes");
            if (!m.canConvertToInt() || !m.isIntegralNumber() || m.asInt() < 0) {
                throw bad(file, where + ".max_sandboxes: must be a whole number >= 0");
            }
            max = OptionalInt.of(m.asInt());
        }
        return new Token(token, role, name, max);
    }

    private static String text(Path file, String where, JsonNode entry, String field) {
        JsonNode v = entry.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) throw bad(file, where + "." + field + ": missing or not a string");
        return v.asText();
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.strip().lines().findFirst().orElse("");
    }

    private static ServerException bad(Path file, String message) {
        return new ServerException(Fault.INPUT, file + ": " + message);
    }
}
