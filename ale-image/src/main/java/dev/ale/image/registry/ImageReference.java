package dev.ale.image.registry;

import dev.ale.core.AleException.Fault;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A parsed image name: {@code [registry/]repository[:tag][@sha256:…]}. As Docker does, a name
 * with no registry is on {@code docker.io}, and a one-part repository there is under
 * {@code library/} ({@code debian} is {@code docker.io/library/debian}); with neither tag nor
 * digest the tag is {@code latest}.
 */
public record ImageReference(String registry, String repository, Optional<String> tag, Optional<Digest> digest) {

    public static final String DOCKER_HUB = "docker.io";

    private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+(?::[0-9]+)?|\\[[0-9a-fA-F:]+\\](?::[0-9]+)?");

    public ImageReference {
        tag = tag == null ? Optional.empty() : tag;
        digest = digest == null ? Optional.empty() : digest;
    }

    public static ImageReference parse(String text) {
        if (text == null || text.isBlank()) throw bad(text, "it is empty");
        String rest = text.strip();
        if (!rest.equals(text) || rest.chars().anyMatch(Character::isWhitespace)) throw bad(text, "it contains white space");
        Optional<Digest> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                digest = Optional.of(Digest.parse(rest.substring(at + 1)));
            } catch (RegistryException e) {
                throw bad(text, "the part after @ is not a sha256 digest");
            }
            rest = rest.substring(0, at);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            String t = rest.substring(colon + 1);
            if (!TAG.matcher(t).matches()) throw bad(text, "\"" + t + "\" is not a valid tag");
            tag = Optional.of(t);
            rest = rest.substring(0, colon);
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            // the first part names a registry when it looks like a host: a dot, a port or localhost
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                if (!HOST.matcher(first).matches()) throw bad(text, "\"" + first + "\" is not a registry host");
                registry = first.equals("index.docker.io") || first.equals("registry-1.docker.io") ? DOCKER_HUB : first;
                rest = rest.substring(slash + 1);
            }
        }
        if (rest.isEmpty()) throw bad(text, "it names no repository");
        for (String part : rest.split("/", -1)) {
            if (!COMPONENT.matcher(part).matches()) {
                throw bad(text, "\"" + part + "\" is not a valid repository name part (lower-case letters, digits, . _ -)");
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) rest = "library/" + rest;
        if (tag.isEmpty() && digest.isEmpty()) tag = Optional.of("latest");
        return new ImageReference(registry, rest, tag, digest);
    }

    /** What to ask the registry's manifest endpoint for: the digest when there is one (it pins), else the tag. */
    public String manifestReference() {
        return digest.map(Digest::toString).orElseGet(tag::orElseThrow);
    }

    /** The full name, e.g. {@code docker.io/library/debian:bookworm}. */
    @Override
    public String toString() {
        return registry + "/" + repository + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }

    private static RegistryException bad(String text, String why) {
        return new RegistryException(Fault.INPUT, "image \"" + text + "\" is not a valid reference: " + why
                + " (e.g. debian:bookworm, ghcr.io/org/name:tag or name@sha256:…)");
    }
}
