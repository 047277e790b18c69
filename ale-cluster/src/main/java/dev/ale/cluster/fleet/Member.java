package dev.ale.cluster.fleet;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * A node as discovery sees it: where it answers, its name when discovery knows one (a pod's
 * name), and whether it is ready to take work. A static list knows no names; the node's own
 * report gives them.
 */
public record Member(URI url, Optional<String> name, boolean ready) {

    public Member {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(name, "name");
    }
}
