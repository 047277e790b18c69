package dev.ale.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.ale.core.passport.Passport;
import dev.ale.core.passport.PassportException;
import dev.ale.core.passport.PassportLoader;
import dev.ale.core.passport.signing.PassportSignature;
import dev.ale.core.passport.signing.TrustedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The passport a create request names or carries: the built-in {@code default}, a {@code NAME.yaml}
 * in the passports directory, or an inline passport (YAML text, or a JSON object in the same schema).
 */
final class Passports {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Optional<Path> directory;
    private final Optional<TrustedKeys> trusted;

    Passports(Optional<Path> directory, Optional<TrustedKeys> trusted) {
        this.directory = directory;
        this.trusted = trusted;
    }

    /**
     * The passport a create request asks for. Only an admin may write one inline: a passport is
     * what contains the agent, so an env token (a trainer's client, perhaps the agent's own code)
     * may only name one the operator set up, or {@code default}.
     */
    Passport resolve(Optional<JsonNode> field, boolean admin) {
        if (field.isEmpty()) return unsigned("no passport named, so the built-in default", Passport.defaults());
        JsonNode v = field.get();
        try {
            if (!v.isObject() && !v.isTextual()) throw ApiError.invalidField("passport", "must be a passport name, YAML text, or an object");
            if (v.isTextual() && NAME.matcher(v.asText()).matches()) return named(v.asText());
            if (trusted.isPresent()) unsigned("an inline passport", Passport.defaults());
            if (!admin) {
                throw ApiError.forbidden("an inline passport needs an admin token; name a passport the operator set up"
                        + directory.map(d -> " in " + d).orElse(" (ale serve --passports DIR)") + ", or 'default'");
            }
            if (v.isObject()) return PassportLoader.parse(Bodies.JSON.writeValueAsString(v), "passport");
            return PassportLoader.parse(v.asText(), "passport");
        } catch (PassportException e) {
            throw new ApiError(400, "invalid_passport", e.getMessage());
        } catch (JsonProcessingException e) {
            throw ApiError.invalidField("passport", "cannot be read: " + e.getOriginalMessage());
        }
    }

    private Passport named(String name) {
        if (directory.isPresent()) {
            Path file = directory.get().resolve(name + ".yaml");
            if (Files.isRegularFile(file)) {
                if (trusted.isEmpty()) return PassportLoader.load(file);
                try {
                    return PassportSignature.loadVerified(file, trusted.get());
                } catch (PassportException e) {
                    throw ApiError.forbidden("passport '" + name + "' refused: " + e.getMessage());
                }
            }
        }
        if (name.equals("default")) return unsigned("the built-in default passport", Passport.defaults());
        throw ApiError.invalidField("passport", "no passport named '" + name + "'"
                + directory.map(d -> " in " + d).orElse("") + "; name one there, use 'default', or give the passport inline");
    }

    /** Where signed passports are required, a passport that cannot carry a signature is refused; else it is used. */
    private Passport unsigned(String what, Passport passport) {
        if (trusted.isEmpty()) return passport;
        throw ApiError.forbidden("this server requires signed passports (ale serve --require-signed-passports), and " + what
                + " has no signature; name a signed passport" + directory.map(d -> " in " + d).orElse("")
                + " (NAME.yaml with NAME.yaml.sig, from `ale passport sign`)");
    }
}
