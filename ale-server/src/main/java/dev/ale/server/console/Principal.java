package dev.ale.server.console;

import java.util.Objects;

/**
 * Who signed in: the name of the token, whether it is an admin's, and the token itself, kept
 * only in the server-side session so the console can call the server's own API as that token.
 */
public record Principal(String name, boolean admin, String token) {

    public Principal {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(token, "token");
    }

    /** Whether this principal may see what {@code owner}'s token made. */
    boolean reaches(String owner) {
        return admin || name.equals(owner);
    }

    /** Never the token: a principal may end up in a log line. */
    @Override
    public String toString() {
        return "Principal[" + name + (admin ? ", admin" : "") + "]";
    }
}
