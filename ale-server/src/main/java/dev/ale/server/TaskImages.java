package dev.ale.server;

import dev.ale.core.task.Task;

/**
 * Makes the image a task runs in before a GEM environment of it starts: a task whose Dockerfile
 * builds its image (Terminal-Bench, Harbor) comes back rooted in the built or cached image, any
 * other unchanged. The CLI wires ALE's builder in, as {@code ale run} uses it; a task whose image
 * cannot be made throws, naming why.
 */
@FunctionalInterface
public interface TaskImages {

    /** The task as its environments run it, under the passport it was given. */
    Task prepare(Task task);

    /** Tasks run as they are: no image is built (a server without an image store). */
    static TaskImages none() {
        return task -> task;
    }
}
