package dev.ale.gateway.sink;

import java.util.Map;

/**
 * What a {@link TcpSink} has done since it opened. {@code dropped} connections were accepted
 * over the limit and closed unread; {@code lookupFailures} were recorded without a destination
 * because the lookup threw.
 */
public record SinkCounters(
        long accepted,
        long dropped,
        long lookupFailures,
        Map<Class<? extends Classification>, Long> classified) {

    public SinkCounters {
        classified = Map.copyOf(classified);
    }

    /** How many connections were classified as {@code kind}, e.g. {@code Classification.Ssh.class}. */
    public long classified(Class<? extends Classification> kind) {
        return classified.getOrDefault(kind, 0L);
    }
}
