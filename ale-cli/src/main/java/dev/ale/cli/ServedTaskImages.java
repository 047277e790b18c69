package dev.ale.cli;

import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.task.ImageRecipe;
import dev.ale.core.task.Task;
import dev.ale.image.ImageStore;
import dev.ale.server.TaskImages;
import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code ale serve}'s way to a task's image, the same as {@code ale run}'s: built by ALE's builder
 * (RUN steps in guarded sandboxes, every step cached) or pulled, when the first environment of the
 * task starts. Later starts reuse the image while the store still holds it; two starts of one task
 * at once build it once (the second waits for the first).
 */
final class ServedTaskImages implements TaskImages {

    private final ImageStore images;
    private final SandboxBackend backend;
    private final PrintStream err;
    /** Image ids by task directory and passport (a build's RUN steps run under the task's passport). */
    private final Map<String, String> made = new ConcurrentHashMap<>();
    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    ServedTaskImages(ImageStore images, SandboxBackend backend, PrintStream err) {
        this.images = images;
        this.backend = backend;
        this.err = err;
    }

    @Override
    public Task prepare(Task task) {
        Optional<ImageRecipe> recipe = task.environment().build();
        if (recipe.isEmpty()) return task;
        String key = task.directory() + "\n" + task.passport().id();
        String id;
        synchronized (locks.computeIfAbsent(key, k -> new Object())) {
            String known = made.get(key);
            if (known != null && images.find(known).isPresent()) {
                id = known;
            } else {
                id = TaskImageBuilds.make(task, recipe.get(), images, backend, err);
                made.put(key, id);
            }
        }
        FilesystemRules fs = task.passport().filesystem();
        return task.withPassport(task.passport().withFilesystem(fs.withImage(id)));
    }
}
