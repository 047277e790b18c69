package dev.ale.core.sandbox;

import java.util.List;

/** What a garbage collection removed: sandbox ids, and a line for each thing it could not remove. */
public record GarbageReport(List<String> removed, List<String> problems) {

    public GarbageReport {
        removed = List.copyOf(removed);
        problems = List.copyOf(problems);
    }
}
