package dev.ale.cluster.discovery;

import dev.ale.cluster.fleet.Member;
import java.util.List;
import java.util.function.Consumer;

/** A source of the fleet's members: it hands over the whole list each time it changes. */
public sealed interface Discovery extends AutoCloseable permits StaticDiscovery, KubernetesDiscovery {

    /** Starts telling {@code members} the current list (at once, then on every change). */
    void start(Consumer<List<Member>> members);

    /** What the front's log and fleet view say about it. */
    String describe();

    @Override
    void close();
}
