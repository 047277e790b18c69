package dev.ale.cli.common;

import java.nio.file.Path;

/**
 * Where the task sets shipped with ALE are: under the repository the {@code ./ale} script runs
 * from ({@code $ALE_REPO}), else under the working directory.
 */
public final class ShippedTasks {

    private ShippedTasks() {
    }

    /** {@code tasks/<set>}: {@code examples}, {@code rome}, {@code terminal-bench}. */
    public static Path dir(String set) {
        String repo = System.getenv("ALE_REPO");
        return (repo == null || repo.isBlank() ? Path.of("tasks") : Path.of(repo, "tasks")).resolve(set);
    }
}
