package dev.ale.cli;

import dev.ale.core.AleException;
import dev.ale.core.passport.FilesystemRules;
import dev.ale.core.sandbox.SandboxBackend;
import dev.ale.core.task.ImageRecipe;
import dev.ale.core.task.Task;
import dev.ale.image.ImageStore;
import dev.ale.image.StoredImage;
import dev.ale.image.build.BuildResult;
import dev.ale.image.build.ImageBuilder;
import dev.ale.tasks.TaskLoader;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Makes the image of every task that runs only in its own (a Terminal-Bench or Harbor Dockerfile
 * that changes files, or works in {@code /app}) before its episodes: built by ALE's builder, whose
 * RUN steps are guarded sandboxes and whose steps are cached (an unchanged task builds nothing the
 * second time), or pulled when the task names a ready image. Each such task then runs in its image
 * by id; a task whose image cannot be made is refused with the reason, and the others run.
 */
final class TaskImageBuilds {

    /** How long one RUN of a task's Dockerfile may take. */
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(30);
    /** Built task images are named here, a registry name that no network resolves, so a pull never answers for them. */
    static final String NAMESPACE = "ale.local/task/";

    /** The tasks ready to run (in the order given) and those whose image could not be made. */
    record Prepared(List<Task> tasks, List<TaskLoader.Refused> refused) {

        Prepared {
            tasks = List.copyOf(tasks);
            refused = List.copyOf(refused);
        }
    }

    private TaskImageBuilds() {
    }

    static Prepared prepare(List<Task> tasks, ImageStore images, SandboxBackend backend, PrintStream err) {
        List<Task> ready = new ArrayList<>();
        List<TaskLoader.Refused> refused = new ArrayList<>();
        for (Task task : tasks) {
            Optional<ImageRecipe> recipe = task.environment().build();
            if (recipe.isEmpty()) {
                ready.add(task);
                continue;
            }
            try {
                String id = make(task, recipe.get(), images, backend, err);
                FilesystemRules fs = task.passport().filesystem();
                ready.add(task.withPassport(task.passport().withFilesystem(fs.withImage(id))));
            } catch (AleException e) {
                refused.add(new TaskLoader.Refused(task.directory(), "its image could not be made: " + e.getMessage()));
            }
        }
        return new Prepared(ready, refused);
    }

    /** The image's id: pulled when the task names a ready image, else built from its Dockerfile (each step from the cache if it can). */
    static String make(Task task, ImageRecipe recipe, ImageStore images, SandboxBackend backend, PrintStream err) {
        if (recipe.dockerfile().isEmpty()) {
            String name = task.environment().image().orElseThrow();
            err.println("ale: " + task.id() + ": image " + name);
            StoredImage i = images.find(name).orElseGet(() -> images.pull(name, new ImageCommands.Bar(err)));
            return i.id();
        }
        err.println("ale: " + task.id() + ": building its image from " + recipe.dockerfile().get());
        ImageBuilder.Request request = new ImageBuilder.Request(recipe.context(), recipe.dockerfile().get(), List.of(NAMESPACE + task.id()),
                Map.of(), task.passport(), RUN_TIMEOUT, recipe.withheld());
        BuildResult r = new ImageBuilder(images, backend).build(request, new ImageCommands.Printer(err));
        err.println("ale: " + task.id() + ": image " + r.image().shortId() + " (" + r.steps() + " steps run, " + r.cached()
                + " from the cache, " + r.sandboxes() + " sandboxes)");
        return r.image().id();
    }
}
