package dev.ale.tasks;

import dev.ale.core.task.ImageRecipe;
import dev.ale.tasks.TaskFiles.Found;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The container side of a Terminal-Bench or Harbor task, from its compose file and Dockerfile:
 * the image it names, the working directory and variables ALE honours, and warnings for what it
 * reads but ignores. A task whose Dockerfile changes files, or that works where the host root is
 * read-only ({@code /app}), runs in its own image: the side then carries the recipe to make it.
 */
final class TaskImages {

    /** What the task's container description gives the sandbox. */
    record Side(Optional<String> image, String workdir, Map<String, String> env, List<String> warnings, Optional<ImageRecipe> build) {
    }

    /** What a Terminal-Bench task directory holds for its verifier and reference solution: never copied into its image. */
    private static final List<String> ANSWERS = List.of("tests", "run-tests.sh", "solution.sh", "solution.yaml", "solution");

    private TaskImages() {
    }

    /**
     * @param folder where the task keeps its container files, relative to the task directory ("" or "environment")
     * @param prebuilt an image the task file names itself (Harbor's docker_image), used instead of a Dockerfile
     */
    static Side read(TaskFiles files, Path shown, String folder, Optional<String> prebuilt) {
        String prefix = folder.isEmpty() ? "" : folder + "/";
        List<String> warnings = new ArrayList<>();
        Map<String, String> env = new LinkedHashMap<>();
        Optional<String> image = prebuilt;
        Optional<String> workdir = Optional.empty();
        String workdirFrom = "";
        Optional<Path> builtFrom = Optional.empty();
        int buildLine = 0;

        Optional<ComposeFiles.Service> service = Optional.empty();
        for (String name : List.of("docker-compose.yaml", "docker-compose.yml", "compose.yaml")) {
            Optional<Found> compose = files.fixed(prefix + name);
            if (compose.isPresent()) {
                service = Optional.of(ComposeFiles.read(compose.get().real(), shown.resolve(prefix + name).toString()));
                break;
            }
        }
        String dockerfileName = prefix + service.flatMap(ComposeFiles.Service::dockerfile).orElse("Dockerfile");
        if (image.isEmpty() && service.isPresent() && service.get().dockerfile().isEmpty()) image = service.get().image();
        if (image.isEmpty()) {
            Optional<Found> dockerfile = files.fixed(dockerfileName);
            if (service.isPresent() && service.get().dockerfile().isPresent() && dockerfile.isEmpty()) {
                throw new TaskException(shown.resolve(dockerfileName) + ": does not exist, and the compose file builds from it");
            }
            if (dockerfile.isPresent()) {
                if (!Files.isRegularFile(dockerfile.get().real())) {
                    throw new TaskException(shown.resolve(dockerfileName) + ": is not a regular file");
                }
                String written = shown.resolve(dockerfileName).toString();
                Dockerfiles.Recipe recipe = Dockerfiles.read(dockerfile.get().real(), written);
                image = recipe.image();
                builtFrom = Optional.of(dockerfile.get().real());
                buildLine = recipe.buildLine();
                workdir = recipe.workdir();
                workdirFrom = written + " line " + recipe.workdirLine() + " (WORKDIR)";
                env.putAll(recipe.env());
                warnings.addAll(recipe.warnings());
            }
        }
        if (service.isPresent()) {
            warnings.addAll(service.get().warnings());
            env.putAll(service.get().env());
            if (service.get().workdir().isPresent()) {
                workdir = service.get().workdir();
                workdirFrom = shown.resolve(prefix + "docker-compose.yaml") + ": services." + service.get().name() + ".working_dir";
            }
        }
        String dir = workdir.orElse(AleTaskReader.DEFAULT_WORKDIR);
        if (!dir.startsWith("/")) throw new TaskException(workdirFrom + ": " + dir + " is not an absolute path");
        dir = Path.of(dir).normalize().toString();
        Optional<String> problem = TaskFields.unwritable(dir);
        Optional<ImageRecipe> build = Optional.empty();
        if (buildLine > 0 || problem.isPresent() && image.isPresent()) {
            // the image's root is the sandbox's own (an overlay), so its working directory is writable there
            Path context = builtFrom.map(Path::getParent).orElse(files.root());
            build = Optional.of(new ImageRecipe(builtFrom, context, withheld(files, context)));
        } else if (problem.isPresent()) {
            throw new TaskException(workdirFrom + ": the task works in " + problem.get()
                    + "; its instruction and tests expect that directory, so it runs only in its own image, and it names none");
        }
        return new Side(image, dir, Map.copyOf(env), List.copyOf(warnings), build);
    }

    /** The task's answers that lie in the build context, relative to it. */
    private static List<String> withheld(TaskFiles files, Path context) {
        List<String> out = new ArrayList<>();
        for (String name : ANSWERS) {
            Path p = files.root().resolve(name);
            if (p.startsWith(context) && !p.equals(context) && Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                out.add(context.relativize(p).toString());
            }
        }
        return out;
    }
}
