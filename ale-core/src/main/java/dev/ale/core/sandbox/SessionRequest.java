package dev.ale.core.sandbox;

import java.util.Map;
import java.util.Optional;

/**
 * How a shell session starts: in which directory (the sandbox's default when empty) and with which
 * extra variables, both given to the shell when it starts, as an exec's are, rather than by commands.
 */
public record SessionRequest(Optional<String> cwd, Map<String, String> env) {

    public SessionRequest {
        cwd = cwd == null ? Optional.empty() : cwd;
        env = Map.copyOf(env);
    }

    /** The sandbox's default directory, no extra variables. */
    public static SessionRequest defaults() {
        return new SessionRequest(Optional.empty(), Map.of());
    }

    public SessionRequest withCwd(String newCwd) {
        return new SessionRequest(Optional.of(newCwd), env);
    }

    public SessionRequest withEnv(Map<String, String> newEnv) {
        return new SessionRequest(cwd, newEnv);
    }
}
