package dev.ale.server;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * Who made a request: the name of its token, whether it is an admin, and its sandbox quota; or,
 * for a sandbox's own model-proxy token, which sandbox (it reaches nothing else).
 */
record Caller(String name, boolean admin, OptionalInt maxSandboxes, Optional<String> sandbox) {

    static Caller of(Tokens.Token token) {
        return new Caller(token.name(), token.admin(), token.maxSandboxes(), Optional.empty());
    }

    /** A sandbox calling the model proxy; its name cannot be a token's (a token name has no ':'). */
    static Caller sandbox(String sandboxId) {
        return new Caller("sandbox:" + sandboxId, false, OptionalInt.of(0), Optional.of(sandboxId));
    }

    boolean reaches(String owner) {
        return admin || (sandbox.isEmpty() && name.equals(owner));
    }
}
